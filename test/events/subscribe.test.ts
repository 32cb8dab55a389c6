// rt.subscribe against the real kernel, in throwaway namespaces: every kind of
// change gives the right typed event, nothing leaks in from another
// namespace, `existing` lists first, and break / close / abort release the socket.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { ArgumentError } from '../../src/netlink/errors.js';
import type { RtnlEvent, Subscription } from '../../src/events/index.js';
import { describeKernel, ip, ipJson, kernelHandles, makeNetns } from '../helpers/kernel.js';
import { sleep, until } from './util.js';

type Change = Extract<RtnlEvent, { kind: string }>;
type ObjectOf<K extends Change['kind']> = Extract<Change, { kind: K }>['object'];
/** A matcher for a change of `kind` whose object passes `pred`. */
function is<K extends Change['kind']>(type: 'new' | 'del', kind: K, pred: (o: ObjectOf<K>) => boolean): (ev: RtnlEvent) => boolean {
  return (ev) => 'kind' in ev && ev.type === type && ev.kind === kind && pred(ev.object as ObjectOf<K>);
}

describeKernel('rt.subscribe', () => {
  let a: ReturnType<typeof makeNetns>;
  let b: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  let other: Rtnl;

  beforeAll(async () => {
    a = makeNetns('nlks');
    b = makeNetns('nlkt');
    rt = await Rtnl.open({ netns: a.name });
    other = await Rtnl.open({ netns: b.name });
    ip(a.name, 'link', 'add', 'eva', 'type', 'veth', 'peer', 'name', 'evb');
    ip(a.name, 'link', 'set', 'eva', 'up');
    ip(a.name, 'link', 'set', 'evb', 'up');
    // Start the process-wide poller (it stays), so descriptor counts below see only their own test.
    const warm = rt.subscribe(['link']);
    const w = warm.next();
    await sleep(20);
    warm.close();
    await w;
  });
  afterAll(() => {
    rt?.close();
    other?.close();
    a?.remove();
    b?.remove();
  });

  it('reports link add, set and delete — and nothing from another namespace', async () => {
    using sub = rt.subscribe(['link']);
    using subB = other.subscribe(['link']);
    // The same names in the other namespace, changed at the same time.
    ip(b.name, 'link', 'add', 'evl0', 'type', 'bridge');
    ip(a.name, 'link', 'add', 'evl0', 'type', 'bridge');
    const seen: RtnlEvent[] = [];
    const added = await until(sub, is('new', 'link', (l) => l.name === 'evl0'), 5000, seen);
    const index = (ipJson(a.name, 'link', 'show', 'dev', 'evl0') as any[])[0].ifindex;
    expect(added).toMatchObject({ type: 'new', kind: 'link', object: { name: 'evl0', index, kind: 'bridge', up: false } });
    ip(a.name, 'link', 'set', 'evl0', 'mtu', '1400', 'up');
    ip(b.name, 'link', 'set', 'evl0', 'mtu', '1300');
    await until(sub, is('new', 'link', (l) => l.index === index && l.mtu === 1400), 5000, seen);
    ip(a.name, 'link', 'del', 'evl0');
    ip(b.name, 'link', 'del', 'evl0');
    const deleted = await until(sub, is('del', 'link', (l) => l.index === index), 5000, seen);
    expect(deleted).toMatchObject({ type: 'del', kind: 'link', object: { name: 'evl0' } });
    // Namespace A never saw B's MTU 1300, and B's stream saw B's own link.
    for (const ev of seen) if ('kind' in ev && ev.kind === 'link') expect(ev.object.mtu).not.toBe(1300);
    await until(subB, is('new', 'link', (l) => l.name === 'evl0' && l.mtu === 1300));
    expect(sub.stats.overruns).toBe(0);
  });

  it('reports IPv4 and IPv6 address add and delete', async () => {
    using sub = rt.subscribe(['ipv4-addr', 'ipv6-addr']);
    const link = (ipJson(a.name, 'link', 'show', 'dev', 'eva') as any[])[0].ifindex;
    ip(a.name, 'addr', 'add', '10.20.0.1/24', 'dev', 'eva');
    const v4 = await until(sub, is('new', 'address', (x) => x.address === '10.20.0.1'));
    expect(v4).toMatchObject({ object: { family: 'inet', link, prefixLength: 24, label: 'eva' } });
    ip(a.name, 'addr', 'add', '2001:db8:20::1/64', 'dev', 'eva', 'nodad');
    const v6 = await until(sub, is('new', 'address', (x) => x.address === '2001:db8:20::1'));
    expect(v6).toMatchObject({ object: { family: 'inet6', link, prefixLength: 64 } });
    ip(a.name, 'addr', 'del', '10.20.0.1/24', 'dev', 'eva');
    await until(sub, is('del', 'address', (x) => x.address === '10.20.0.1' && x.prefixLength === 24));
    ip(a.name, 'addr', 'del', '2001:db8:20::1/64', 'dev', 'eva');
    await until(sub, is('del', 'address', (x) => x.address === '2001:db8:20::1'));
  });

  it('reports route add and delete in several tables, both families', async () => {
    using sub = rt.subscribe(['ipv4-route', 'ipv6-route']);
    ip(a.name, 'addr', 'add', '10.21.0.1/24', 'dev', 'eva');
    ip(a.name, 'route', 'add', '10.30.0.0/16', 'via', '10.21.0.2', 'table', '100');
    ip(a.name, 'route', 'add', 'blackhole', '10.31.0.0/16', 'table', '200', 'metric', '7');
    ip(a.name, '-6', 'route', 'add', 'unreachable', '2001:db8:30::/48', 'table', '300');
    const r1 = await until(sub, is('new', 'route', (r) => r.dst === '10.30.0.0/16'));
    expect(r1).toMatchObject({ object: { family: 'inet', table: 100, gateway: '10.21.0.2', type: 'unicast' } });
    const r2 = await until(sub, is('new', 'route', (r) => r.dst === '10.31.0.0/16'));
    expect(r2).toMatchObject({ object: { table: 200, type: 'blackhole', priority: 7 } });
    const r3 = await until(sub, is('new', 'route', (r) => r.dst === '2001:db8:30::/48'));
    expect(r3).toMatchObject({ object: { family: 'inet6', table: 300, type: 'unreachable' } });
    ip(a.name, 'route', 'del', '10.30.0.0/16', 'table', '100');
    ip(a.name, 'route', 'del', 'blackhole', '10.31.0.0/16', 'table', '200', 'metric', '7');
    ip(a.name, '-6', 'route', 'del', 'unreachable', '2001:db8:30::/48', 'table', '300');
    await until(sub, is('del', 'route', (r) => r.dst === '10.30.0.0/16' && r.table === 100));
    await until(sub, is('del', 'route', (r) => r.dst === '10.31.0.0/16' && r.table === 200));
    await until(sub, is('del', 'route', (r) => r.dst === '2001:db8:30::/48' && r.table === 300));
  });

  it('reports neighbour add and delete (ARP and NDP)', async () => {
    using sub = rt.subscribe(['neigh']);
    ip(a.name, 'neigh', 'add', '10.20.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'eva', 'nud', 'permanent');
    const n4 = await until(sub, is('new', 'neighbor', (n) => n.address === '10.20.0.9'));
    expect(n4).toMatchObject({ object: { family: 'inet', mac: '02:00:00:00:00:09', state: ['permanent'] } });
    ip(a.name, 'neigh', 'add', '2001:db8:20::9', 'lladdr', '02:00:00:00:00:0a', 'dev', 'eva', 'nud', 'reachable');
    const n6 = await until(sub, is('new', 'neighbor', (n) => n.address === '2001:db8:20::9'));
    expect(n6).toMatchObject({ object: { family: 'inet6', mac: '02:00:00:00:00:0a' } });
    ip(a.name, 'neigh', 'del', '10.20.0.9', 'dev', 'eva');
    await until(sub, is('del', 'neighbor', (n) => n.address === '10.20.0.9'));
    ip(a.name, 'neigh', 'del', '2001:db8:20::9', 'dev', 'eva');
    await until(sub, is('del', 'neighbor', (n) => n.address === '2001:db8:20::9'));
  });

  it('reports rule add and delete, both families', async () => {
    using sub = rt.subscribe(['ipv4-rule', 'ipv6-rule']);
    ip(a.name, 'rule', 'add', 'from', '10.40.0.0/16', 'table', '100', 'pref', '1000');
    ip(a.name, '-6', 'rule', 'add', 'to', '2001:db8:40::/48', 'table', '100', 'pref', '1001');
    const r4 = await until(sub, is('new', 'rule', (r) => r.priority === 1000));
    expect(r4).toMatchObject({ object: { family: 'inet', from: '10.40.0.0/16', table: 100, action: 'to_tbl' } });
    const r6 = await until(sub, is('new', 'rule', (r) => r.priority === 1001));
    expect(r6).toMatchObject({ object: { family: 'inet6', to: '2001:db8:40::/48', table: 100 } });
    ip(a.name, 'rule', 'del', 'pref', '1000');
    ip(a.name, '-6', 'rule', 'del', 'pref', '1001');
    await until(sub, is('del', 'rule', (r) => r.priority === 1000));
    await until(sub, is('del', 'rule', (r) => r.priority === 1001));
  });

  it('lists existing objects first with { existing: true }', async () => {
    using sub = rt.subscribe(['link', 'ipv4-addr'], { existing: true });
    const names = (ipJson(a.name, 'link', 'show') as any[]).map((l) => l.ifname).sort();
    const first: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const { value } = await sub.next();
      expect(value).toMatchObject({ type: 'new', kind: 'link' });
      first.push((value as Extract<Change, { kind: 'link' }>).object.name);
    }
    expect(first.sort()).toEqual(names);
    // Then lo's IPv4 address and eva's, then live changes.
    await until(sub, is('new', 'address', (x) => x.address === '127.0.0.1'), 2000);
    ip(a.name, 'link', 'add', 'evx0', 'type', 'bridge');
    await until(sub, is('new', 'link', (l) => l.name === 'evx0'));
    ip(a.name, 'link', 'del', 'evx0');
  });

  it('ends and releases its socket on break, close() and abort', async () => {
    const before = kernelHandles();
    // break
    const s1 = rt.subscribe(['link', 'ipv4-addr']);
    setTimeout(() => ip(a.name, 'link', 'set', 'eva', 'mtu', '1450'), 20);
    for await (const ev of s1) {
      if (ev.type === 'new') break;
    }
    // close() while next() waits
    const s2 = rt.subscribe(['link']);
    const pending = s2.next();
    await sleep(30);
    const t0 = Date.now();
    s2.close();
    expect((await pending).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(200);
    // abort while next() waits
    const ac = new AbortController();
    const s3: Subscription = rt.subscribe(['link'], { signal: ac.signal });
    const p3 = s3.next();
    setTimeout(() => ac.abort(), 20);
    expect((await p3).done).toBe(true);
    expect((await s3.next()).done).toBe(true);
    expect(kernelHandles()).toBe(before);
    ip(a.name, 'link', 'set', 'eva', 'mtu', '1500');
  });

  it('rejects unknown groups before opening anything', () => {
    const before = kernelHandles();
    expect(() => rt.subscribe(['nope' as never])).toThrow(ArgumentError);
    expect(() => rt.subscribe([])).toThrow(ArgumentError);
    expect(kernelHandles()).toBe(before);
  });
});
