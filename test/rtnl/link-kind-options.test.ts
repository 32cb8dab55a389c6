// Issue 9: unknown keys inside a link kind's options (`data`, the shorthands `bridge`,
// `vxlan`, `macvlan`, `bond`, a veth peer) and inside their nested objects are refused
// with ArgumentError naming the full path, and nothing is sent. The keys allowed are
// the ones the kind's generated encoder reads (src/codec/request-check.ts, the same
// check NetlinkFamily requests go through), not a list here.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Connection } from '../../src/netlink/index.js';
import { Rtnl, type LinkSpec } from '../../src/rtnl/index.js';
import { FakeKernel, datagram, errorMsg } from '../helpers/fake-kernel.js';

/** Runs links.add over a fake kernel; returns the error (if any) and how many messages were sent. */
async function add(spec: unknown): Promise<{ error: unknown; sent: number }> {
  let sent = 0;
  const fake = new FakeKernel({
    handler: (req, k) => {
      sent++;
      return datagram(errorMsg(req, k, { errno: 0 }));
    },
  });
  const rt = await Rtnl.over(Connection.over(fake));
  let error: unknown;
  try {
    await rt.links.add({ ...(spec as LinkSpec), netns: '/proc/self/ns/net' });
  } catch (err) {
    error = err;
  } finally {
    rt.close();
  }
  return { error, sent };
}

const refused: Array<[string, unknown]> = [
  ['spec.data.vxlanId', { name: 'v0', kind: 'vxlan', data: { id: 1, vxlanId: 2 } }],
  ['spec.vxlan.prot', { name: 'v0', kind: 'vxlan', vxlan: { id: 1, prot: 4789 } }],
  ['spec.data.portRange.hihg', { name: 'v0', kind: 'vxlan', data: { id: 1, portRange: { low: 1000, hihg: 2000 } } }],
  ['spec.bridge.stpstate', { name: 'b0', kind: 'bridge', bridge: { stpstate: 1 } }],
  ['spec.data.forwardDelays', { name: 'b0', kind: 'bridge', data: { forwardDelays: 1 } }],
  ['spec.bond.miimonn', { name: 'b0', kind: 'bond', bond: { mode: 1, miimonn: 100 } }],
  ['spec.macvlan.mdoe', { name: 'm0', kind: 'macvlan', parent: 3, macvlan: { mdoe: 'bridge' } }],
  ['spec.macvlan.macaddrData.mac', { name: 'm0', kind: 'macvlan', parent: 3, macvlan: { macaddrData: { mac: ['02:00:00:00:00:01'] } } }],
  ['spec.data.peer.mut', { name: 'p0', kind: 'veth', data: { peer: { name: 'p1', mut: 1400 } } }],
  ['spec.peer.mut', { name: 'p0', kind: 'veth', peer: { name: 'p1', mut: 1400 } }],
  ['spec.data.vni', { name: 'g0', kind: 'geneve', data: { id: 5, vni: 5 } }],
  ['spec.data.tabel', { name: 'r0', kind: 'vrf', data: { tabel: 10 } }],
  ['spec.data', { name: 'd0', kind: 'dummy', data: { id: 1 } }],
  ['spec.data', { name: 'b0', kind: 'bridge', data: 'stp' }],
  ['spec.bridge', { name: 'b0', kind: 'bridge', bridge: ['stp'] }],
  ['spec.vxlan', { name: 'v0', kind: 'vxlan', vxlan: 42 }],
  ['spec.data.__proto__', { name: 'b0', kind: 'bridge', data: JSON.parse('{"__proto__": {"x": 1}}') }],
];

describe('links.add refuses unknown keys in kind options (issue 9)', () => {
  for (const [path, spec] of refused) {
    it(`${path}: ${JSON.stringify(spec)}`, async () => {
      const { error, sent } = await add(spec);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).argument).toBe(path);
      expect(sent).toBe(0);
    });
  }

  it('names the fields a misspelt key could have meant, without the bookkeeping keys', async () => {
    const { error } = await add({ name: 'v0', kind: 'vxlan', data: { id: 1, vxlanId: 2 } } as never);
    expect((error as Error).message).toMatch(/linkinfo-vxlan-attrs has id, group, link, /);
    expect((error as Error).message).not.toMatch(/\bunknown\b.*\border\b|, order\b/);
  });

  it('takes every key the spec names, in data and in the shorthands, and sends the request', async () => {
    const ok: LinkSpec[] = [
      { name: 'v0', kind: 'vxlan', data: { id: 1, port: 4789, portRange: { low: 1000, high: 2000 }, learning: 0, group: '2001:db8::1', dev: 3 } },
      { name: 'b0', kind: 'bridge', bridge: { stpState: 1, forwardDelay: 400 } },
      { name: 'b1', kind: 'bridge', data: { stpState: 1 } },
      { name: 'm0', kind: 'macvlan', parent: 3, mode: 'bridge', macvlan: { macaddrData: { macaddr: ['02:00:00:00:00:01'] } } },
      { name: 'p0', kind: 'veth', data: { peer: { name: 'p1', mtu: 1400 } } },
      { name: 'g0', kind: 'geneve', data: { id: 5, remote: '10.0.0.1' } },
      { name: 'd0', kind: 'dummy' },
    ];
    for (const spec of ok) {
      const { error, sent } = await add(spec);
      expect(error, JSON.stringify(spec)).toBeUndefined();
      expect(sent).toBe(1);
    }
  });
});
