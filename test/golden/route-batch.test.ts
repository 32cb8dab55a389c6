// routes.addMany (one batch, Connection.batch) sends, message for message, what
// `ip route add` / `replace` / `append` send one command at a time (the captures
// of routes.json; see golden.ts): the bulk path builds each route as add does.
import { describe, expect, it } from 'vitest';
import * as rtRoute from '../../src/generated/rt-route.js';
import type { RouteSpec, RouteWriteMode } from '../../src/rtnl/index.js';
import { canonical, captured, loadFixture, sentBy } from './golden.js';

const fixture = loadFixture('routes');
const NEWROUTE: readonly number[] = [rtRoute.RequestType.newroute];

/** iproute2's RTM_NEWROUTE of each command, in order. */
function theirs(commands: readonly string[]): string[] {
  return commands.flatMap((command) => {
    const capture = fixture.requests.find((r) => r.command === command);
    if (!capture) throw new Error(`no capture of ${command}`);
    return captured(capture, NEWROUTE).map((m) => canonical(m));
  });
}

async function mine(routes: RouteSpec[], mode?: RouteWriteMode): Promise<string[]> {
  const indexes = fixture.requests[0]!.indexes;
  const sent = await sentBy((rt) => rt.routes.addMany(routes, mode === undefined ? {} : { mode }), indexes);
  return sent.filter((b) => NEWROUTE.includes(new DataView(b.buffer, b.byteOffset).getUint16(4, true))).map((m) => canonical(m));
}

describe('golden routes.addMany: each route as ip route sends it', () => {
  it('add: gateway, device, table and metric, metrics, multipath, IPv6', async () => {
    const cases: [string, RouteSpec][] = [
      ['ip route add 10.20.0.0/16 via 10.9.0.254', { dst: '10.20.0.0/16', gateway: '10.9.0.254' }],
      ['ip route add 10.21.0.0/16 dev p0', { dst: '10.21.0.0/16', dev: 'p0' }],
      ['ip route add 10.22.0.0/16 via 10.9.0.254 table 100 metric 10', { dst: '10.22.0.0/16', gateway: '10.9.0.254', table: 100, priority: 10 }],
      ['ip route add 10.23.0.0/16 via 10.9.0.254 mtu lock 1400 advmss 1300', { dst: '10.23.0.0/16', gateway: '10.9.0.254', metrics: { mtu: 1400, mtuLock: true, advmss: 1300 } }],
      ['ip route add blackhole 10.25.0.0/16', { dst: '10.25.0.0/16', type: 'blackhole' }],
      ['ip route add 10.27.0.0/16 nexthop via 10.9.0.10 weight 1 nexthop via 10.9.0.11 weight 3', { dst: '10.27.0.0/16', multipath: [{ gateway: '10.9.0.10', weight: 1 }, { gateway: '10.9.0.11', weight: 3 }] }],
      ['ip -6 route add 2001:db8:21::/48 dev p0 metric 5', { dst: '2001:db8:21::/48', dev: 'p0', priority: 5 }],
    ];
    const want = theirs(cases.map(([c]) => c));
    expect(want).toHaveLength(cases.length);
    expect(await mine(cases.map(([, r]) => r))).toEqual(want);
  });

  it("replace and append: the mode's flags on every route", async () => {
    expect(await mine([{ dst: '10.20.0.0/16', gateway: '10.9.0.253' }], 'replace')).toEqual(theirs(['ip route replace 10.20.0.0/16 via 10.9.0.253']));
    expect(await mine([{ dst: '10.30.0.0/16', gateway: '10.9.0.253' }], 'append')).toEqual(theirs(['ip route append 10.30.0.0/16 via 10.9.0.253']));
  });
});
