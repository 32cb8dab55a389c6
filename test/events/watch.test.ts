// rt.watch against the real kernel: a view equals a fresh dump after every
// kind of change, after overruns under a storm, with a slow consumer and a
// bounded queue, and after routes are flushed without notification.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rtnl, type Address } from '../../src/rtnl/index.js';
import type { WatchEvent } from '../../src/events/index.js';
import { describeKernel, ip, ipJson, makeNetns, run } from '../helpers/kernel.js';
import { churnLines, deleteLinks, ipAddressKeys, makeBridges, runBatch, settle, sleep } from './util.js';

const addrKey = (a: Address) => `${a.link} ${a.address}/${a.prefixLength}`;

describeKernel('rt.watch', () => {
  let ns: ReturnType<typeof makeNetns>;
  let rt: Rtnl;
  beforeAll(async () => {
    ns = makeNetns('nlkw');
    rt = await Rtnl.open({ netns: ns.name });
    ip(ns.name, 'link', 'add', 'wva', 'type', 'veth', 'peer', 'name', 'wvb');
    ip(ns.name, 'link', 'set', 'wva', 'up');
    ip(ns.name, 'link', 'set', 'wvb', 'up');
  });
  afterAll(() => {
    rt?.close();
    ns?.remove();
  });

  it('links: starts equal to ip, follows add/set/delete with events', async () => {
    await using view = await rt.watch('links');
    const ipLinks = () => (ipJson(ns.name, 'link', 'show') as any[]).map((l) => `${l.ifindex} ${l.ifname} ${l.mtu}`).sort();
    const ours = () => view.snapshot().map((l) => `${l.index} ${l.name} ${l.mtu}`).sort();
    expect(ours()).toEqual(ipLinks());
    const events: WatchEvent<unknown>[] = [];
    const reader = (async () => {
      for await (const ev of view) events.push(ev);
    })();
    ip(ns.name, 'link', 'add', 'wbr0', 'type', 'bridge');
    ip(ns.name, 'link', 'set', 'wbr0', 'mtu', '1400');
    expect(await settle(() => ours().join() === ipLinks().join(), 5000)).toBe(true);
    ip(ns.name, 'link', 'del', 'wbr0');
    expect(await settle(() => ours().join() === ipLinks().join(), 5000)).toBe(true);
    expect(events.some((e) => e.type === 'new' && (e.object as any).name === 'wbr0' && (e.object as any).mtu === 1400)).toBe(true);
    expect(events.some((e) => e.type === 'del' && (e.object as any).name === 'wbr0')).toBe(true);
    view.close();
    await reader;
  });

  it('a re-dump never comes before notifications the kernel sent earlier: no object goes back to an older state', async () => {
    ip(ns.name, 'link', 'add', 'wal', 'type', 'veth', 'peer', 'name', 'walp');
    await using view = await rt.watch('links');
    const events: WatchEvent<unknown>[] = [];
    const reader = (async () => {
      for await (const ev of view) events.push(ev);
    })();
    await using view2 = await rt.watch('links');
    const mtu = () => view.snapshot().find((l) => l.name === 'wal')?.mtu;
    for (let round = 0; round < 5; round++) {
      const from = 1000 + round * 20;
      // 20 notifications (RTM_NEWLINK, one per MTU) queue on the view's socket while the event loop
      // is blocked in the synchronous `ip -batch`; resync() is asked for before the view read any.
      run('ip', ['-n', ns.name, '-batch', '-'], Array.from({ length: 20 }, (_, i) => `link set wal mtu ${from + i + 1}`).join('\n') + '\n');
      const seen = events.length;
      await view.resync();
      // Sent before the dump began, they were applied before it: the dump's state is the last.
      expect(mtu()).toBe(from + 20);
      await sleep(50);
      expect(mtu()).toBe(from + 20);
      const mtus = events
        .slice(seen)
        .filter((e) => (e.object as any).name === 'wal')
        .map((e) => (e.object as any).mtu);
      // In order, never back: each notification once, and nothing after the dump's state.
      expect(mtus).toEqual(Array.from({ length: 20 }, (_, i) => from + i + 1));
    }
    // The consumer asks for a re-dump on the first event of a burst, while the rest is read.
    let asked: Promise<void> | undefined;
    const mid: number[] = [];
    const consumer = (async () => {
      for await (const ev of view2) {
        if ((ev.object as any).name !== 'wal') continue;
        mid.push((ev.object as any).mtu);
        asked ??= view2.resync();
        if (mid.length >= 20) break;
      }
    })();
    await sleep(20);
    run('ip', ['-n', ns.name, '-batch', '-'], Array.from({ length: 20 }, (_, i) => `link set wal mtu ${1200 + i + 1}`).join('\n') + '\n');
    await consumer;
    await asked;
    expect(mid).toEqual(Array.from({ length: 20 }, (_, i) => 1200 + i + 1));
    view.close();
    await reader;
    ip(ns.name, 'link', 'del', 'wal');
  });

  it('routes: follows adds and deletes in several tables and a silent IPv4 flush (link down)', async () => {
    ip(ns.name, 'addr', 'add', '10.50.0.1/24', 'dev', 'wva');
    await using view = await rt.watch('routes');
    const ipRoutes = () =>
      [...(ipJson(ns.name, '-4', 'route', 'show', 'table', 'all') as any[]), ...(ipJson(ns.name, '-6', 'route', 'show', 'table', 'all') as any[])]
        .map((r) => `${r.dst} ${r.table ?? 'main'}`)
        .sort();
    const tableName = (t: number) => (t === 254 ? 'main' : t === 255 ? 'local' : String(t));
    const ours = () =>
      view
        .snapshot()
        .map((r) => `${r.dst.replace(/\/(32|128)$/, '')} ${tableName(r.table)}`)
        .sort();
    // Settled, not equal at once: IPv6 adds routes of its own in the background (a link-local
    // address's local route when its DAD ends), which may land between the view's dump and `ip`.
    expect(await settle(() => ours().join() === ipRoutes().join(), 5000)).toBe(true);
    ip(ns.name, 'route', 'add', '10.60.0.0/16', 'via', '10.50.0.2', 'table', '100');
    ip(ns.name, 'route', 'add', '10.61.0.0/16', 'via', '10.50.0.2');
    ip(ns.name, '-6', 'route', 'add', 'blackhole', '2001:db8:60::/48', 'table', '200');
    expect(await settle(() => ours().join() === ipRoutes().join(), 5000)).toBe(true);
    expect(ours()).toContain('10.60.0.0/16 100');
    // Down: IPv4 routes through wva go with no RTM_DELROUTE; the view re-dumps.
    ip(ns.name, 'link', 'set', 'wva', 'down');
    expect(await settle(() => ours().join() === ipRoutes().join(), 5000)).toBe(true);
    expect(ours()).not.toContain('10.60.0.0/16 100');
    expect(view.stats.resyncs).toBeGreaterThan(0);
    ip(ns.name, 'link', 'set', 'wva', 'up');
    ip(ns.name, '-6', 'route', 'del', 'blackhole', '2001:db8:60::/48', 'table', '200');
    expect(await settle(() => ours().join() === ipRoutes().join(), 5000)).toBe(true);
    ip(ns.name, 'addr', 'del', '10.50.0.1/24', 'dev', 'wva');
  });

  it('routes: a replace that changes the nexthop drops the old route; an append keeps both (one identity group)', async () => {
    ip(ns.name, 'link', 'set', 'wva', 'up');
    ip(ns.name, 'addr', 'add', '10.51.0.1/24', 'dev', 'wva');
    await using view = await rt.watch('routes');
    const mine = () =>
      view
        .snapshot()
        .filter((r) => r.dst === '10.62.0.0/16')
        .map((r) => r.gateway)
        .sort()
        .join();
    ip(ns.name, 'route', 'add', '10.62.0.0/16', 'via', '10.51.0.2');
    expect(await settle(() => mine() === '10.51.0.2', 5000)).toBe(true);
    ip(ns.name, 'route', 'replace', '10.62.0.0/16', 'via', '10.51.0.3');
    expect(await settle(() => mine() === '10.51.0.3', 5000)).toBe(true);
    ip(ns.name, 'route', 'append', '10.62.0.0/16', 'via', '10.51.0.4');
    expect(await settle(() => mine() === '10.51.0.3,10.51.0.4', 5000)).toBe(true);
    ip(ns.name, 'route', 'del', '10.62.0.0/16', 'via', '10.51.0.3');
    expect(await settle(() => mine() === '10.51.0.4', 5000)).toBe(true);
    ip(ns.name, 'route', 'del', '10.62.0.0/16');
    expect(await settle(() => mine() === '', 5000)).toBe(true);
    ip(ns.name, 'addr', 'del', '10.51.0.1/24', 'dev', 'wva');
  });

  it('neighbours: follows ARP/NDP entries, keyed by link, family and address', async () => {
    await using view = await rt.watch('neighbors');
    const ipNeigh = () =>
      (ipJson(ns.name, 'neigh', 'show') as any[])
        .filter((n) => !n.state?.includes('NOARP') && !n.state?.includes('INCOMPLETE'))
        .map((n) => `${n.dst} ${n.dev} ${n.lladdr ?? ''}`)
        .sort();
    const names = new Map((ipJson(ns.name, 'link', 'show') as any[]).map((l) => [l.ifindex, l.ifname]));
    const ours = () =>
      view
        .snapshot()
        .map((n) => `${n.address} ${names.get(n.link)} ${n.mac ?? ''}`)
        .sort();
    ip(ns.name, 'neigh', 'add', '10.70.0.1', 'lladdr', '02:00:00:00:70:01', 'dev', 'wva', 'nud', 'permanent');
    ip(ns.name, 'neigh', 'add', '10.70.0.1', 'lladdr', '02:00:00:00:70:02', 'dev', 'wvb', 'nud', 'permanent');
    ip(ns.name, 'neigh', 'add', '2001:db8:70::1', 'lladdr', '02:00:00:00:70:03', 'dev', 'wva', 'nud', 'stale');
    expect(await settle(() => ours().join() === ipNeigh().join() && view.size === 3, 5000)).toBe(true);
    ip(ns.name, 'neigh', 'change', '10.70.0.1', 'lladdr', '02:00:00:00:70:09', 'dev', 'wva', 'nud', 'permanent');
    ip(ns.name, 'neigh', 'del', '10.70.0.1', 'dev', 'wvb');
    expect(await settle(() => ours().join() === ipNeigh().join() && view.size === 2, 5000)).toBe(true);
    expect(ours()).toContain('10.70.0.1 wva 02:00:00:00:70:09');
    ip(ns.name, 'neigh', 'flush', 'dev', 'wva', 'nud', 'all');
  });

  it('storm: overruns under 20,000 address adds/deletes from another process, and ends exactly equal to ip', async () => {
    const devs = makeBridges(ns.name, 'wst', 8);
    const small = { receiveBufferSize: 16384 };
    await using view = await rt.watch('addresses', undefined, small);
    using sub = rt.subscribe(['ipv4-addr'], small);
    const subEvents = { overrun: 0, other: 0 };
    const reader = (async () => {
      for await (const ev of sub) {
        if (ev.type === 'overrun') subEvents.overrun++;
        else subEvents.other++;
      }
    })();
    const t0 = Date.now();
    await runBatch(ns.name, churnLines(devs, 20_000, 11));
    const churnMs = Date.now() - t0;
    const expected = ipAddressKeys(ns.name);
    expect(expected.length).toBeGreaterThan(10_000);
    const equal = await settle(() => view.snapshot().map(addrKey).sort().join('\n') === expected.join('\n'), 20_000);
    const ours = view.snapshot().map(addrKey).sort();
    expect(ours.length).toBe(expected.length);
    expect(ours).toEqual(expected);
    expect(equal).toBe(true);
    expect(view.stats.overruns).toBeGreaterThan(0);
    expect(view.stats.resyncs).toBeGreaterThan(0);
    // The plain stream said overrun and kept going: a fresh change still arrives.
    expect(subEvents.overrun).toBeGreaterThan(0);
    const before = subEvents.other;
    ip(ns.name, 'addr', 'add', '10.99.99.99/32', 'dev', devs[0]!);
    expect(await settle(() => subEvents.other > before, 5000)).toBe(true);
    expect(await settle(() => view.snapshot().some((a) => a.address === '10.99.99.99'), 5000)).toBe(true);
    console.log(
      `[storm] ip -batch of 30,000 address changes took ${churnMs} ms; view: ${view.stats.overruns} overruns, ${view.stats.resyncs} resyncs, ` +
        `${view.stats.applied} notifications applied; stream: ${subEvents.overrun} overruns, ${subEvents.other} changes, ${sub.stats.overruns} socket reopenings`,
    );
    sub.close();
    await reader;
    deleteLinks(ns.name, devs);
  }, 180_000);

  it('slow consumer: a bounded queue, bounded memory, and a mirror built from the events ends equal to ip', async () => {
    const devs = makeBridges(ns.name, 'wsl', 4);
    const maxQueued = 64;
    await using view = await rt.watch('addresses', undefined, { maxQueued, existing: true, receiveBufferSize: 16384 });
    const mirror = new Map<string, Address>();
    let churning = true;
    let consumed = 0;
    let peakHeap = 0;
    const heap0 = process.memoryUsage().heapUsed;
    const consumer = (async () => {
      for await (const ev of view) {
        consumed++;
        if (ev.type === 'new') mirror.set(addrKey(ev.object), ev.object);
        else mirror.delete(addrKey(ev.object));
        if (consumed % 256 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        if (churning) await sleep(1); // far slower than the kernel
      }
    })();
    const batch = runBatch(ns.name, churnLines(devs, 6000, 12));
    // The view reads bursts in batches and may keep up with the churn by itself: hold the event
    // loop for a moment while it goes on, so that its 16 KiB socket overflows and it must recover.
    await sleep(50);
    for (const t = Date.now(); Date.now() - t < 400; );
    await batch;
    churning = false;
    const expected = ipAddressKeys(ns.name);
    const done = await settle(() => [...mirror.keys()].sort().join('\n') === expected.join('\n') && view.stats.queued === 0, 20_000);
    expect([...mirror.keys()].sort()).toEqual(expected);
    expect(done).toBe(true);
    expect(view.snapshot().map(addrKey).sort()).toEqual(expected);
    expect(view.stats.overruns).toBeGreaterThan(0);
    // The queue never held more than the bound plus one resync's differences (at most the view's size).
    // A lagging consumer gets, when it catches up, the differences between what it knew and the
    // view: at most one event per object on either side (the view never holds more than ~9,100).
    expect(view.stats.peakQueued).toBeLessThanOrEqual(maxQueued + 2 * 9100);
    console.log(
      `[slow] consumed ${consumed} events; peak queue ${view.stats.peakQueued} (bound ${maxQueued} + one catch-up diff); ` +
        `${view.stats.overruns} overruns, ${view.stats.resyncs} resyncs, ${view.stats.synthetic} synthetic; heap +${((peakHeap - heap0) / 1e6).toFixed(1)} MB at peak`,
    );
    expect(peakHeap - heap0).toBeLessThan(200e6);
    view.close();
    await consumer;
    deleteLinks(ns.name, devs);
  }, 90_000);

  it('next() calls made without awaiting get one event each, in call order, whether events wait or not', async () => {
    await using view = await rt.watch('addresses', (a) => a.address.startsWith('10.77.'));
    const it = view[Symbol.asyncIterator]();
    const address = (r: IteratorResult<WatchEvent<Address>>) => (r.done ? 'done' : `${r.value.type} ${r.value.object.address}`);
    // Three calls waiting for events that have not happened yet.
    const waiting = [it.next(), it.next(), it.next()];
    await sleep(20);
    await runBatch(ns.name, ['addr add 10.77.0.1/32 dev wva', 'addr add 10.77.0.2/32 dev wva', 'addr add 10.77.0.3/32 dev wva', 'addr add 10.77.0.4/32 dev wva', 'addr add 10.77.0.5/32 dev wva']);
    // Two more once the rest are queued: behind the waiting ones, never before them.
    await settle(() => view.size >= 5, 5000);
    const later = [it.next(), it.next()];
    expect((await Promise.all([...waiting, ...later])).map(address)).toEqual(['new 10.77.0.1', 'new 10.77.0.2', 'new 10.77.0.3', 'new 10.77.0.4', 'new 10.77.0.5']);
    await runBatch(ns.name, [1, 2, 3, 4, 5].map((i) => `addr del 10.77.0.${i}/32 dev wva`));
    for (let i = 1; i <= 5; i++) expect(address(await it.next())).toBe(`del 10.77.0.${i}`);
  });

  it('close() mid-wait ends iteration promptly; breaking out closes the view', async () => {
    const view = await rt.watch('links');
    const it = view[Symbol.asyncIterator]();
    const p = it.next();
    await sleep(30);
    const t0 = Date.now();
    view.close();
    expect((await p).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(200);
    const v2 = await rt.watch('links');
    setTimeout(() => ip(ns.name, 'link', 'set', 'wva', 'mtu', '1280'), 20);
    for await (const ev of v2) {
      expect(ev.type).toBe('new');
      break;
    }
    expect(v2.closed).toBe(true);
    ip(ns.name, 'link', 'set', 'wva', 'mtu', '1500');
  });
});
