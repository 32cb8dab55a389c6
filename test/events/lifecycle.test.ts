// Waiting never blocks the event loop; it keeps the process alive only while
// someone waits on a stream that is not unref'd: an unref'd subscription or
// view, or one nobody waits on, lets a child process exit, a timer fires
// while they wait, and closing them mid-wait returns promptly. Generic
// netlink family subscriptions end cleanly and report overruns too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GenericFamily } from '../../src/genl/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import { execFileSync } from 'node:child_process';
import { describeKernel, ip, kernelHandles, makeNetns } from '../helpers/kernel.js';
import { sleep } from './util.js';

function runChild(source: string): { out: string; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-events-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, source);
  try {
    const t0 = Date.now();
    const out = execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { out, ms: Date.now() - t0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rtnlPath = JSON.stringify(new URL('../../src/rtnl/index.ts', import.meta.url).pathname);

describeKernel('events: waiting and lifetime', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(async () => {
    ns = makeNetns('nlkl');
    ip(ns.name, 'link', 'add', 'lva', 'type', 'veth', 'peer', 'name', 'lvb');
    // The shared poller (epoll fd, eventfd, worker) starts at the first wait in the process
    // and stays: start it here, so each descriptor count below sees only its own test's work,
    // whichever tests run and in whatever order.
    const { Rtnl } = await import('../../src/rtnl/index.js');
    const rt = await Rtnl.open({ netns: ns.name });
    const warm = rt.subscribe(['link']);
    const w = warm.next();
    await sleep(20);
    warm.close();
    await w;
    rt.close();
  });
  afterAll(() => ns?.remove());

  it("an unref'd subscription and view let the process exit while a next() waits; a timer fires meanwhile", () => {
    const { out, ms } = runChild(`
      import { Rtnl } from ${rtnlPath};
      const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
      const sub = rt.subscribe(['link', 'ipv4-addr', 'ipv6-route', 'neigh']).unref();
      void sub.next();
      const quiet = rt.subscribe(['link'], { keepAlive: false });
      void quiet.next();
      const view = (await rt.watch('addresses')).unref();
      const it = view[Symbol.asyncIterator]();
      void it.next();
      setTimeout(() => console.log('timer-fired', view.size), 30);
    `);
    expect(out).toContain('timer-fired');
    expect(ms).toBeLessThan(15_000);
  });

  it('an idle Rtnl, a subscription and a view nobody waits on never hold the process', () => {
    const { out } = runChild(`
      import { Rtnl } from ${rtnlPath};
      const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
      await rt.links.list();
      rt.subscribe(['link']);
      const view = await rt.watch('links');
      console.log('opened', view.size > 0);
    `);
    expect(out).toContain('opened true');
  });

  it('a waiting next() holds the process until the subscription is closed; a waiting view loop until the view is', () => {
    const { out } = runChild(`
      import { Rtnl } from ${rtnlPath};
      const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
      const sub = rt.subscribe(['link']);
      const t0 = Date.now();
      sub.next().then((r) => console.log('sub ended', r.done, Date.now() - t0 >= 200));
      setTimeout(() => sub.close(), 200);
      const view = await rt.watch('links');
      const t1 = Date.now();
      (async () => {
        for await (const ev of view) console.log('unexpected', ev.type);
        console.log('view ended', Date.now() - t1 >= 300);
      })();
      setTimeout(() => view.close(), 300);
    `);
    expect(out).toContain('sub ended true true');
    expect(out).toContain('view ended true');
  });

  it('the event loop runs while many subscriptions wait; closing them all is prompt and leaks no descriptor', async () => {
    const { Rtnl } = await import('../../src/rtnl/index.js');
    const rt = await Rtnl.open({ netns: ns.name });
    const before = kernelHandles();
    const subs = Array.from({ length: 50 }, () => rt.subscribe(['link', 'ipv4-addr']));
    let settled = 0;
    const waits = subs.map((s) => s.next().finally(() => settled++));
    // Ten ticks of a 5 ms timer while all 50 wait: a wait that blocked the thread would stop
    // the timer (the test then times out). Counted, not timed, so a busy machine cannot fail it.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks < 10) return;
        clearInterval(timer);
        resolve();
      }, 5);
    });
    expect(settled).toBe(0);
    const t0 = Date.now();
    for (const s of subs) s.close();
    for (const w of waits) expect((await w).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(300);
    expect(kernelHandles()).toBe(before);
    rt.close();
  });

  it('generic netlink: ethtool monitor events, an overrun that does not end the stream, clean ends', async () => {
    const before = kernelHandles();
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name });
    const toggle = (on: boolean) =>
      et.do('features-set', { header: { devName: 'lva' }, wanted: { nomask: false, bits: { bit: [{ index: 0, name: 'tx-scatter-gather', value: on }] } } } as never);
    // The smallest receive buffer allowed and nobody reading: the kernel must drop.
    const events = await et.subscribe(['monitor'], { receiveBufferSize: 16384 });
    for (let i = 0; i < 200; i++) await toggle(i % 2 === 0);
    let overruns = 0;
    let messages = 0;
    for (;;) {
      const { value, done } = await events.next();
      expect(done).toBe(false);
      if (value!.kind === 'overrun') {
        overruns++;
        break;
      }
      messages++;
    }
    expect(overruns).toBe(1);
    expect(messages).toBeLessThan(400);
    // The stream goes on: drain what is left, then a fresh change arrives.
    const drained = new Promise<void>((r) => setTimeout(r, 50));
    await drained;
    await toggle(true);
    const ac = new AbortController();
    let seen = false;
    const timeout = setTimeout(() => ac.abort(), 5000);
    for (;;) {
      const r = await Promise.race([events.next(), new Promise<'abort'>((res) => ac.signal.addEventListener('abort', () => res('abort')))]);
      if (r === 'abort' || r.done) break;
      if (r.value.kind === 'message' && r.value.value.op !== undefined) {
        seen = true;
        break;
      }
    }
    clearTimeout(timeout);
    expect(seen).toBe(true);
    // return() ends it and closes its socket.
    await events.return!();
    expect((await events.next()).done).toBe(true);
    // An abort while waiting ends another one.
    const ac2 = new AbortController();
    const ev2 = await et.subscribe(['monitor'], { signal: ac2.signal });
    const p = ev2.next();
    setTimeout(() => ac2.abort(), 20);
    expect((await p).done).toBe(true);
    et.close();
    expect(kernelHandles()).toBe(before);
  });
});
