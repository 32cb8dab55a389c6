// Routes against the real kernel, each test in a fresh namespace holding a
// veth pair with addresses: after every change, what `routes.list` returns
// is compared with what `ip -d -j route show` prints for the same namespace.
// One test decodes the captured fixture instead (no kernel needed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import * as rtLink from '../../src/generated/rt-link.js';
import * as rtRoute from '../../src/generated/rt-route.js';
import { Rtnl, decodeMultipath, routeFromMessage, type Route, type RouteSpec } from '../../src/rtnl/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';
import { fixture, hexToBytes } from '../codegen/fixtures.js';

/** Nexthop flags (RTNH_F_*) that `ip` prints under the same names. */
const NH_FLAGS = new Set(['dead', 'pervasive', 'onlink', 'offload', 'linkdown', 'unresolved', 'trap']);
/** Our metric names → `ip -j`'s. */
const IP_METRIC: Record<string, string> = { mtu: 'mtu', advmss: 'advmss', rtoMin: 'rto_min', hoplimit: 'hoplimit', window: 'window', initcwnd: 'initcwnd', initrwnd: 'initrwnd', congctl: 'congestion' };
const TABLES: Record<string, number> = { main: 254, local: 255, default: 253 };

/** One route in the shape both sides are brought to. */
interface Row {
  table: number;
  type: string;
  dst: string;
  gateway: string | undefined;
  dev: string | undefined;
  prefsrc: string | undefined;
  protocol: string;
  scope: string;
  metric: number | undefined;
  flags: string[];
  metrics: Record<string, unknown> | undefined;
  nexthops: Array<{ gateway: string | undefined; dev: string; weight: number; flags: string[] }> | undefined;
  pref: string | undefined;
}

function fromOurs(r: Route, names: Map<number, string>): Row {
  let metrics: Record<string, unknown> | undefined;
  if (r.metrics) {
    metrics = {};
    for (const [k, v] of Object.entries(r.metrics)) if (IP_METRIC[k]) metrics[IP_METRIC[k]] = v;
  }
  return {
    table: r.table,
    type: String(r.type),
    dst: r.dst,
    gateway: r.gateway,
    dev: r.dev === undefined ? undefined : names.get(r.dev),
    prefsrc: r.prefsrc,
    protocol: String(r.protocol),
    scope: String(r.scope),
    metric: r.priority,
    flags: r.flags.filter((f) => NH_FLAGS.has(String(f))).map(String).sort(),
    metrics,
    nexthops: r.multipath?.map((n) => ({ gateway: n.gateway, dev: names.get(n.dev)!, weight: n.weight, flags: n.flags.map(String).sort() })),
    pref: r.pref === undefined ? undefined : String(r.pref),
  };
}

/** One route of `ip -j -d route show`; ip leaves out what the command named (`table 100`, `dev veth1`): `implied` says it. */
function fromIpJson(j: any, implied: { table?: number; dev?: string } = {}): Row {
  const hostLen = String(j.dst).includes(':') ? 128 : 32;
  return {
    table: j.table === undefined ? (implied.table ?? 254) : j.table in TABLES ? TABLES[j.table]! : Number(j.table),
    type: j.type ?? 'unicast',
    dst: j.dst === 'default' || String(j.dst).includes('/') ? j.dst : `${j.dst}/${hostLen}`,
    gateway: j.gateway,
    dev: j.dev ?? (j.nexthops ? undefined : implied.dev),
    prefsrc: j.prefsrc,
    protocol: j.protocol,
    scope: j.scope,
    metric: j.metric,
    flags: [...j.flags].sort(),
    metrics: j.metrics?.[0],
    nexthops: j.nexthops?.map((n: any) => ({ gateway: n.gateway, dev: n.dev, weight: n.weight, flags: [...n.flags].sort() })),
    pref: j.pref,
  };
}

const sortRows = (rows: Row[]) => rows.map((r) => [JSON.stringify(r), r] as const).sort((a, b) => a[0].localeCompare(b[0])).map(([, r]) => r);

describe('routeFromMessage on captured kernel bytes', () => {
  it('decodes every route of the fixture as ip printed it, multipath weights included', () => {
    const names = new Map<number, string>(fixture.ip.link!.map((l: any) => [l.ifindex, l.ifname]));
    for (const [request, printed] of [
      [['getroute-inet', 'getroute-inet6'], fixture.ip.route!],
      [['getroute-inet6'], fixture.ip.route6!],
    ] as const) {
      const ours = request.flatMap((r) => fixture.messages[r]!).map((hex) => {
        const bytes = hexToBytes(hex);
        return routeFromMessage(rtRoute.decodeRouteMessage(new DataView(bytes.buffer), 16, bytes.length));
      });
      expect(sortRows(ours.map((r) => fromOurs(r, names)))).toEqual(sortRows(printed.map((j) => fromIpJson(j))));
    }
  });

  it('rejects a malformed RTA_MULTIPATH with a DecodeError naming it', () => {
    expect(decodeMultipath(new Uint8Array(0))).toEqual([]);
    // rtnh_len 40 in an 8-byte attribute; then one of 4 (shorter than struct rtnexthop).
    for (const bad of [Uint8Array.of(40, 0, 0, 0, 2, 0, 0, 0), Uint8Array.of(4, 0, 0, 0, 2, 0, 0, 0)]) {
      expect(() => decodeMultipath(bad)).toThrow(/rta-multipath/);
    }
    // A gateway attribute of 3 bytes inside a nexthop.
    const badGw = Uint8Array.of(16, 0, 0, 0, 2, 0, 0, 0, 7, 0, 5, 0, 10, 0, 0, 0);
    expect(() => decodeMultipath(badGw)).toThrow(/^rta-multipath\[0\]\.rta-gateway: /);
  });
});

describeKernel('routes against the kernel', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let names: Map<number, string>;
  let v0: number;
  let v1: number;

  /** `ip -d -j [-4|-6] route show table T` as rows. */
  const fromIp = (table: string, family?: '-4' | '-6'): Row[] =>
    sortRows(
      ipJson<any[]>(ns.name, '-d', ...(family ? [family] : []), 'route', 'show', 'table', table).map((j) =>
        fromIpJson(j, { table: table === 'all' ? undefined : (TABLES[table] ?? Number(table)) }),
      ),
    );
  const ours = (routes: Route[]): Row[] => sortRows(routes.map((r) => fromOurs(r, names)));
  /** Both families of every table, ours and ip's, equal. */
  const expectSameEverywhere = async () => expect(ours(await rt.routes.list({ table: 'all' }))).toEqual(fromIp('all'));

  beforeEach(async () => {
    ns = makeNetns('nlkr');
    run('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    ip(ns.name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ip(ns.name, 'link', 'set', 'veth0', 'up');
    ip(ns.name, 'link', 'set', 'veth1', 'up');
    ip(ns.name, 'addr', 'add', '10.1.0.2/24', 'dev', 'veth0');
    ip(ns.name, 'addr', 'add', '10.8.0.2/24', 'dev', 'veth1');
    ip(ns.name, 'addr', 'add', '2001:db8::2/64', 'dev', 'veth0', 'nodad');
    ip(ns.name, 'addr', 'add', '2001:db8:8::2/64', 'dev', 'veth1', 'nodad');
    names = new Map(ipJson<any[]>(ns.name, 'link', 'show').map((l) => [l.ifindex, l.ifname]));
    v0 = [...names].find(([, n]) => n === 'veth0')![0];
    v1 = [...names].find(([, n]) => n === 'veth1')![0];
    rt = await Rtnl.open({ netns: ns.name });
    // New IPv6 addresses are tentative (and their local routes absent) until the kernel's DAD work runs.
    for (let i = 0; i < 200 && ip(ns.name, '-6', 'addr', 'show', 'tentative').trim(); i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterEach(() => {
    rt?.close();
    ns?.remove();
  });

  it('lists every table, main by default, local, and one family, as ip does', async () => {
    await expectSameEverywhere();
    expect(ours(await rt.routes.list())).toEqual(sortRows([...fromIp('main', '-4'), ...fromIp('main', '-6')]));
    expect(ours(await rt.routes.list({ table: 'local' }))).toEqual(sortRows([...fromIp('local', '-4'), ...fromIp('local', '-6')]));
    expect(ours(await rt.routes.list({ table: 'all', family: 'inet6' }))).toEqual(fromIp('all', '-6'));
    expect(ours(await rt.routes.list({ family: 'inet' }))).toEqual(fromIp('main', '-4'));
    // Table 0 (unspec) is the kernel's "every table", as 'all' is.
    expect(ours(await rt.routes.list({ table: 0 }))).toEqual(fromIp('all'));
    expect(ours(await rt.routes.list({ table: 'unspec', family: 'inet6' }))).toEqual(fromIp('all', '-6'));
    // A wrong table names what the filter takes, 'all' included.
    await expect(rt.routes.list({ table: 'nosuch' as never })).rejects.toMatchObject({ name: 'ArgumentError', argument: 'filter.table', message: expect.stringContaining("local, 'all' or a number") });
    const local = await rt.routes.list({ table: 'local', family: 'inet' });
    expect(local.find((r) => r.dst === '10.1.0.2/32')).toMatchObject({ type: 'local', scope: 'host', protocol: 'kernel', table: 255, dev: v0, prefsrc: '10.1.0.2' });
  });

  it('adds IPv4 routes via a gateway and dev, and finds them with get as ip route get does', async () => {
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1', dev: 'veth0' });
    await rt.routes.add({ dst: '10.3.0.0/16', dev: v1, protocol: 'static', priority: 20, prefsrc: '10.8.0.2' });
    await rt.routes.add({ dst: 'default', gateway: '10.1.0.1' });
    const main = await rt.routes.list({ family: 'inet' });
    expect(main.find((r) => r.dst === '10.2.0.0/16')).toMatchObject({ family: 'inet', table: 254, gateway: '10.1.0.1', dev: v0, protocol: 'boot', scope: 'global', type: 'unicast', dstLength: 16 });
    // No gateway: link scope, as ip picks it.
    expect(main.find((r) => r.dst === '10.3.0.0/16')).toMatchObject({ scope: 'link', protocol: 'static', priority: 20, prefsrc: '10.8.0.2' });
    expect(main.find((r) => r.dst === 'default')).toMatchObject({ dstLength: 0, gateway: '10.1.0.1' });
    await expectSameEverywhere();

    for (const [dst, opts, args] of [
      ['10.2.3.4', {}, []],
      ['10.3.3.3', {}, []],
      ['192.0.2.1', {}, []],
      ['10.2.3.4', { from: '10.8.0.2' }, ['from', '10.8.0.2']],
      ['10.9.9.9', { oif: 'veth1' }, ['oif', 'veth1']],
    ] as const) {
      const got = await rt.routes.get(dst, opts);
      const [theirs] = ipJson<any[]>(ns.name, '-d', 'route', 'get', dst, ...args);
      expect(got.flags).toContain('cloned');
      expect({ dst: got.dst, gateway: got.gateway, dev: names.get(got.dev!), prefsrc: got.prefsrc, type: got.type, table: got.table }, `${dst} ${args.join(' ')}`).toEqual({
        dst: `${theirs.dst}/32`,
        gateway: theirs.gateway,
        dev: theirs.dev,
        prefsrc: theirs.prefsrc,
        type: theirs.type,
        // ip leaves the table out when it prints `oif`.
        table: theirs.table === undefined ? got.table : (TABLES[theirs.table] ?? Number(theirs.table)),
      });
    }
    // The matching FIB entry instead of the resolved route.
    const fib = await rt.routes.get('10.2.3.4', { fibMatch: true });
    expect(fib).toMatchObject({ dst: '10.2.0.0/16', gateway: '10.1.0.1', dev: v0 });
  });

  it('adds IPv6 routes: the kernel gives metric 1024 when none is set; get as ip route get', async () => {
    await rt.routes.add({ dst: '2001:db8:5::/48', gateway: '2001:db8::1', dev: 'veth0' });
    await rt.routes.add({ dst: '2001:db8:6::/48', dev: 'veth1', priority: 50, pref: 'high' });
    await rt.routes.add({ dst: 'default', gateway: '2001:db8::1', dev: 'veth0' });
    const six = await rt.routes.list({ family: 'inet6' });
    expect(six.find((r) => r.dst === '2001:db8:5::/48')).toMatchObject({ family: 'inet6', priority: 1024, gateway: '2001:db8::1', scope: 'global', pref: 'medium' });
    expect(six.find((r) => r.dst === '2001:db8:6::/48')).toMatchObject({ priority: 50, pref: 'high', dev: v1 });
    expect(six.find((r) => r.dst === 'default')).toMatchObject({ family: 'inet6', dstLength: 0, gateway: '2001:db8::1' });
    await expectSameEverywhere();

    const got = await rt.routes.get('2001:db8:5::7');
    const [theirs] = ipJson<any[]>(ns.name, '-d', 'route', 'get', '2001:db8:5::7');
    expect({ dst: got.dst, gateway: got.gateway, dev: names.get(got.dev!), metric: got.priority }).toEqual({
      dst: `${theirs.dst}/128`,
      gateway: theirs.gateway,
      dev: theirs.dev,
      metric: theirs.metric,
    });
  });

  it('uses tables 100 and 1000 (RTA_TABLE with rtm_table RT_TABLE_COMPAT above 255), and local', async () => {
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1', table: 100 });
    await rt.routes.add({ dst: '10.3.0.0/16', gateway: '10.1.0.1', table: 1000 });
    await rt.routes.add({ dst: '2001:db8:7::/48', gateway: '2001:db8::1', table: 1000 });
    await rt.routes.add({ dst: '10.1.0.99/32', dev: 'veth0', type: 'local' });
    const t100 = await rt.routes.list({ table: 100 });
    expect(t100.map((r) => [r.dst, r.table])).toEqual([['10.2.0.0/16', 100]]);
    const t1000 = await rt.routes.list({ table: 1000 });
    expect(t1000.map((r) => [r.dst, r.table]).sort()).toEqual([
      ['10.3.0.0/16', 1000],
      ['2001:db8:7::/48', 1000],
    ]);
    expect(t1000[0]!.attrs.rtaTable).toBe(1000);
    expect(ours(t1000)).toEqual(sortRows([...fromIp('1000', '-4'), ...fromIp('1000', '-6')]));
    expect(ours(await rt.routes.list({ table: 100, family: 'inet' }))).toEqual(fromIp('100', '-4'));
    // A local-type route lands in the local table, host-scoped, as with ip.
    expect((await rt.routes.list({ table: 'local', family: 'inet' })).find((r) => r.dst === '10.1.0.99/32')).toMatchObject({ type: 'local', scope: 'host', table: 255 });
    await expectSameEverywhere();
    // rtm_table as the kernel sent it: RT_TABLE_COMPAT for 1000.
    const raw = await rt.conn.dump(
      { type: rtRoute.RequestType.getroute, body: (w) => rtRoute.encodeRouteMessage(w, { header: { rtmFamily: 2, rtmTable: 252 }, attrs: { rtaTable: 1000 } }) },
      (view, s, e) => rtRoute.decodeRouteMessage(view, s, e).header.rtmTable,
    );
    expect(raw.items).toEqual([252]);
  });

  it('adds blackhole, unreachable and prohibit routes, IPv4 and IPv6', async () => {
    await rt.routes.add({ dst: '10.4.0.0/16', type: 'blackhole' });
    await rt.routes.add({ dst: '10.5.0.0/16', type: 'unreachable' });
    await rt.routes.add({ dst: '10.6.0.0/16', type: 'prohibit', table: 1000 });
    await rt.routes.add({ dst: '2001:db8:9::/48', type: 'unreachable' });
    await rt.routes.add({ dst: '2001:db8:a::/48', type: 'blackhole', priority: 7 });
    const types = Object.fromEntries((await rt.routes.list({ table: 'all' })).filter((r) => r.protocol === 'boot').map((r) => [r.dst, r.type]));
    expect(types).toEqual({ '10.4.0.0/16': 'blackhole', '10.5.0.0/16': 'unreachable', '10.6.0.0/16': 'prohibit', '2001:db8:9::/48': 'unreachable', '2001:db8:a::/48': 'blackhole' });
    await expectSameEverywhere();
    const err = await rt.routes.get('10.5.1.1').catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('EHOSTUNREACH');
  });

  it('sets metrics: mtu lock, advmss, rto_min, hoplimit, initcwnd, congctl', async () => {
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1', metrics: { mtu: 1400, mtuLock: true, advmss: 1300, rtoMin: 200 } });
    await rt.routes.add({ dst: '2001:db8:5::/48', gateway: '2001:db8::1', metrics: { hoplimit: 9, initcwnd: 20, congctl: 'reno', lock: ['congctl'] } });
    const [r4] = (await rt.routes.list({ family: 'inet' })).filter((r) => r.dst === '10.2.0.0/16');
    expect(r4!.metrics).toEqual({ mtu: 1400, advmss: 1300, rtoMin: 200, lock: ['mtu'], mtuLock: true });
    const [r6] = (await rt.routes.list({ family: 'inet6' })).filter((r) => r.dst === '2001:db8:5::/48');
    expect(r6!.metrics).toMatchObject({ hoplimit: 9, initcwnd: 20, congctl: 'reno', lock: ['congctl'], mtuLock: false });
    await expectSameEverywhere();
    // ip's JSON leaves locks out; its text says them.
    expect(ip(ns.name, 'route', 'show', '10.2.0.0/16')).toMatch(/mtu lock 1400 advmss 1300 rto_min 200ms/);
    expect(ip(ns.name, '-6', 'route', 'show', '2001:db8:5::/48')).toMatch(/congctl lock reno/);
  });

  it('adds multipath routes with weights (IPv4 and IPv6), nexthops as ip shows them', async () => {
    await rt.routes.add({
      dst: '10.3.0.0/16',
      table: 1000,
      multipath: [
        { gateway: '10.1.0.1', dev: 'veth0', weight: 2 },
        { gateway: '10.8.0.1', dev: 'veth1', weight: 5 },
        { gateway: '10.1.0.3', dev: v0 },
      ],
    });
    await rt.routes.add({
      dst: '2001:db8:5::/48',
      multipath: [
        { gateway: '2001:db8::1', dev: 'veth0', weight: 3 },
        { gateway: '2001:db8:8::1', dev: 'veth1', weight: 256 },
      ],
    });
    const [r4] = await rt.routes.list({ table: 1000 });
    expect(r4!.multipath!.map((n) => [n.gateway, n.dev, n.weight])).toEqual([
      ['10.1.0.1', v0, 2],
      ['10.8.0.1', v1, 5],
      ['10.1.0.3', v0, 1],
    ]);
    const [r6] = (await rt.routes.list({ family: 'inet6' })).filter((r) => r.dst === '2001:db8:5::/48');
    expect(r6!.multipath!.map((n) => [n.gateway, n.dev, n.weight])).toEqual([
      ['2001:db8::1', v0, 3],
      ['2001:db8:8::1', v1, 256],
    ]);
    await expectSameEverywhere();
    // Only-through-veth1 finds both (a nexthop counts), in the kernel.
    expect((await rt.routes.list({ table: 'all', oif: 'veth1', protocol: 'boot' })).map((r) => r.dst).sort()).toEqual(['10.3.0.0/16', '2001:db8:5::/48']);
    // Deleting by what was listed.
    await rt.routes.delete(r4!);
    await rt.routes.delete(r6!);
    await expectSameEverywhere();
    expect(await rt.routes.list({ table: 'all', protocol: 'boot' })).toEqual([]);
  });

  it('replaces, appends and deletes', async () => {
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1' });
    await rt.routes.replace({ dst: '10.2.0.0/16', gateway: '10.8.0.1', dev: 'veth1' });
    let r = (await rt.routes.list({ family: 'inet' })).filter((x) => x.dst === '10.2.0.0/16');
    expect(r.map((x) => [x.gateway, x.dev])).toEqual([['10.8.0.1', v1]]);
    await expectSameEverywhere();
    // replace creates what is missing
    await rt.routes.replace({ dst: '10.7.0.0/16', type: 'blackhole' });
    // IPv4 append: a second entry behind the first with the same dst.
    await rt.routes.append({ dst: '10.2.0.0/16', gateway: '10.1.0.1' });
    r = (await rt.routes.list({ family: 'inet' })).filter((x) => x.dst === '10.2.0.0/16');
    expect(r.map((x) => x.gateway)).toEqual(['10.8.0.1', '10.1.0.1']);
    // IPv6 append: another nexthop of the same route.
    await rt.routes.add({ dst: '2001:db8:5::/48', gateway: '2001:db8::1' });
    await rt.routes.append({ dst: '2001:db8:5::/48', gateway: '2001:db8:8::1', dev: 'veth1' });
    const [six] = (await rt.routes.list({ family: 'inet6' })).filter((x) => x.dst === '2001:db8:5::/48');
    expect(six!.multipath?.map((n) => n.gateway)).toEqual(['2001:db8::1', '2001:db8:8::1']);
    await expectSameEverywhere();

    // delete matches the fields given: the gateway picks which of the two goes.
    await rt.routes.delete({ dst: '10.2.0.0/16', gateway: '10.1.0.1' });
    r = (await rt.routes.list({ family: 'inet' })).filter((x) => x.dst === '10.2.0.0/16');
    expect(r.map((x) => x.gateway)).toEqual(['10.8.0.1']);
    await rt.routes.delete({ dst: '10.2.0.0/16' });
    await rt.routes.delete({ dst: '10.7.0.0/16' });
    await rt.routes.delete({ dst: '2001:db8:5::/48', gateway: '2001:db8:8::1' });
    await rt.routes.delete({ dst: '2001:db8:5::/48' });
    expect(await rt.routes.list({ table: 'all', protocol: 'boot' })).toEqual([]);
    await expectSameEverywhere();

    const gone = await rt.routes.delete({ dst: '10.2.0.0/16' }).catch((e) => e);
    expect(gone).toBeInstanceOf(KernelError);
    expect(gone.code).toBe('ESRCH');
    const gone6 = await rt.routes.delete({ dst: '2001:db8:5::/48' }).catch((e) => e);
    expect(gone6.code).toBe('ESRCH');
  });

  it('sends an IPv4 route via an IPv6 gateway in RTA_VIA', async () => {
    await rt.routes.add({ dst: '10.20.0.0/16', gateway: '2001:db8::1', dev: 'veth0' });
    const [r] = (await rt.routes.list({ family: 'inet' })).filter((x) => x.dst === '10.20.0.0/16');
    expect(r).toMatchObject({ family: 'inet', gateway: '2001:db8::1', dev: v0 });
    expect(r!.attrs.rtaGateway).toBeUndefined();
    expect(r!.attrs.rtaVia).toBeInstanceOf(Uint8Array);
    const [theirs] = ipJson<any[]>(ns.name, 'route', 'show', '10.20.0.0/16');
    expect(theirs.via).toEqual({ family: 'inet6', host: '2001:db8::1' });
    await rt.routes.delete({ dst: '10.20.0.0/16', gateway: '2001:db8::1' });
    expect(ipJson<any[]>(ns.name, 'route', 'show', '10.20.0.0/16')).toEqual([]);
  });

  it('onlink: a gateway outside every prefix of the link', async () => {
    const refused = await rt.routes.add({ dst: '10.2.0.0/16', gateway: '192.0.2.1', dev: 'veth0' }).catch((e) => e);
    expect(refused).toBeInstanceOf(KernelError);
    expect(refused.code).toBe('ENETUNREACH');
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '192.0.2.1', dev: 'veth0', onlink: true });
    const [r] = (await rt.routes.list({ family: 'inet' })).filter((x) => x.dst === '10.2.0.0/16');
    expect(r!.flags).toContain('onlink');
    await expectSameEverywhere();
  });

  it('filters in the kernel: protocol, type, oif; a missing oif or table is the kernel’s answer', async () => {
    await rt.routes.add({ dst: '10.2.0.0/16', gateway: '10.1.0.1', protocol: 'static' });
    await rt.routes.add({ dst: '10.3.0.0/16', gateway: '10.8.0.1', protocol: 42 });
    await rt.routes.add({ dst: '10.4.0.0/16', type: 'blackhole' });
    expect((await rt.routes.list({ protocol: 'static' })).map((r) => r.dst)).toEqual(['10.2.0.0/16']);
    expect((await rt.routes.list({ protocol: 42 })).map((r) => [r.dst, r.protocol])).toEqual([['10.3.0.0/16', 'babel']]);
    expect((await rt.routes.list({ type: 'blackhole' })).map((r) => r.dst)).toEqual(['10.4.0.0/16']);
    expect(ours(await rt.routes.list({ oif: 'veth1', family: 'inet' }))).toEqual(sortRows(ipJson<any[]>(ns.name, '-d', '-4', 'route', 'show', 'dev', 'veth1').map((j) => fromIpJson(j, { dev: 'veth1' }))));
    expect(ours(await rt.routes.list({ table: 'all', type: 'local', family: 'inet6' }))).toEqual(sortRows(ipJson<any[]>(ns.name, '-d', '-6', 'route', 'show', 'table', 'all', 'type', 'local').map((j) => fromIpJson({ type: 'local', ...j }))));

    const nodev = await rt.routes.list({ oif: 99999 }).catch((e) => e);
    expect(nodev).toBeInstanceOf(KernelError);
    expect(nodev.code).toBe('ENODEV');
    // A table that does not exist: ENOENT when one family is asked, nothing when both are.
    const noTable = await rt.routes.list({ table: 77, family: 'inet' }).catch((e) => e);
    expect(noTable).toBeInstanceOf(KernelError);
    expect(noTable.code).toBe('ENOENT');
    expect(noTable.ack.message).toMatch(/FIB table does not exist/);
    expect(await rt.routes.list({ table: 77 })).toEqual([]);
  });

  it('addMany writes a batch; a refused route in the middle does not stop the others', async () => {
    const routes = Array.from({ length: 200 }, (_, i) => ({ dst: `10.${100 + (i >> 8)}.${i & 255}.0/24`, gateway: '10.1.0.1', dev: 'veth0' }));
    // Route 100 repeats route 10: EEXIST. Route 150 is unreachable through its gateway: ENETUNREACH.
    routes[100] = { ...routes[10]! };
    routes[150] = { dst: '10.99.0.0/16', gateway: '192.0.2.1', dev: 'veth0' };
    const before = rt.conn.sequence;
    const outcomes = await rt.routes.addMany(routes);
    expect(outcomes).toHaveLength(200);
    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [[i, (o.error as KernelError).code]]));
    expect(failed).toEqual([
      [100, 'EEXIST'],
      [150, 'ENETUNREACH'],
    ]);
    // One name lookup for 'veth0', then one request per route.
    expect(rt.conn.sequence - before).toBe(201);
    const listed = (await rt.routes.list({ family: 'inet', protocol: 'boot' })).map((r) => r.dst).sort();
    expect(listed).toEqual(routes.filter((_, i) => i !== 100 && i !== 150).map((r) => r.dst).sort());
    await expectSameEverywhere();

    // replace mode rewrites them all without complaint.
    const again = await rt.routes.addMany(routes.slice(0, 50).map((r) => ({ ...r, gateway: '10.1.0.9' })), { mode: 'replace' });
    expect(again.every((o) => o.ok)).toBe(true);
    expect((await rt.routes.list({ family: 'inet', protocol: 'boot' })).filter((r) => r.gateway === '10.1.0.9')).toHaveLength(50);
  });

  it('rejects invalid input with ArgumentError before sending anything', async () => {
    const before = rt.conn.sequence;
    const bad: any[] = [
      { dst: '10.2.0.0/33' },
      { dst: '10.2.0.300/16' },
      { dst: 'nowhere' },
      { dst: '10.2.0.0/16', gateway: '10.1.0.1/24' },
      { dst: '10.2.0.0/16', prefsrc: '2001:db8::2' },
      { dst: '10.2.0.0/16', table: 'nosuch' },
      { dst: '10.2.0.0/16', table: -1 },
      { dst: '10.2.0.0/16', protocol: 'carrier-pigeon' },
      { dst: '10.2.0.0/16', protocol: 300 },
      { dst: '10.2.0.0/16', type: 'teleport' },
      { dst: '10.2.0.0/16', scope: 'galaxy' },
      { dst: '10.2.0.0/16', priority: 2 ** 32 },
      { dst: '10.2.0.0/16', metrics: { mtu: -1 } },
      { dst: '10.2.0.0/16', metrics: { lock: ['nosuch'] } },
      { dst: '10.2.0.0/16', multipath: [] },
      { dst: '10.2.0.0/16', multipath: [{ gateway: '10.1.0.1', weight: 0 }] },
      { dst: '10.2.0.0/16', multipath: [{ gateway: '10.1.0.1', weight: 257 }] },
      { dst: '10.2.0.0/16', multipath: [{ weight: 1 }] },
      { dst: '10.2.0.0/16', pref: 'sometimes' },
      { dst: 'default', family: 'bridge' },
      { dst: '2001:db8::/32', family: 'inet' },
    ];
    for (const route of bad) {
      const err = await rt.routes.add(route).catch((e) => e);
      expect(err, JSON.stringify(route)).toBeInstanceOf(ArgumentError);
    }
    // A gateway is an address: the error says so, whether the text has a prefix length or is no address at all.
    for (const [dst, gateway] of [['10.3.0.0/16', '10.1.0.1/24'], ['10.3.0.0/16', '10.1.0.300'], ['10.3.0.0/16', 'default'], ['default', 'nope'], ['default', '10.1.0.1/24']]) {
      const err = await rt.routes.addMany([{ dst: '10.2.0.0/16' }, { dst, gateway }]).catch((e) => e);
      expect(err.argument, gateway).toBe('routes[1].gateway');
      expect(err.message, gateway).toMatch(/^routes\[1\]\.gateway: expected an IP address such as "10\.1\.0\.1" or "2001:db8::1" \(no prefix length, no zone, no leading zeros\)/);
    }
    const many = await rt.routes.addMany([{ dst: '10.2.0.0/16', gateway: '10.1.0.1' }, { dst: '10.3.0.0/99' }]).catch((e) => e);
    expect(many).toBeInstanceOf(ArgumentError);
    expect(many.message).toMatch(/^routes\[1\]\.dst: expected a prefix length from 0 to 32/);
    expect(many.argument).toBe('routes[1].dst');
    await expect(rt.routes.get('10.2.0.0/16')).rejects.toBeInstanceOf(ArgumentError);
    await expect(rt.routes.get('10.2.3.4', { from: '2001:db8::1' })).rejects.toBeInstanceOf(ArgumentError);
    await expect(rt.routes.list({ table: 'nosuch' as any })).rejects.toBeInstanceOf(ArgumentError);
    expect(rt.conn.sequence).toBe(before);
    expect(await rt.routes.list({ table: 'all', protocol: 'boot' })).toEqual([]);
  });

  it('resolves link names once per call and reports an unknown one as ENODEV', async () => {
    const err = await rt.routes.add({ dst: '10.2.0.0/16', dev: 'nope0' }).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    // Sanity: the link names ip knows are the ones the kernel reports.
    const links = await rt.conn.dump({ type: rtLink.RequestType.getlink, body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) }, (v, s, e) =>
      rtLink.decodeLinkMessage(v, s, e).attrs.ifname,
    );
    expect(links.items.sort()).toEqual([...names.values()].sort());
  });

  it('addMany asks for each link name once, and sends no route when one is unknown', async () => {
    const routes: RouteSpec[] = [1, 2, 3].map((i) => ({ dst: `10.60.${i}.0/24`, dev: 'veth0', table: 1001 }));
    routes.push({ dst: '10.61.0.0/16', table: 1001, multipath: [{ gateway: '10.1.0.1', dev: 'veth0' }, { gateway: '10.8.0.1', dev: 'veth1' }] });
    const before = rt.conn.sequence;
    const outcomes = await rt.routes.addMany(routes);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // One RTM_GETLINK for veth0 and one for veth1, then one RTM_NEWROUTE per route.
    expect(rt.conn.sequence - before).toBe(2 + routes.length);
    const listed = await rt.routes.list({ table: 1001 });
    expect(listed.map((r) => [r.dst, r.dev ?? r.multipath?.map((n) => n.dev)])).toEqual([
      ['10.60.1.0/24', v0],
      ['10.60.2.0/24', v0],
      ['10.60.3.0/24', v0],
      ['10.61.0.0/16', [v0, v1]],
    ]);
    const mid = rt.conn.sequence;
    const err = await rt.routes.addMany([{ dst: '10.62.0.0/24', dev: 'veth0', table: 1001 }, { dst: '10.63.0.0/24', dev: 'nope0', table: 1001 }]).catch((e) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err.code).toBe('ENODEV');
    expect(rt.conn.sequence - mid).toBe(2); // the two lookups, no write
    expect(await rt.routes.list({ table: 1001 })).toHaveLength(4);
  });
});
