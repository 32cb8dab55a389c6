// Waiting never blocks the event loop and never keeps the process alive: an
// idle subscription or view lets a child process exit, a timer fires while
// they wait, and closing them mid-wait returns promptly. Generic netlink
// family subscriptions end cleanly and report overruns too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GenericFamily } from '../../src/genl/index.js';
import * as ethtool from '../../src/generated/ethtool.js';
import { describeKernel, fdCount, ip, makeNetns, run } from '../helpers/kernel.js';
import { sleep } from './util.js';

function runChild(source: string): { out: string; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-events-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, source);
  try {
    const t0 = Date.now();
    const out = run(process.execPath, ['--import', 'tsx', file]);
    return { out, ms: Date.now() - t0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rtnlPath = JSON.stringify(new URL('../../src/rtnl/index.ts', import.meta.url).pathname);

describeKernel('events: waiting and lifetime', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    ns = makeNetns('nlkl');
    ip(ns.name, 'link', 'add', 'lva', 'type', 'veth', 'peer', 'name', 'lvb');
  });
  afterAll(() => ns?.remove());

  it('an idle subscription and an idle view let the process exit; a timer fires while they wait', () => {
    const { out, ms } = runChild(`
      import { Rtnl } from ${rtnlPath};
      const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
      const sub = rt.subscribe(['link', 'ipv4-addr', 'ipv6-route', 'neigh']);
      void sub.next();
      const view = await rt.watch('addresses');
      const it = view[Symbol.asyncIterator]();
      void it.next();
      setTimeout(() => console.log('timer-fired', view.size), 30);
    `);
    expect(out).toContain('timer-fired');
    expect(ms).toBeLessThan(15_000);
  });

  it('keepAlive holds the process until the subscription is closed', () => {
    const { out } = runChild(`
      import { Rtnl } from ${rtnlPath};
      const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
      const sub = rt.subscribe(['link'], { keepAlive: true });
      const t0 = Date.now();
      sub.next().then((r) => console.log('ended', r.done, Date.now() - t0 >= 200));
      setTimeout(() => sub.close(), 200);
    `);
    expect(out).toContain('ended true true');
  });

  it('the event loop runs while many subscriptions wait; closing them all is prompt and leaks no descriptor', async () => {
    const { Rtnl } = await import('../../src/rtnl/index.js');
    const rt = await Rtnl.open({ netns: ns.name });
    // Warm up: the shared poller (epoll fd, eventfd, worker) starts at the first wait and stays.
    const warm = rt.subscribe(['link']);
    const w = warm.next();
    await sleep(20);
    warm.close();
    await w;
    const before = fdCount();
    const subs = Array.from({ length: 50 }, () => rt.subscribe(['link', 'ipv4-addr']));
    const waits = subs.map((s) => s.next());
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await sleep(100);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    const t0 = Date.now();
    for (const s of subs) s.close();
    for (const w of waits) expect((await w).done).toBe(true);
    expect(Date.now() - t0).toBeLessThan(300);
    expect(fdCount()).toBe(before);
    rt.close();
  });

  it('generic netlink: ethtool monitor events, an overrun that does not end the stream, clean ends', async () => {
    const before = fdCount();
    using et = await GenericFamily.open(ethtool.ethtoolFamily, { netns: ns.name });
    const toggle = (on: boolean) =>
      et.do('features-set', { header: { devName: 'lva' }, wanted: { nomask: false, bits: { bit: [{ index: 0, name: 'tx-scatter-gather', value: on }] } } } as never);
    // A tiny receive buffer and nobody reading: the kernel must drop.
    const events = await et.subscribe(['monitor'], { receiveBufferSize: 1 });
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
    expect(fdCount()).toBe(before);
  });
});
