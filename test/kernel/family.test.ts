// The family runtime on the real kernel: rtnetlink families opened by their
// generated descriptors (rt-nexthop from our overlay, tc with the dumps the
// overlay adds), cross-checked with `ip -j nexthop` and `tc`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NetlinkFamily } from '../../src/family/index.js';
import { rtLink, rtNexthop } from '../../src/generated/index.js';
import * as tc from '../../src/generated/tc.js';
import { ArgumentError, KernelError } from '../../src/netlink/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';

const AF_INET = 2;
const TC_H_ROOT = 0xffffffff;
const TC_H_INGRESS = 0xfffffff1;
const TC_H_CLSACT = TC_H_INGRESS;
const ETH_P_IP = 0x0800;
/** tc's handle notation `maj:min` → number. */
const handle = (maj: number, min = 0) => ((maj << 16) | min) >>> 0;

function tcJson(ns: string, ...args: string[]): any[] {
  const out = run('tc', ['-n', ns, '-j', ...args]);
  return out.trim() ? JSON.parse(out) : [];
}

describeKernel('family runtime: rt-nexthop', () => {
  let ns: ReturnType<typeof makeNetns>;
  let oif: number;
  beforeAll(() => {
    ns = makeNetns('nlkf');
    ip(ns.name, 'link', 'add', 'nha', 'type', 'veth', 'peer', 'name', 'nhb');
    ip(ns.name, 'link', 'set', 'nha', 'up');
    ip(ns.name, 'link', 'set', 'nhb', 'up');
    ip(ns.name, 'addr', 'add', '10.9.0.1/24', 'dev', 'nha');
    oif = ipJson(ns.name, 'link', 'show', 'dev', 'nha')[0].ifindex;
  });
  afterAll(() => ns?.remove());

  it('adds gateway, blackhole and weighted group nexthops that ip -j nexthop shows, then deletes them', async () => {
    await using nh = await NetlinkFamily.open(rtNexthop.rtNexthopFamily, { netns: ns.name });
    await nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 10, gateway: '10.9.0.2', oif } });
    await nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 11, gateway: '10.9.0.3', oif } });
    await nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 12, blackhole: true } });
    // Weight is sent minus one, as ip does: weights 3 and 1.
    await nh.do('newnexthop', { header: {}, attrs: { id: 20, group: [{ id: 10, weight: 2 }, { id: 11, weight: 0 }] } });

    const theirs = ipJson(ns.name, 'nexthop', 'show') as any[];
    const { items } = await nh.dump('getnexthop', { header: {}, attrs: {} });
    expect(items.map((m) => m.attrs.id).sort()).toEqual(theirs.map((t) => t.id).sort());
    for (const t of theirs) {
      const m = items.find((x) => x.attrs.id === t.id)!;
      if (t.gateway !== undefined) {
        expect(m.attrs.gateway).toBe(t.gateway);
        expect(m.attrs.oif).toBe(oif);
        expect(t.dev).toBe('nha');
        expect(m.header.nhFamily).toBe(AF_INET);
      }
      expect(m.attrs.blackhole === true).toBe('blackhole' in t);
      if (t.group) expect(m.attrs.group!.map((g) => ({ id: g.id, weight: g.weight + 1 }))).toEqual(t.group.map((g: any) => ({ id: g.id, weight: g.weight ?? 1 })));
    }
    expect(items.find((m) => m.attrs.id === 20)!.attrs.groupType).toBe('mpath');

    // A dump filtered to groups; a get by id.
    const groups = await nh.dump('getnexthop', { header: {}, attrs: { groups: true } });
    expect(groups.items.map((m) => m.attrs.id)).toEqual([20]);
    const one = await nh.do('getnexthop', { header: {}, attrs: { id: 11 } });
    expect(one?.attrs.gateway).toBe('10.9.0.3');

    await nh.do('delnexthop', { header: {}, attrs: { id: 20 } });
    await nh.do('delnexthop', { header: {}, attrs: { id: 12 } });
    expect((ipJson(ns.name, 'nexthop', 'show') as any[]).map((t) => t.id).sort()).toEqual([10, 11]);

    // A route can use a nexthop by id: ip shows it.
    ip(ns.name, 'route', 'add', '10.77.0.0/16', 'nhid', '10');
    expect(ipJson(ns.name, 'route', 'show', '10.77.0.0/16')[0].nhid).toBe(10);
  });

  it('new… adds exclusively by default (EEXIST), replace with flags; errors carry the extended ACK', async () => {
    await using nh = await NetlinkFamily.open(rtNexthop.rtNexthopFamily, { netns: ns.name });
    await nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 30, blackhole: true } });
    await expect(nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 30, blackhole: true } })).rejects.toMatchObject({ code: 'EEXIST' });
    await nh.do('newnexthop', { header: { nhFamily: AF_INET }, attrs: { id: 30, gateway: '10.9.0.4', oif } }, { flags: ['create', 'replace'] });
    expect(ipJson(ns.name, 'nexthop', 'show', 'id', '30')[0].gateway).toBe('10.9.0.4');
    // A group naming a nexthop that does not exist: the kernel says why and points at NHA_GROUP.
    const err = await nh.do('newnexthop', { header: {}, attrs: { id: 31, group: [{ id: 999, weight: 0 }] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).ack.message).toMatch(/nexthop id/i);
    expect((err as KernelError).message).toContain('kernel:');
    // Bad input is refused before anything is sent.
    await expect(nh.do('nosuchop' as 'newnexthop', { header: {}, attrs: {} })).rejects.toBeInstanceOf(ArgumentError);
    await expect(nh.do('newnexthop', { header: {}, attrs: { id: 32 } }, { flags: ['bogus' as 'create'] })).rejects.toBeInstanceOf(ArgumentError);
    await expect(nh.do('newnexthop', { header: {}, attrs: { id: 2 ** 32 } })).rejects.toMatchObject({ name: 'EncodeError', path: 'id' });
    expect((ipJson(ns.name, 'nexthop', 'show') as any[]).some((t) => t.id === 32)).toBe(false);
  });

  it('subscribe: nexthop notifications from rtnlgrp-nexthop, decoded by message type', async () => {
    await using nh = await NetlinkFamily.open(rtNexthop.rtNexthopFamily, { netns: ns.name });
    await expect(nh.subscribe(['nosuchgroup'])).rejects.toBeInstanceOf(ArgumentError);
    await using events = await nh.subscribe(['rtnlgrp-nexthop']);
    ip(ns.name, 'nexthop', 'add', 'id', '40', 'blackhole');
    ip(ns.name, 'nexthop', 'del', 'id', '40');
    const seen: { op: string | number; id: number | undefined }[] = [];
    for await (const ev of events) {
      if (ev.kind !== 'message') continue;
      seen.push({ op: ev.value.op, id: (ev.value.value as rtNexthop.NexthopMessage).attrs.id });
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([
      { op: 'newnexthop', id: 40 },
      { op: 'delnexthop', id: 40 },
    ]);
  });
});

describeKernel('family runtime: tc qdiscs, classes and filters', () => {
  let ns: ReturnType<typeof makeNetns>;
  let p0: number;
  let p1: number;
  beforeAll(() => {
    ns = makeNetns('nlkt');
    ip(ns.name, 'link', 'add', 'tca', 'type', 'veth', 'peer', 'name', 'tcb');
    p0 = ipJson(ns.name, 'link', 'show', 'dev', 'tca')[0].ifindex;
    p1 = ipJson(ns.name, 'link', 'show', 'dev', 'tcb')[0].ifindex;
  });
  afterAll(() => ns?.remove());

  it('htb qdisc + class + pfifo leaf, bfifo, tbf, ingress, clsact: tc shows what was added, the dumps say what tc says', async () => {
    await using t = await NetlinkFamily.open(tc.tcFamily, { netns: ns.name });
    // tc qdisc add dev tca root handle 1: htb default 10
    await t.do('newqdisc', {
      header: { ifindex: p0, handle: handle(1), parent: TC_H_ROOT },
      attrs: { kind: 'htb', options: { init: { version: 3, rate2quantum: 10, defcls: 0x10, debug: 0, directPkts: 0 } } },
    });
    // tc class add dev tca parent 1: classid 1:10 htb rate 1mbit (burst 1600b: buffer in ticks, as tc computes it)
    const rate = { cellLog: 0, linklayer: 1, overhead: 0, cellAlign: 0, mpu: 0, rate: 125000 };
    await t.do('newtclass', {
      header: { ifindex: p0, handle: handle(1, 0x10), parent: handle(1) },
      attrs: { kind: 'htb', options: { parms: { rate, ceil: rate, buffer: 200000, cbuffer: 200000, quantum: 0, level: 0, prio: 0 } } },
    });
    // tc qdisc add dev tca parent 1:10 handle 20: pfifo limit 50
    await t.do('newqdisc', { header: { ifindex: p0, handle: handle(0x20), parent: handle(1, 0x10) }, attrs: { kind: 'pfifo', options: { limit: 50 } } });
    // tc qdisc add dev tca ingress
    await t.do('newqdisc', { header: { ifindex: p0, handle: handle(0xffff), parent: TC_H_INGRESS }, attrs: { kind: 'ingress' } });
    // tc qdisc add dev tcb root handle 2: bfifo limit 10000, then replace it with tbf
    await t.do('newqdisc', { header: { ifindex: p1, handle: handle(2), parent: TC_H_ROOT }, attrs: { kind: 'bfifo', options: { limit: 10000 } } });
    expect(tcJson(ns.name, 'qdisc', 'show', 'dev', 'tcb')[0]).toMatchObject({ kind: 'bfifo', handle: '2:', options: { limit: 10000 } });
    const r = { cellLog: 0, linklayer: 1, overhead: 0, cellAlign: 0, mpu: 0, rate: 125000 };
    await t.do(
      'newqdisc',
      { header: { ifindex: p1, handle: handle(3), parent: TC_H_ROOT }, attrs: { kind: 'tbf', options: { parms: { rate: r, peakrate: { ...r, rate: 0 }, limit: 3000, buffer: 80000, mtu: 0 }, burst: 10240 } } },
      { flags: ['create', 'replace'] },
    );
    // tc qdisc add dev tcb clsact
    await t.do('newqdisc', { header: { ifindex: p1, handle: handle(0xffff), parent: TC_H_CLSACT }, attrs: { kind: 'clsact' } });

    const theirs = tcJson(ns.name, 'qdisc', 'show');
    const { items } = await t.dump('getqdisc', { header: {}, attrs: {} });
    const fmt = (h: number) => `${(h >>> 16).toString(16)}:${h & 0xffff ? (h & 0xffff).toString(16) : ''}`;
    const mine = items.map((q) => ({ kind: q.attrs.kind, handle: fmt(q.header.handle), ifindex: q.header.ifindex }));
    const names: Record<string, number> = { lo: 1, tca: p0, tcb: p1 };
    expect(mine.sort((a, b) => (a.kind! < b.kind! ? -1 : 1))).toEqual(
      theirs.map((q) => ({ kind: q.kind, handle: q.handle, ifindex: names[q.dev] })).sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    );
    const htb = items.find((q) => q.attrs.kind === 'htb')!.attrs.options as tc.TcHtbAttrs;
    const theirHtb = theirs.find((q) => q.kind === 'htb');
    expect(htb.init).toMatchObject({ rate2quantum: theirHtb.options.r2q, defcls: parseInt(theirHtb.options.default, 16) });
    expect(htb.directQlen).toBe(theirHtb.options.direct_qlen);
    expect((items.find((q) => q.attrs.kind === 'pfifo')!.attrs.options as tc.TcFifoQopt).limit).toBe(50);
    const tbf = items.find((q) => q.attrs.kind === 'tbf')!.attrs.options as tc.TcTbfAttrs;
    expect(tbf.parms).toMatchObject({ limit: 3000, rate: { rate: 125000 } });
    expect(theirs.find((q) => q.kind === 'tbf').options).toMatchObject({ rate: 125000, limit: 3000 });

    // The class dump (a dump the 6.12 spec lacks) against `tc class show`.
    const classes = await t.dump('gettclass', { header: { ifindex: p0 }, attrs: {} });
    const text = run('tc', ['-n', ns.name, 'class', 'show', 'dev', 'tca']);
    expect(text).toMatch(/^class htb 1:10 root leaf 20: prio 0 rate 1Mbit ceil 1Mbit/);
    expect(classes.items.map((c) => [c.attrs.kind, fmt(c.header.handle), fmt(c.header.parent)])).toEqual([['htb', '1:10', 'ffff:ffff']]);
    const parms = (classes.items[0]!.attrs.options as tc.TcHtbAttrs).parms!;
    expect(parms.rate.rate).toBe(125000);
    expect(parms.ceil.rate).toBe(125000);
  });

  it('u32 filter: tc shows the match; the filter dump decodes the selector', async () => {
    await using t = await NetlinkFamily.open(tc.tcFamily, { netns: ns.name });
    // tc filter add dev tca parent 1: protocol ip prio 1 u32 match ip dst 10.0.0.1/32 flowid 1:10
    await t.do('newtfilter', {
      header: { ifindex: p0, handle: 0, parent: handle(1), info: ((1 << 16) | ((ETH_P_IP >> 8) | ((ETH_P_IP & 0xff) << 8))) >>> 0 },
      attrs: {
        kind: 'u32',
        options: { classid: handle(1, 0x10), sel: { flags: 1, offshift: 0, nkeys: 1, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0, keys: { mask: 0xffffffff, val: 0x0a000001, off: 16, offmask: 0 } } },
      },
    });
    const text = run('tc', ['-n', ns.name, 'filter', 'show', 'dev', 'tca']);
    expect(text).toContain('match 0a000001/ffffffff at 16');
    expect(text).toMatch(/flowid 1:10/);
    const { items } = await t.dump('gettfilter', { header: { ifindex: p0, parent: handle(1) }, attrs: {} });
    const withSel = items.find((f) => (f.attrs.options as tc.TcU32Attrs | undefined)?.sel !== undefined)!;
    const u32 = withSel.attrs.options as tc.TcU32Attrs;
    expect(u32.classid).toBe(handle(1, 0x10));
    expect(u32.sel).toMatchObject({ nkeys: 1, flags: 1, keys: { mask: 0xffffffff, val: 0x0a000001, off: 16 } });

    // Delete the class's qdisc tree: the root htb, and tc shows the default again.
    await t.do('delqdisc', { header: { ifindex: p0, handle: handle(1), parent: TC_H_ROOT }, attrs: {} });
    expect(tcJson(ns.name, 'qdisc', 'show', 'dev', 'tca').some((q) => q.kind === 'htb')).toBe(false);
  });

  it('kernel refusals carry the extended ACK', async () => {
    await using t = await NetlinkFamily.open(tc.tcFamily, { netns: ns.name });
    const err = await t.do('newqdisc', { header: { ifindex: p1, parent: TC_H_ROOT }, attrs: { kind: 'nosuchqdisc' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).ack.message).toMatch(/unknown/i);
  });

  it('other rtnetlink families open the same way (rt-link dump against ip -j link)', async () => {
    await using links = await NetlinkFamily.open(rtLink.rtLinkFamily, { netns: ns.name });
    const { items } = await links.dump('getlink', { header: {}, attrs: {} });
    expect(items.map((l) => l.attrs.ifname).sort()).toEqual((ipJson(ns.name, 'link', 'show') as any[]).map((l) => l.ifname).sort());
  });
});
