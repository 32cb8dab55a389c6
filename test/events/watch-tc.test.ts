// Traffic control through the registry on the real kernel: a subscription to
// 'tc' carries qdisc, class and filter events whose objects are what list()
// returns, and views of qdiscs, classes and filters equal `tc … show` after a
// series of changes, after a resync, and after a root qdisc is deleted — which
// takes its classes, leaf qdiscs and filters along with one RTM_DELQDISC.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl, type Filter, type Qdisc, type TcClass } from '../../src/rtnl/index.js';
import type { RtnlEvent, WatchEvent } from '../../src/events/index.js';
import { sameObject } from '../../src/events/kinds.js';
import { classKind, filterKind, qdiscKind } from '../../src/registry/kinds/tc.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';
import { settle, until } from './util.js';

let ns: ReturnType<typeof makeNetns>;
let rt: Rtnl;
const names = new Map<number, string>();

function tc(...args: string[]): void {
  run('tc', ['-n', ns.name, ...args]);
}
function tcJson(...args: string[]): any[] {
  const out = run('tc', ['-n', ns.name, '-j', ...args]);
  return out.trim() ? JSON.parse(out) : [];
}
/** tc's printed rate ("1Mbit", "500Kbit") in bits per second. */
function tcRate(text: string): number {
  const m = /^([\d.]+)([KMG]?)bit$/.exec(text)!;
  return Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'K' | 'M' | 'G'];
}
const devName = (index: number) => names.get(index) ?? String(index);

/** Qdiscs as `tc -j qdisc show` has them: device, kind, handle, place. */
function theirQdiscs(): string[] {
  return tcJson('qdisc', 'show')
    .map((t) => `${t.dev} ${t.kind} ${t.handle} ${t.root ? 'root' : t.parent}`)
    .sort();
}
function ourQdiscs(qs: readonly Qdisc[]): string[] {
  return qs.map((q) => `${devName(q.dev)} ${q.kind} ${q.handle} ${q.parent === 'ingress' || q.parent === 'clsact' ? 'ffff:fff1' : q.parent}`).sort();
}
/** Classes of every device as `tc class show` prints them (tc prints htb classes as text even with -j): device, id, parent, leaf, rate. */
function theirClasses(): string[] {
  const out: string[] = [];
  for (const dev of names.values()) {
    for (const line of run('tc', ['-n', ns.name, 'class', 'show', 'dev', dev]).split('\n')) {
      const m = /^class (\S+) (\S+) (root|parent (\S+))(?: leaf (\S+))?.* rate (\S+)/.exec(line);
      if (m) out.push(`${dev} ${m[1]} ${m[2]} ${m[4] ?? 'root'} ${m[5] ?? '-'} ${tcRate(m[6]!)}`);
    }
  }
  return out.sort();
}
function ourClasses(cs: readonly TcClass[]): string[] {
  return cs.map((c) => `${devName(c.dev)} ${c.kind} ${c.classid} ${c.parent} ${c.leaf ?? '-'} ${(c.options as { rate?: number } | undefined)?.rate}`).sort();
}
/** Filters of the blocks each device has, as `tc -j filter show dev D parent P` lists them: u32's priority, hash table and node entries alike. */
function theirFilters(): string[] {
  const out: string[] = [];
  for (const dev of names.values()) {
    for (const q of tcJson('qdisc', 'show', 'dev', dev)) {
      if (q.handle === '0:') continue;
      for (const f of tcJson('filter', 'show', 'dev', dev, 'parent', q.handle)) out.push(`${dev} ${q.handle} ${f.pref} ${f.protocol} ${f.kind} ${f.options?.fh ?? '-'} ${f.chain}`);
    }
  }
  return out.sort();
}
function ourFilters(fs: readonly Filter[]): string[] {
  return fs.map((f) => `${devName(f.dev)} ${f.parent} ${f.priority} ${f.protocol} ${f.kind} ${f.handle ?? '-'} ${f.chain}`).sort();
}

describeKernel('tc objects in the registry: subscribe and watch', () => {
  beforeAll(async () => {
    ns = makeNetns('nlkwtc');
    ip(ns.name, 'link', 'add', 'tca', 'type', 'veth', 'peer', 'name', 'tcb');
    ip(ns.name, 'link', 'set', 'tca', 'up');
    ip(ns.name, 'link', 'set', 'tcb', 'up');
    for (const l of ipJson(ns.name, 'link', 'show') as any[]) names.set(l.ifindex, l.ifname);
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it("subscribe(['tc']): add, change and delete of qdiscs, classes and u32 filters, each object what list() returns", async () => {
    const sub = rt.subscribe(['tc']);
    const seen: RtnlEvent[] = [];
    const next = <K extends 'qdisc' | 'class' | 'filter'>(type: 'new' | 'del', kind: K, match: (o: any) => boolean) =>
      until(sub, (e) => e.type === type && e.kind === kind && match(e.object), 5000, seen) as Promise<Extract<RtnlEvent, { kind: K }>>;
    const tca = [...names].find(([, n]) => n === 'tca')![0];
    /** The event's object equals the one list() returns now, counters aside (the view's own comparison). */
    const same = async <O>(object: O, listed: readonly O[], volatile: ReadonlySet<string>) => {
      expect(listed).toHaveLength(1);
      expect(sameObject(object, listed[0], volatile)).toBe(true);
    };
    try {
      tc('qdisc', 'add', 'dev', 'tca', 'root', 'handle', '1:', 'htb', 'default', '10');
      const htb = await next('new', 'qdisc', (q) => q.kind === 'htb' && q.dev === tca);
      // The root it replaced went with a DEL.
      expect(seen.some((e) => e.type === 'del' && e.kind === 'qdisc' && e.object.kind === 'noqueue' && e.object.dev === tca)).toBe(true);
      await same(htb.object, await rt.qdiscs.list({ dev: 'tca', handle: '1:' }), qdiscKind.volatile);
      expect(htb.object).toMatchObject({ handle: '1:', parent: 'root', options: { defaultClass: 0x10 } });

      tc('class', 'add', 'dev', 'tca', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10mbit');
      tc('class', 'add', 'dev', 'tca', 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', '1mbit');
      const c10 = await next('new', 'class', (c) => c.classid === '1:10');
      expect(c10.object).toMatchObject({ kind: 'htb', parent: '1:1', options: { rate: 1e6 } });
      await same(c10.object, await rt.classes.list({ dev: 'tca', classid: '1:10' }), classKind.volatile);
      tc('class', 'change', 'dev', 'tca', 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', '2mbit');
      const changed = await next('new', 'class', (c) => c.classid === '1:10' && c.options?.rate === 2e6);
      await same(changed.object, await rt.classes.list({ dev: 'tca', classid: '1:10' }), classKind.volatile);

      tc('qdisc', 'add', 'dev', 'tca', 'parent', '1:10', 'handle', '20:', 'pfifo', 'limit', '50');
      const leaf = await next('new', 'qdisc', (q) => q.handle === '20:');
      expect(leaf.object).toMatchObject({ kind: 'pfifo', parent: '1:10', options: { limit: 50 } });
      await same(leaf.object, await rt.qdiscs.list({ dev: 'tca', handle: '20:' }), qdiscKind.volatile);
      tc('qdisc', 'add', 'dev', 'tca', 'ingress');
      const ingress = await next('new', 'qdisc', (q) => q.kind === 'ingress');
      expect(ingress.object).toMatchObject({ handle: 'ffff:', parent: 'ingress' });

      tc('filter', 'add', 'dev', 'tca', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.1/32', 'flowid', '1:10');
      const node = await next('new', 'filter', (f) => f.parent === '1:' && f.handle === '800::800');
      expect(node.object).toMatchObject({ kind: 'u32', priority: 1, protocol: 'ip', chain: 0, options: { classid: '1:10' } });
      await same(node.object, (await rt.filters.list({ dev: 'tca', parent: '1:' })).filter((f) => f.handle === '800::800'), filterKind.volatile);
      tc('filter', 'add', 'dev', 'tca', 'parent', 'ffff:', 'protocol', 'ip', 'prio', '2', 'u32', 'match', 'ip', 'src', '10.0.0.3/32', 'flowid', '1:1');
      const onIngress = await next('new', 'filter', (f) => f.parent === 'ffff:');
      expect(onIngress.object).toMatchObject({ kind: 'u32', priority: 2, handle: '800::800' });

      // Deleting a priority: one DEL for the whole priority (handle 0), the entry list() shows first.
      tc('filter', 'del', 'dev', 'tca', 'parent', '1:', 'prio', '1');
      const gone = await next('del', 'filter', (f) => f.parent === '1:');
      expect(gone.object).toMatchObject({ kind: 'u32', priority: 1, protocol: 'ip', handle: undefined });
      tc('class', 'del', 'dev', 'tca', 'classid', '1:10');
      await next('del', 'class', (c) => c.classid === '1:10');
      tc('qdisc', 'del', 'dev', 'tca', 'root');
      await next('del', 'qdisc', (q) => q.kind === 'htb' && q.handle === '1:');
      tc('qdisc', 'del', 'dev', 'tca', 'ingress');
      await next('del', 'qdisc', (q) => q.kind === 'ingress');
    } finally {
      sub.close();
    }
  });

  it("watch('qdiscs' | 'classes' | 'filters'): equal to tc after a series of changes, after resync, and after the root qdisc goes", async () => {
    await using qv = await rt.watch('qdiscs');
    await using cv = await rt.watch('classes');
    await using fv = await rt.watch('filters');
    const matches = () =>
      ourQdiscs(qv.snapshot()).join() === theirQdiscs().join() && ourClasses(cv.snapshot()).join() === theirClasses().join() && ourFilters(fv.snapshot()).join() === theirFilters().join();
    const expectMatch = async () => {
      await settle(matches, 5000);
      expect(ourQdiscs(qv.snapshot())).toEqual(theirQdiscs());
      expect(ourClasses(cv.snapshot())).toEqual(theirClasses());
      expect(ourFilters(fv.snapshot())).toEqual(theirFilters());
    };
    await expectMatch();
    const classEvents: WatchEvent<TcClass>[] = [];
    const reader = (async () => {
      for await (const ev of cv) classEvents.push(ev);
    })();

    for (const dev of ['tca', 'tcb']) {
      tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10');
      tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10mbit');
      tc('class', 'add', 'dev', dev, 'parent', '1:1', 'classid', '1:10', 'htb', 'rate', '1mbit');
      tc('class', 'add', 'dev', dev, 'parent', '1:1', 'classid', '1:20', 'htb', 'rate', '3mbit');
      tc('qdisc', 'add', 'dev', dev, 'parent', '1:10', 'handle', '20:', 'bfifo', 'limit', '10kb');
      tc('filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.1/32', 'flowid', '1:10');
      tc('filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.2/32', 'flowid', '1:20');
      tc('filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ipv6', 'prio', '3', 'u32', 'match', 'u32', '0', '0', 'flowid', '1:20');
    }
    tc('qdisc', 'add', 'dev', 'tca', 'ingress');
    tc('filter', 'add', 'dev', 'tca', 'parent', 'ffff:', 'protocol', 'ip', 'prio', '2', 'u32', 'match', 'ip', 'src', '10.0.0.3/32', 'flowid', '1:1');
    tc('class', 'change', 'dev', 'tca', 'parent', '1:1', 'classid', '1:20', 'htb', 'rate', '4mbit');
    tc('qdisc', 'replace', 'dev', 'tcb', 'parent', '1:10', 'handle', '30:', 'pfifo', 'limit', '7');
    tc('filter', 'del', 'dev', 'tcb', 'parent', '1:', 'prio', '3');
    tc('filter', 'del', 'dev', 'tca', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'handle', '800::801', 'u32');
    await expectMatch();
    expect(ourClasses(cv.snapshot()).filter((c) => c.startsWith('tca htb 1:20 '))).toEqual(['tca htb 1:20 1:1 - 4000000']);
    expect(ourFilters(fv.snapshot())).toContain('tca ffff: 2 ip u32 800::800 0');
    // Each step alone (the commands above ran in one burst: a single re-dump after it covered them all).
    // A first child makes 1:20 an inner class: the leaf qdisc put in it goes, unannounced.
    tc('qdisc', 'add', 'dev', 'tcb', 'parent', '1:20', 'handle', '40:', 'pfifo');
    await expectMatch();
    expect(ourQdiscs(qv.snapshot())).toContain('tcb pfifo 40: 1:20');
    tc('class', 'add', 'dev', 'tcb', 'parent', '1:20', 'classid', '1:21', 'htb', 'rate', '1mbit');
    await expectMatch();
    expect(ourQdiscs(qv.snapshot())).not.toContain('tcb pfifo 40: 1:20');
    // A priority deleted: its u32 nodes go with one RTM_DELTFILTER for the priority.
    tc('filter', 'del', 'dev', 'tcb', 'parent', '1:', 'prio', '1');
    await expectMatch();
    expect(ourFilters(fv.snapshot()).filter((f) => f.startsWith('tcb '))).toEqual([]);

    // A resync finds nothing new: the views were exact.
    const synthetic = [qv.stats.synthetic, cv.stats.synthetic, fv.stats.synthetic];
    await Promise.all([qv.resync(), cv.resync(), fv.resync()]);
    expect([qv.stats.synthetic, cv.stats.synthetic, fv.stats.synthetic]).toEqual(synthetic);
    await expectMatch();

    // One RTM_DELQDISC: the classes, the bfifo leaf and the filters under tca's root go silently, and noqueue comes back.
    const before = classEvents.length;
    tc('qdisc', 'del', 'dev', 'tca', 'root');
    await expectMatch();
    expect(ourClasses(cv.snapshot()).filter((c) => c.startsWith('tca '))).toEqual([]);
    expect(ourFilters(fv.snapshot()).filter((f) => f.startsWith('tca '))).toEqual(['tca ffff: 2 ip u32 - 0', 'tca ffff: 2 ip u32 800: 0', 'tca ffff: 2 ip u32 800::800 0']);
    expect(ourQdiscs(qv.snapshot()).filter((q) => q.startsWith('tca '))).toEqual(['tca ingress ffff: ffff:fff1', 'tca noqueue 0: root']);
    await settle(() => classEvents.filter((e) => e.type === 'del').length - before >= 3 || false, 2000);
    expect(
      classEvents
        .slice(before)
        .filter((e) => e.type === 'del')
        .map((e) => e.object.classid)
        .sort(),
    ).toEqual(['1:1', '1:10', '1:20']);
    cv.close();
    await reader;
  });

  it('counters, htb tokens and u32 hit counts are volatile: traffic changes them, a resync emits nothing', async () => {
    // A veth pair of its own, so this case holds alone.
    ip(ns.name, 'link', 'add', 'tcc', 'type', 'veth', 'peer', 'name', 'tcd');
    ip(ns.name, 'link', 'set', 'tcc', 'up');
    ip(ns.name, 'link', 'set', 'tcd', 'up');
    const tcc = ipJson(ns.name, 'link', 'show', 'dev', 'tcc')[0].ifindex as number;
    tc('qdisc', 'add', 'dev', 'tcc', 'root', 'handle', '1:', 'htb', 'default', '10');
    tc('class', 'add', 'dev', 'tcc', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '100mbit');
    tc('filter', 'add', 'dev', 'tcc', 'parent', '1:', 'protocol', 'all', 'prio', '5', 'u32', 'match', 'u32', '0', '0', 'flowid', '1:10');
    ip(ns.name, 'addr', 'add', '10.77.0.1/24', 'dev', 'tcc');
    ip(ns.name, 'addr', 'add', '10.77.0.2/24', 'dev', 'tcd');
    await using qv = await rt.watch('qdiscs', (q) => q.dev === tcc);
    await using cv = await rt.watch('classes', (c) => c.dev === tcc);
    await using fv = await rt.watch('filters', (f) => f.dev === tcc, { refreshInterval: 100 });
    const bytesBefore = qv.snapshot()[0]!.stats!.bytes;
    expect([qv.size, cv.size, fv.size]).toEqual([1, 1, 3]);
    // Datagrams out of tcc (its neighbour resolution too) pass the htb root, class 1:10 and the u32 filter.
    for (let i = 0; i < 5; i++) run('ip', ['netns', 'exec', ns.name, 'bash', '-c', 'echo x > /dev/udp/10.77.0.9/9 || true']);
    const [listed] = await rt.qdiscs.list({ dev: 'tcc', handle: '1:' });
    expect(listed!.stats!.bytes).toBeGreaterThan(bytesBefore);
    const synthetic = [qv.stats.synthetic, cv.stats.synthetic, fv.stats.synthetic];
    await Promise.all([qv.resync(), cv.resync(), fv.resync()]);
    // refreshInterval re-dumps the filter view on its own, and finds nothing either.
    await settle(() => fv.stats.resyncs >= 3, 3000);
    expect(fv.stats.resyncs).toBeGreaterThanOrEqual(3);
    expect([qv.stats.synthetic, cv.stats.synthetic, fv.stats.synthetic]).toEqual(synthetic);
  });
  it("subscribe(['tc'], { existing: true }) first yields what the three list() calls return", async () => {
    const expected = [
      ...(await rt.qdiscs.list()).map((q) => `qdisc ${q.dev} ${q.handle} ${q.parent}`),
      ...(await rt.classes.list()).map((c) => `class ${c.dev} ${c.classid}`),
      ...(await rt.filters.list()).map((f) => `filter ${f.dev} ${f.parent} ${f.priority} ${f.handle}`),
    ].sort();
    // Classes and filters of several devices and blocks: the listing goes device by device and block by block.
    expect(expected.filter((e) => e.startsWith('class ')).length).toBeGreaterThan(2);
    expect(new Set(expected.filter((e) => e.startsWith('filter ')).map((e) => e.split(' ').slice(1, 3).join(' '))).size).toBeGreaterThan(1);
    const sub = rt.subscribe(['tc'], { existing: true });
    try {
      const got: string[] = [];
      for (let i = 0; i < expected.length; i++) {
        const ev = await until(sub, () => true, 5000);
        if (ev.type !== 'new') throw new Error(`expected the existing objects first, got ${ev.type}`);
        if (ev.kind === 'qdisc') got.push(`qdisc ${ev.object.dev} ${ev.object.handle} ${ev.object.parent}`);
        else if (ev.kind === 'class') got.push(`class ${ev.object.dev} ${ev.object.classid}`);
        else if (ev.kind === 'filter') got.push(`filter ${ev.object.dev} ${ev.object.parent} ${ev.object.priority} ${ev.object.handle}`);
      }
      expect(got.sort()).toEqual(expected);
    } finally {
      sub.close();
    }
  });
});
