// rt.qdiscs / rt.classes / rt.filters on the real kernel, in a namespace of their
// own, cross-checked with iproute2: `tc -j qdisc show`, `tc -d class show` (tc 6.1
// prints htb classes as text even with -j) and `tc -j filter show`. What this
// kernel has: htb, pfifo, bfifo, tbf, ingress, clsact, u32 and mirred; what it
// lacks (netem, fq_codel, prio, flower, matchall, gact) is refused with the
// kernel's extended ACK and leaves nothing behind.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl } from '../../src/rtnl/index.js';
import { KernelError } from '../../src/netlink/index.js';
import { toJSONValue } from '../../src/codec/json.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

let ns: ReturnType<typeof makeNetns>;
let rt: Rtnl;
let p0: number;
let p1: number;

function tcJson(...args: string[]): any[] {
  const out = run('tc', ['-n', ns.name, '-j', ...args]);
  return out.trim() ? JSON.parse(out) : [];
}
function tcText(...args: string[]): string {
  return run('tc', ['-n', ns.name, ...args]);
}
/** An object without its counters and raw attributes: what must survive a round trip. */
function essence<T extends object>(o: T): Record<string, unknown> {
  const { stats: _s, attrs: _a, ...rest } = o as Record<string, unknown>;
  return toJSONValue(rest) as Record<string, unknown>;
}
/** tc's printed rate ("1Mbit", "500Kbit", "2Gbit") in bits per second. */
function tcRate(text: string): number {
  const m = /^([\d.]+)([KMG]?)bit$/.exec(text)!;
  return Number(m[1]) * { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'K' | 'M' | 'G'];
}
/** tc's printed size ("15Kb", "1600b") in bytes. */
function tcSize(text: string): number {
  const m = /^([\d.]+)(Kb|Mb|b)$/.exec(text)!;
  return Number(m[1]) * { b: 1, Kb: 1024, Mb: 1024 * 1024 }[m[2] as 'b' | 'Kb' | 'Mb'];
}

describeKernel('traffic control on the kernel, against tc', () => {
  beforeAll(async () => {
    ns = makeNetns('nlktc');
    ip(ns.name, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    p0 = ipJson(ns.name, 'link', 'show', 'dev', 'p0')[0].ifindex;
    p1 = ipJson(ns.name, 'link', 'show', 'dev', 'p1')[0].ifindex;
    rt = await Rtnl.open({ netns: ns.name });
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('qdiscs: htb root with a pfifo leaf, bfifo, tbf, ingress, clsact — list() says what tc -j qdisc show says', async () => {
    await rt.qdiscs.add({ dev: 'p0', parent: 'root', handle: '1:', kind: 'htb', options: { defaultClass: 0x10, r2q: 5 } });
    await rt.classes.add({ dev: 'p0', parent: '1:', classid: '1:10', kind: 'htb', options: { rate: '1mbit' } });
    await rt.qdiscs.add({ dev: 'p0', parent: '1:10', handle: '20:', kind: 'pfifo', options: { limit: 50 } });
    await rt.qdiscs.add({ dev: 'p0', kind: 'ingress' });
    await rt.qdiscs.add({ dev: p1, handle: '2:', kind: 'bfifo', options: { limit: '10kb' } });
    expect(tcJson('qdisc', 'show', 'dev', 'p1')[0]).toMatchObject({ kind: 'bfifo', handle: '2:', options: { limit: 10240 } });
    await rt.qdiscs.replace({ dev: 'p1', handle: '3:', kind: 'tbf', options: { rate: '1mbit', burst: '10kb', latency: '50ms' } });
    await rt.qdiscs.add({ dev: 'p1', kind: 'clsact' });

    const ours = await rt.qdiscs.list();
    const theirs = tcJson('qdisc', 'show');
    const name = (index: number) => (index === p0 ? 'p0' : index === p1 ? 'p1' : 'lo');
    expect(ours.map((q) => `${name(q.dev)} ${q.kind} ${q.handle}`).sort()).toEqual(theirs.map((t) => `${t.dev} ${t.kind} ${t.handle}`).sort());
    for (const q of ours) {
      const t = theirs.find((x) => x.dev === name(q.dev) && x.handle === q.handle)!;
      expect(q.parent === 'root').toBe(t.root === true);
      if (q.parent === 'ingress' || q.parent === 'clsact') expect(t.parent).toBe('ffff:fff1');
      else if (q.parent !== 'root') expect(q.parent).toBe(t.parent);
      if (q.kind === 'htb') {
        expect(q.options).toEqual({ defaultClass: 0x10, r2q: 5, directQlen: t.options.direct_qlen, offload: undefined });
        expect(`0x${q.options!.defaultClass!.toString(16)}`).toBe(t.options.default);
      }
      if (q.kind === 'pfifo' || q.kind === 'bfifo') expect(q.options!.limit).toBe(t.options.limit);
      if (q.kind === 'tbf') {
        // tc -j prints the rate in bytes per second; nlkit in bits.
        expect(q.options!.rate).toBe(t.options.rate * 8);
        expect(q.options!.burst).toBe(10240);
        expect(q.options!.burst).toBe(t.options.burst);
        expect(q.options!.limit).toBe(1e6 / 8 * 0.05 + 10240); // what arrives in 50 ms at 1mbit, plus the bucket
      }
    }
    expect(ours.find((q) => q.kind === 'clsact')!.parent).toBe('clsact');
    expect(ours.find((q) => q.kind === 'ingress')!.parent).toBe('ingress');
    // JSON-clean: what JSON.stringify writes parses back to the same data.
    expect(JSON.parse(JSON.stringify(ours))).toEqual(toJSONValue(ours));
    expect(typeof ours[0]!.stats!.bytes).toBe('bigint');
    // Filters hold.
    expect((await rt.qdiscs.list({ dev: 'p1' })).map((q) => q.kind).sort()).toEqual(['clsact', 'tbf']);
    expect((await rt.qdiscs.list({ kind: 'htb' })).map((q) => q.handle)).toEqual(['1:']);
    expect((await rt.qdiscs.list({ parent: '1:10' })).map((q) => q.handle)).toEqual(['20:']);
    expect((await rt.qdiscs.list({ dev: 'p0', parent: 'ingress' })).map((q) => q.kind)).toEqual(['ingress']);
  });

  it('qdiscs round trip: a listed qdisc deleted and added back from its own fields is listed the same', async () => {
    for (const kind of ['tbf', 'pfifo'] as const) {
      const [before] = await rt.qdiscs.list({ kind });
      await rt.qdiscs.delete(before!);
      expect(tcJson('qdisc', 'show').some((t) => t.kind === kind)).toBe(false);
      const { dev, parent, handle, options } = before!;
      await rt.qdiscs.add({ dev, parent, handle, kind, options } as never);
      const [after] = await rt.qdiscs.list({ kind });
      expect(essence(after!)).toEqual(essence(before!));
    }
  });

  it('classes: htb classes with rates, bursts, prio — list() says what tc -d class show says; replace changes one; round trip', async () => {
    await rt.classes.add({ dev: 'p0', parent: '1:10', classid: '1:20', kind: 'htb', options: { rate: '500kbit', ceil: '2mbit', burst: '15k', prio: 2 } });
    await rt.classes.add({ dev: p0, classid: '1:30', kind: 'htb', options: { rate: 100_000, quantum: 1500 } });
    const text = tcText('-d', 'class', 'show', 'dev', 'p0');
    const ours = await rt.classes.list({ dev: 'p0' });
    expect(ours.map((c) => c.classid).sort()).toEqual(['1:10', '1:20', '1:30']);
    for (const c of ours) {
      const line = text.split('\n').find((l) => l.startsWith(`class htb ${c.classid} `))!;
      const field = (name: string) => new RegExp(`\\b${name} (\\S+?)(?:/\\d+)? `).exec(line)?.[1];
      expect(c.kind).toBe('htb');
      expect(c.parent).toBe(line.includes(' root ') ? 'root' : field('parent'));
      expect(c.leaf).toBe(field('leaf'));
      expect(c.options!.rate).toBe(tcRate(field('rate')!));
      expect(c.options!.ceil).toBe(tcRate(field('ceil')!));
      expect(c.options!.burst).toBe(tcSize(field('burst')!));
      expect(c.options!.cburst).toBe(tcSize(field('cburst')!));
      if (field('quantum') !== undefined) expect(c.options!.quantum).toBe(Number(field('quantum')));
      if (field('prio') !== undefined) expect(c.options!.prio).toBe(Number(field('prio')));
    }
    const c20 = ours.find((c) => c.classid === '1:20')!;
    expect(c20.options).toMatchObject({ rate: 500_000, ceil: 2_000_000, burst: 15360, prio: 2, linklayer: 'ethernet' });
    expect(c20.parent).toBe('1:10');
    expect((await rt.classes.list({ parent: '1:10' })).map((c) => c.classid)).toEqual(['1:20']);
    expect((await rt.classes.list({ classid: '1:30' })).map((c) => c.options!.quantum)).toEqual([1500]);
    // Every device's classes without a dev.
    expect((await rt.classes.list()).length).toBe(ours.length + (await rt.classes.list({ dev: 'p1' })).length);

    await rt.classes.replace({ dev: 'p0', parent: '1:10', classid: '1:20', kind: 'htb', options: { rate: '600kbit', ceil: '2mbit', burst: '15k', prio: 2 } });
    expect(tcText('class', 'show', 'dev', 'p0', 'classid', '1:20')).toMatch(/rate 600Kbit ceil 2Mbit/);

    const [before] = await rt.classes.list({ classid: '1:20' });
    await rt.classes.delete(before!);
    expect(tcText('class', 'show', 'dev', 'p0')).not.toMatch(/1:20/);
    const { dev, parent, classid, options } = before!;
    await rt.classes.add({ dev, parent, classid, kind: 'htb', options: options! });
    expect(essence((await rt.classes.list({ classid: '1:20' }))[0]!)).toEqual(essence(before!));
  });

  it('filters: u32 matches with a class and with a mirred action — list() says what tc -j filter show says; delete by a listed entry', async () => {
    await rt.filters.add({ dev: 'p0', parent: '1:', protocol: 'ip', priority: 1, kind: 'u32', options: { ip: { dst: '10.0.0.1/32', dport: 80 }, classid: '1:10' } });
    await rt.filters.add({
      dev: 'p0',
      parent: 'ingress',
      protocol: 'ip',
      priority: 3,
      kind: 'u32',
      options: { ip: { src: '10.0.0.0/8', protocol: 'udp' }, actions: [{ kind: 'mirred', action: 'redirect', direction: 'egress', dev: 'p1' }] },
    });
    const theirs = [...tcJson('filter', 'show', 'dev', 'p0'), ...tcJson('filter', 'show', 'dev', 'p0', 'ingress')];
    const ours = await rt.filters.list({ dev: 'p0' });
    expect(ours).toHaveLength(theirs.length);
    for (const f of ours) {
      const t = theirs.find((x) => x.pref === f.priority && (x.options?.fh ?? undefined) === f.handle)!;
      expect(t).toBeDefined();
      expect(f.kind).toBe(t.kind);
      expect(f.protocol).toBe(t.protocol);
      if (f.kind !== 'u32') throw new Error(`only u32 filters were added, not ${f.kind}`);
      if (f.options?.divisor !== undefined) expect(f.options.divisor).toBe(t.options.ht_divisor);
      if (f.options?.keys === undefined) continue;
      expect(f.options.classid).toBe(t.options.flowid);
      // tc -j repeats the "match" key; its parse keeps the last match.
      const last = f.options.keys.at(-1)!;
      expect({ value: last.value.toString(16), mask: last.mask.toString(16), off: last.offset }).toEqual({ value: t.options.match.value, mask: t.options.match.mask, off: t.options.match.off });
      if (t.options.actions) expect(f.options.actions).toEqual([{ kind: 'mirred', action: 'redirect', direction: 'egress', dev: p1 }]);
    }
    const u32s = ours.flatMap((f) => (f.kind === 'u32' ? [f] : []));
    const node = u32s.find((f) => f.priority === 1 && f.handle === '800::800')!;
    expect(node.parent).toBe('1:');
    expect(node.options!.keys).toEqual([
      { value: 0x0a000001, mask: 0xffffffff, offset: 16 },
      { value: 80, mask: 0xffff, offset: 20 },
    ]);
    expect(u32s.find((f) => f.priority === 3 && f.options?.keys)!.parent).toBe('ingress');
    expect((await rt.filters.list({ dev: 'p0', parent: 'ingress' })).every((f) => f.priority === 3)).toBe(true);
    expect((await rt.filters.list({ dev: 'p0', priority: 1 })).every((f) => f.priority === 1)).toBe(true);
    expect(JSON.parse(JSON.stringify(ours))).toEqual(toJSONValue(ours));

    // Round trip: the node deleted (with its priority), added back from its listed fields.
    await rt.filters.delete(ours.find((f) => f.priority === 1 && f.handle === undefined)!);
    expect(tcJson('filter', 'show', 'dev', 'p0').length).toBe(0);
    await rt.filters.add({ dev: node.dev, parent: node.parent, protocol: node.protocol, priority: node.priority, kind: 'u32', options: node.options! });
    const again = (await rt.filters.list({ dev: 'p0', priority: 1 })).find((f) => f.handle === '800::800')!;
    expect(essence(again)).toEqual(essence(node));
    // One node by handle and kind.
    await rt.filters.delete(again);
    expect(tcJson('filter', 'show', 'dev', 'p0').some((t) => t.options?.fh === '800::800')).toBe(false);
  });

  it('refusals carry the kernel errno and extended ACK, and leave tc showing what it showed before', async () => {
    const state = () => [tcJson('qdisc', 'show'), tcText('class', 'show', 'dev', 'p0'), tcJson('filter', 'show', 'dev', 'p0', 'ingress')];
    const before = state();
    const refused = async (p: Promise<unknown>) => {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelError);
      return err as KernelError;
    };
    // Kinds this kernel lacks.
    const netem = await refused(rt.qdiscs.replace({ dev: 'p1', handle: '9:', kind: 'netem', options: { delay: '10ms' } }));
    expect(netem.code).toBe('ENOENT');
    expect(netem.ack.message).toMatch(/^Specified qdisc kind is unknown/);
    const flower = await refused(rt.filters.add({ dev: 'p1', parent: 'ingress', protocol: 'ip', priority: 9, kind: 'flower', options: { ipProto: 'tcp', dstPort: 22 } }));
    expect(flower.ack.message).toMatch(/^TC classifier not found/);
    const gact = await refused(rt.filters.add({ dev: 'p0', parent: 'ingress', priority: 9, kind: 'u32', options: { actions: [{ kind: 'gact', action: 'drop' }] } }));
    expect(gact.ack.message).toMatch(/action/i);
    // What exists already, and what does not exist.
    expect((await refused(rt.qdiscs.add({ dev: 'p0', kind: 'ingress' }))).code).toBe('EEXIST');
    const noParent = await refused(rt.classes.add({ dev: 'p0', parent: '5:', classid: '5:1', kind: 'htb', options: { rate: '1mbit' } }));
    expect(noParent.code).toBe('ENOENT');
    // The kernel's ENOENT says nothing more: the message names the missing qdisc.
    expect(noParent.message).toMatch(/^RTM_NEWTCLASS "5:1" on "p0": there is no qdisc 5: on the device .*kernel: ENOENT/);
    // A parent class that does not exist: htb would quietly make 1:77 a top-level class (tc does); nlkit asks first.
    const noParentClass = await refused(rt.classes.add({ dev: 'p0', parent: '1:66', classid: '1:77', kind: 'htb', options: { rate: '1mbit' } }));
    expect(noParentClass.code).toBe('ENOENT');
    expect(noParentClass.message).toMatch(/^RTM_NEWTCLASS "1:77" on "p0": its parent class 1:66 does not exist .*kernel: ENOENT/);
    const noQdisc = await refused(rt.filters.add({ dev: 'p1', parent: '7:', protocol: 'ip', priority: 1, kind: 'u32', options: { classid: '7:1' } }));
    expect(noQdisc.ack.message).toMatch(/Parent Qdisc doesn't exists/);
    expect((await refused(rt.filters.delete({ dev: 'p0', parent: 'ingress', priority: 77 }))).code).toBe('ENOENT');
    // htb cannot change in place (its qdisc has no change operation).
    const change = await refused(rt.qdiscs.replace({ dev: 'p0', handle: '1:', kind: 'htb', options: { defaultClass: 0x20 } }));
    expect(change.ack.message).toMatch(/Change operation not supported/);
    // A mirred target that does not exist: the lookup fails before the filter is sent.
    const noDev = await refused(rt.filters.add({ dev: 'p0', parent: 'ingress', priority: 9, kind: 'u32', options: { actions: [{ kind: 'mirred', action: 'mirror', direction: 'egress', dev: 'nosuch0' }] } }));
    expect(noDev.code).toBe('ENODEV');
    expect(state()).toEqual(before);
  });

  it('delete takes the whole tree: the root htb with its classes, leaf and filters', async () => {
    const [root] = await rt.qdiscs.list({ dev: 'p0', parent: 'root' });
    expect(root!.kind).toBe('htb');
    await rt.qdiscs.delete(root!);
    // The device is down: its default root qdisc (noop) is one tc does not show either.
    expect(tcJson('qdisc', 'show', 'dev', 'p0').map((t) => t.kind)).toEqual(['ingress']);
    expect((await rt.qdiscs.list({ dev: 'p0' })).map((q) => q.kind)).toEqual(['ingress']);
    expect(await rt.classes.list({ dev: 'p0' })).toEqual([]);
    expect(tcText('class', 'show', 'dev', 'p0')).toBe('');
  });
});
