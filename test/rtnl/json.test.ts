// Every object the public API returns goes through JSON.stringify and reads
// well: bigint counters as exact decimal strings, bytes as hex, no undefined
// keys, no wire-order bookkeeping. Checked on a namespace populated with every
// link kind this kernel has (veth, bridge, macvlan, macvtap, ifb, vxlan) plus
// addresses, routes, neighbours and rules, and the values compared with `ip -j`.
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenericFamily, Rtnl, toJSONValue, type Link } from '../../src/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import * as netdev from '../../src/generated/netdev.js';
import { describeKernel, ip, ipJson, makeNetns, multicastRuleFamilies } from '../helpers/kernel.js';

/**
 * expectJsonOf checks that `parsed` (JSON.parse of JSON.stringify(value)) is
 * exactly `value` converted: bigint → its decimal string, Uint8Array → hex,
 * undefined fields absent, only enumerable own fields, no `order` anywhere.
 * Returns how many bigints and byte arrays it met, so a test can tell it saw some.
 */
function expectJsonOf(value: unknown, parsed: unknown, path = '$', seen = { bigints: 0, bytes: 0 }): typeof seen {
  if (typeof value === 'bigint') {
    seen.bigints++;
    expect(parsed, path).toBe(value.toString());
    expect(BigInt(parsed as string), path).toBe(value);
  } else if (value instanceof Uint8Array) {
    seen.bytes++;
    expect(parsed, path).toBe(Buffer.from(value).toString('hex'));
  } else if (Array.isArray(value)) {
    expect(Array.isArray(parsed), path).toBe(true);
    expect((parsed as unknown[]).length, path).toBe(value.length);
    value.forEach((v, i) => expectJsonOf(v, (parsed as unknown[])[i], `${path}[${i}]`, seen));
  } else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const p = parsed as Record<string, unknown>;
    const defined = Object.keys(o).filter((k) => o[k] !== undefined);
    expect(Object.keys(p).sort(), path).toEqual(defined.sort());
    expect(p, path).not.toHaveProperty('order');
    for (const k of defined) expectJsonOf(o[k], p[k], `${path}.${k}`, seen);
  } else {
    expect(parsed, path).toBe(value);
  }
  return seen;
}

/** JSON.stringify → JSON.parse, checked field by field; returns the parsed copy. */
function roundTrip<T>(value: T): any {
  const text = JSON.stringify(value);
  expect(text).not.toContain('"order"');
  const parsed = JSON.parse(text);
  expectJsonOf(value, parsed);
  return parsed;
}

describe('toJSONValue', () => {
  it('writes u64 values exactly as decimal strings, bytes as hex, and drops undefined', () => {
    const max = 2n ** 64n - 1n;
    const v = { a: max, b: 2n ** 53n + 1n, c: new Uint8Array([0, 1, 0xab, 0xff]), d: undefined, e: [1n, undefined], f: { g: undefined } };
    expect(toJSONValue(v)).toEqual({ a: '18446744073709551615', b: '9007199254740993', c: '0001abff', e: ['1', null], f: {} });
    expect(BigInt(JSON.parse(JSON.stringify(toJSONValue(v))).a)).toBe(max);
  });

  it('leaves out non-enumerable fields (the decoders’ wire order)', () => {
    const v = { x: 1 };
    Object.defineProperty(v, 'order', { value: [3, 1, 2], enumerable: false });
    expect(toJSONValue(v)).toEqual({ x: 1 });
  });
});

describeKernel('JSON-ready objects on a populated namespace', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  beforeAll(async () => {
    ns = makeNetns('nlkj');
    const n = ns.name;
    ip(n, 'link', 'add', 'br0', 'type', 'bridge');
    ip(n, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ip(n, 'link', 'set', 'v0', 'master', 'br0');
    ip(n, 'link', 'add', 'mv0', 'link', 'v1', 'type', 'macvlan', 'mode', 'bridge');
    ip(n, 'link', 'add', 'mt0', 'link', 'v1', 'type', 'macvtap');
    ip(n, 'link', 'add', 'ifb0', 'type', 'ifb');
    ip(n, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.1.0.2', 'dev', 'br0');
    for (const l of ['br0', 'v0', 'v1', 'mv0']) ip(n, 'link', 'set', l, 'up');
    ip(n, 'link', 'set', 'v1', 'promisc', 'on');
    ip(n, 'addr', 'add', '10.1.0.2/24', 'dev', 'br0', 'label', 'br0:a');
    ip(n, 'addr', 'add', '2001:db8::2/64', 'dev', 'br0', 'nodad');
    ip(n, 'route', 'add', '10.2.0.0/16', 'via', '10.1.0.1');
    ip(n, 'route', 'add', '2001:db8:5::/48', 'via', '2001:db8::1');
    ip(n, 'neigh', 'add', '10.1.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'br0');
    ip(n, 'neigh', 'add', '2001:db8::9', 'lladdr', '02:00:00:00:00:0a', 'dev', 'br0');
    ip(n, 'rule', 'add', 'pref', '100', 'from', '10.1.0.0/24', 'table', '100');
    ip(n, '-6', 'rule', 'add', 'pref', '101', 'from', '2001:db8::/64', 'table', '101');
    rt = await Rtnl.open({ netns: n });
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('links: every kind serializes; counters, flags and kind details equal ip -j -d -s', async () => {
    // Counters move when a link sends something (IPv6 router solicitations):
    // compare a listing taken while `ip` saw no change before and after it.
    let links: Link[] = [];
    let before: any[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      before = ipJson(ns.name, '-d', '-s', 'link', 'show');
      links = await rt.links.list();
      const after = ipJson(ns.name, '-d', '-s', 'link', 'show');
      if (JSON.stringify(after.map((l: any) => l.stats64)) === JSON.stringify(before.map((l: any) => l.stats64))) break;
    }
    expect(new Set(links.map((l) => l.kind))).toEqual(new Set([undefined, 'bridge', 'veth', 'macvlan', 'macvtap', 'ifb', 'vxlan']));
    const parsed = roundTrip(links) as any[];
    const seen = expectJsonOf(links, parsed);
    expect(seen.bigints).toBeGreaterThan(0);
    expect(seen.bytes).toBeGreaterThan(0); // struct tails and unknown attributes, as hex
    for (const [i, j] of before.entries()) {
      const o = parsed[i];
      expect(o.name).toBe(j.ifname);
      expect(o.mac).toBe(j.address);
      // u64 counters: exact decimal strings.
      for (const dir of ['rx', 'tx'] as const) {
        for (const f of ['bytes', 'packets', 'errors', 'dropped'] as const) {
          expect(o.stats[`${dir}${f[0]!.toUpperCase()}${f.slice(1)}`], `${j.ifname} ${dir} ${f}`).toBe(String(j.stats64[dir][f]));
        }
      }
      const flags = j.flags as string[];
      expect({ up: o.up, promisc: o.promisc, arp: o.arp, allmulticast: o.allmulticast, multicast: o.multicast }, j.ifname).toEqual({
        up: flags.includes('UP'),
        promisc: flags.includes('PROMISC'),
        arp: !flags.includes('NOARP'),
        allmulticast: flags.includes('ALLMULTI'),
        multicast: flags.includes('MULTICAST'),
      });
      const data = j.linkinfo?.info_data;
      if (j.linkinfo?.info_kind === 'bridge') {
        // The bridge's u64 intervals (centiseconds) print as decimal strings.
        for (const k of ['mcast_last_member_intvl', 'mcast_membership_intvl', 'mcast_querier_intvl', 'mcast_query_intvl', 'mcast_query_response_intvl', 'mcast_startup_query_intvl']) {
          const camel = k.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
          expect(o.details[camel], k).toBe(String(data[k]));
        }
        for (const k of ['hello_timer', 'tcn_timer', 'topology_change_timer']) {
          const camel = k.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
          expect(o.details[camel], k).toBe(String(Math.round(data[k] * 100)));
        }
        expect(o.details.rootId.addr).toBe(j.address);
      }
      if (j.linkinfo?.info_kind === 'vxlan') expect(o.details).toMatchObject({ id: data.id, port: data.port, local: data.local });
      if (j.linkinfo?.info_kind === 'macvlan') expect(o.details.mode).toBe(data.mode);
    }
    expect(parsed.find((l) => l.name === 'v1').promisc).toBe(true);
  });

  it('links print in the console without undefined fields or bookkeeping', async () => {
    const br = await rt.links.get('br0');
    const text = inspect(br, { depth: 10 });
    expect(text).not.toContain('undefined');
    expect(text).not.toContain('order');
    expect(text).toContain("name: 'br0'");
    expect(text).toMatch(/rxBytes: \d+n/); // bigints stay bigints in the console
  });

  it('addresses serialize and match ip -j addr (scope as ip names it)', async () => {
    const parsed = roundTrip(await rt.addresses.list()) as any[];
    const expected = (ipJson(ns.name, 'addr', 'show') as any[]).flatMap((l) =>
      (l.addr_info as any[]).map((a) => ({ link: l.ifindex, family: a.family, address: a.local, prefixLength: a.prefixlen, scope: a.scope, label: a.label })),
    );
    const got = parsed.map((a) => ({ link: a.link, family: a.family, address: a.address, prefixLength: a.prefixLength, scope: a.scope, label: a.label }));
    const key = (x: { address: string }) => x.address;
    expect(got.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
    expect(got.map((a) => a.scope)).toContain('global');
  });

  it('routes serialize and match ip -j route (every table)', async () => {
    const parsed = roundTrip(await rt.routes.list({ table: 'all' })) as any[];
    const rows = (family: string, j: any[]) => j.filter((r) => r.table === undefined || r.table === 'main').map((r) => `${r.dst} ${r.scope ?? 'global'} ${r.gateway ?? ''}`);
    const hostLen = (d: string) => (d.includes('/') ? d : `${d}/${d.includes(':') ? 128 : 32}`);
    for (const [family, args] of [
      ['inet', ['route', 'show']],
      ['inet6', ['-6', 'route', 'show']],
    ] as const) {
      const ours = parsed.filter((r) => r.family === family && r.table === 254).map((r) => `${r.dst} ${r.scope} ${r.gateway ?? ''}`);
      const theirs = rows(family, ipJson(ns.name, ...args)).map((s) => s.replace(/^(\S+)/, (d) => (d === 'default' ? d : hostLen(d))));
      expect(ours.sort(), family).toEqual(theirs.sort());
    }
  });

  it('neighbours serialize and match ip -j neigh show nud all', async () => {
    // The kernel adds multicast entries (noarp) as links join groups: compare a
    // listing taken while `ip` saw no change before and after it.
    const ipRows = () => (ipJson(ns.name, 'neigh', 'show', 'nud', 'all') as any[]).map((n) => `${n.dst} ${n.lladdr} ${n.state.map((s: string) => s.toLowerCase()).join(',')}`).sort();
    let parsed: any[] = [];
    let theirs: string[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      theirs = ipRows();
      parsed = roundTrip(await rt.neighbors.list()) as any[];
      if (JSON.stringify(ipRows()) === JSON.stringify(theirs)) break;
    }
    expect(parsed.map((n) => `${n.address} ${n.mac} ${n.state.join(',')}`).sort()).toEqual(theirs);
    expect(theirs).toContain('10.1.0.9 02:00:00:00:00:09 permanent');
  });

  it('rules serialize; the default listing is what ip rule and ip -6 rule show', async () => {
    const parsed = roundTrip(await rt.rules.list()) as any[];
    const theirs = [...(ipJson(ns.name, 'rule', 'show') as any[]).map((r) => `inet ${r.priority}`), ...(ipJson(ns.name, '-6', 'rule', 'show') as any[]).map((r) => `inet6 ${r.priority}`)];
    expect(parsed.map((r) => `${r.family} ${r.priority}`).sort()).toEqual(theirs.sort());
    // The multicast-routing families only when asked for, and only those this kernel has
    // (each has default rules where it exists; a kernel without it refuses the family).
    const kernelHas = multicastRuleFamilies(ns.name);
    const all = roundTrip(await rt.rules.list({ family: 'all' })) as any[];
    const mr = all.filter((r) => r.family !== 'inet' && r.family !== 'inet6');
    expect(new Set(mr.map((r) => r.family))).toEqual(new Set(kernelHas));
    if (kernelHas.includes('ipmr')) {
      expect((await rt.rules.list({ family: 'ipmr' })).map((r) => r.family)).toEqual(mr.filter((r) => r.family === 'ipmr').map((r) => r.family));
    } else {
      await expect(rt.rules.list({ family: 'ipmr' })).rejects.toMatchObject({ code: 'EAFNOSUPPORT' });
    }
  });

  it('generic netlink replies serialize (netdev, ethtool)', async () => {
    const nd = await GenericFamily.open(netdev.netdevFamily, { netns: ns.name });
    try {
      const items = (await nd.dump('dev-get', {})).items;
      const parsed = roundTrip(items) as any[];
      expect(parsed.map((d) => d.ifindex).sort((a, b) => a - b)).toEqual((ipJson(ns.name, 'link', 'show') as any[]).map((l) => l.ifindex).sort((a, b) => a - b));
    } finally {
      nd.close();
    }
    const et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name });
    try {
      const parsed = roundTrip((await et.dump('linkinfo-get', {})).items) as any[];
      expect(parsed.map((x) => x.header.devName)).toContain('br0');
      const one = await et.do('linkinfo-get', { header: { devName: 'v0' } });
      expect(roundTrip(one).header.devName).toBe('v0');
    } finally {
      et.close();
    }
  });

  it('events and watch snapshots serialize', async () => {
    const view = await rt.watch('links');
    const sub = rt.subscribe(['link'], { keepAlive: true });
    try {
      ip(ns.name, 'link', 'add', 'ifb9', 'type', 'ifb');
      for await (const ev of sub) {
        if (ev.type === 'new' && ev.kind === 'link' && ev.object.name === 'ifb9') {
          const parsed = roundTrip(ev);
          expect(parsed).toMatchObject({ type: 'new', kind: 'link', object: { name: 'ifb9', kind: 'ifb' } });
          break;
        }
      }
      const snap = roundTrip(view.snapshot()) as any[];
      expect(snap.map((l) => l.name)).toEqual(expect.arrayContaining(['lo', 'br0', 'v0', 'v1', 'mv0', 'mt0', 'ifb0', 'vx0']));
    } finally {
      sub.close();
      view.close();
      ip(ns.name, 'link', 'del', 'ifb9');
    }
  });
});
