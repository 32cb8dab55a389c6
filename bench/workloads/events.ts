/**
 * events: notifications delivered and decoded per second while another
 * process churns addresses, and how many arrive. watch-memory: what a live
 * route view of the route namespace costs in memory.
 *
 * events — a namespace of its own with one veth (ev0). Each run: a
 * subscriber is started (untimed, and proven live with a probe address added
 * and deleted), then `ip -n NS -batch FILE` adds N IPv4 /32s to ev0 and deletes
 * them again: 2N RTM_NEWADDR/RTM_DELADDR notifications (/32s are each their
 * own subnet, so no secondary is promoted or flushed). The churn process is
 * started untimed and held; timed: from letting it go until the last
 * expected event arrived (or 500 ms without one once the churn has exited).
 *
 * - `rtnl`: `rt.subscribe(['ipv4-addr'])`, every event decoded to an
 *   Address and counted; `overrun` events counted apart.
 * - `watch`: `rt.watch('addresses')` under the same churn: every
 *   notification applied to the view and its `new` / `del` event taken by
 *   a loop (a view whose consumer falls `maxQueued` behind hands it
 *   differences instead; the note then shows fewer events seen).
 * - `ip monitor`: `ip -o -n NS monitor address`, spawned, its lines counted
 *   as they arrive on the pipe. The baseline.
 *
 * Per-operation times are per expected event. The churn process bounds both
 * rates (each of its requests waits for an ACK), so the notes give what
 * tells the subscribers apart: events seen against expected, overruns, the
 * rate over the time to the last event, and CPU time per event (the node
 * process for rtnl, the `ip` process from /proc for ip monitor). A run that
 * misses events is reported, not aborted; one whose churn failed, or that
 * saw fewer than half the events, aborts.
 *
 * watch-memory — `rt.watch('routes')` over the route namespace (default
 * 100,000 routes + the kernel's): time to the first consistent view, and
 * process.memoryUsage() before and after (after a forced GC, with the view
 * still open: what it retains). `snapshot().length` must equal
 * `ip -j route show table all`'s count. `list (kept)` is the same for
 * `routes.list({ table: 'all' })` holding its array: the objects alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rtnl } from '../../src/rtnl/index.js';
import type { Subscription, View } from '../../src/events/index.js';
import type { Address } from '../../src/rtnl/index.js';
import { fullGc, quotient, summarize, type Peer } from '../harness.js';
import { ipRun } from '../setup.js';
import { spawnIp } from '../peers/iproute2.js';
import type { Workload } from '../workload.js';

const IDLE_MS = 500;
const CLOCK_TICK_US = 1e6 / 100; // USER_HZ: /proc/PID/stat times are in 1/100 s

/** One run's tally. */
interface Tally {
  seen: number;
  overruns: number;
  /** ms from starting the churn to the last event. */
  ms: number;
  /** CPU µs the subscriber spent. */
  cpuUs: number;
}

/** A churn process, started and waiting: `go()` lets it run `ip -batch` over the churn file. */
interface Churn {
  child: ChildProcess;
  go(): void;
  exited: Promise<number | null>;
}

/**
 * startChurn starts the churn in `ns`, held until `go()`. Peers start it in
 * their untimed `before` and let it go inside the run: forking the bench's
 * own (large) process and writing the N lines to the child's stdin took the
 * bench process ~10 ms of CPU a run, which counted against the Node
 * subscribers and not against `ip monitor` (whose CPU is its own process's).
 */
function startChurn(ns: string, file: string): Churn {
  const child = spawn('sh', ['-c', 'read go && exec ip -n "$0" -batch "$1"', ns, file], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, go: () => child.stdin!.end('\n'), exited };
}

function procCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * CLOCK_TICK_US; // utime, stime (fields 14, 15)
}

/** cpuPerEvent is the median CPU a subscriber spent per event it saw, µs. */
function cpuPerEvent(tallies: Tally[]): number | undefined {
  return tallies.length ? summarize(tallies.map((t) => t.cpuUs / Math.max(1, t.seen))).median : undefined;
}

function describe(tallies: Tally[], expected: number): string {
  if (!tallies.length) return '';
  const minSeen = Math.min(...tallies.map((t) => t.seen));
  const overruns = tallies.reduce((n, t) => n + t.overruns, 0);
  const rate = summarize(tallies.map((t) => (t.seen / t.ms) * 1000)).median;
  const cpu = cpuPerEvent(tallies)!;
  return `${Math.round(rate).toLocaleString('en')} events/s (median); saw ${minSeen === expected ? 'all' : `as few as ${minSeen} of`} ${expected} per run; ${overruns} overruns in ${tallies.length} runs; ${cpu.toFixed(1)} µs CPU/event`;
}

export const events: Workload = {
  name: 'events',
  summary: "subscribe(['ipv4-addr']) and watch('addresses') vs ip monitor address while ip -batch adds and deletes N addresses (default 5,000)",
  async prepare(fixtures, config, log) {
    const ns = fixtures.scratch('nlkbe');
    ipRun(['-n', ns.name, 'link', 'add', 'ev0', 'type', 'veth', 'peer', 'name', 'ev1']);
    const n = config.churn;
    const expected = 2 * n;
    const adds: string[] = [];
    const dels: string[] = [];
    for (let i = 0; i < n; i++) {
      const a = `10.200.${i >> 8}.${i & 255}/32`;
      adds.push(`addr add ${a} dev ev0`);
      dels.push(`addr del ${a} dev ev0`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'nlkit-events-'));
    const churnFile = join(dir, 'churn.batch');
    writeFileSync(churnFile, [...adds, ...dels].join('\n') + '\n');
    // The churn each run lets go: started by the peer's `before` (armed), taken by its run (fire).
    let ready: Churn | undefined;
    const armed = (before: () => Promise<void>) => async () => {
      await before();
      ready?.child.kill();
      ready = startChurn(ns.name, churnFile);
    };
    const fire = (): Churn => {
      const c = ready!;
      ready = undefined;
      c.go();
      return c;
    };
    const rt = await Rtnl.open({ netns: ns.name });
    const probe = async (until: () => boolean) => {
      ipRun(['-n', ns.name, '-batch', '-'], 'addr add 10.201.0.1/32 dev ev0\naddr del 10.201.0.1/32 dev ev0\n');
      for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!until()) throw new Error('events: the subscriber did not see the probe address come and go');
    };

    // rtnl: the subscription is opened and proven before the clock.
    let sub: Subscription | undefined;
    let probeSeen = 0;
    const rtnlTallies: Tally[] = [];
    const rtnlBefore = async () => {
      sub = rt.subscribe(['ipv4-addr'], { receiveBufferSize: 1 << 20 });
      probeSeen = 0;
      const it = sub;
      const p = (async () => {
        while (probeSeen < 2) {
          const r = await it.next();
          if (r.done) return;
          if (r.value.type === 'new' || r.value.type === 'del') probeSeen++;
        }
      })();
      await probe(() => probeSeen >= 2);
      await p;
    };
    const rtnlRun = async () => {
      const s = sub!;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let last = t0;
      let seen = 0;
      let overruns = 0;
      let exited = false;
      const c = fire();
      void c.exited.then(() => (exited = true));
      const idle = setInterval(() => {
        if (exited && performance.now() - last > IDLE_MS) s.close();
      }, 50);
      try {
        for await (const ev of s) {
          if (ev.type === 'overrun') overruns++;
          else if (ev.type === 'new' || ev.type === 'del') {
            seen++;
            last = performance.now();
            if (seen === expected) break;
          }
        }
      } finally {
        clearInterval(idle);
        s.close();
      }
      const cpu = process.cpuUsage(cpu0);
      const code = await c.exited;
      rtnlTallies.push({ seen, overruns, ms: last - t0, cpuUs: cpu.user + cpu.system });
      return () => (code === 0 && seen * 2 >= expected ? expected : seen);
    };

    // watch: the view is opened (dumped) and proven before the clock, its iterator taken once.
    let view: View<Address> | undefined;
    let viewIt: AsyncIterator<{ type: 'new' | 'del' }> | undefined;
    let viewProbe = 0;
    const watchTallies: Tally[] = [];
    const watchBefore = async () => {
      view = await rt.watch('addresses', undefined, { receiveBufferSize: 1 << 20 });
      viewIt = view[Symbol.asyncIterator]();
      viewProbe = 0;
      const it = viewIt;
      const p = (async () => {
        while (viewProbe < 2) {
          const r = await it.next();
          if (r.done) return;
          viewProbe++;
        }
      })();
      await probe(() => viewProbe >= 2);
      await p;
    };
    const watchRun = async () => {
      const v = view!;
      const it = viewIt!;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let last = t0;
      let seen = 0;
      let exited = false;
      const c = fire();
      void c.exited.then(() => (exited = true));
      const idle = setInterval(() => {
        if (exited && performance.now() - last > IDLE_MS) v.close();
      }, 50);
      try {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          seen++;
          last = performance.now();
          if (seen === expected) break;
        }
      } finally {
        clearInterval(idle);
        v.close();
      }
      const cpu = process.cpuUsage(cpu0);
      const code = await c.exited;
      watchTallies.push({ seen, overruns: v.stats.overruns, ms: last - t0, cpuUs: cpu.user + cpu.system });
      return () => (code === 0 && seen * 2 >= expected ? expected : seen);
    };

    // ip monitor: spawned and proven before the clock.
    let mon: ChildProcess | undefined;
    let lines = 0;
    let lastLine = 0;
    const ipTallies: Tally[] = [];
    const ipBefore = async () => {
      mon = spawn('ip', ['-o', '-n', ns.name, 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'inherit'] });
      lines = 0;
      mon.stdout!.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
        lastLine = performance.now();
      });
      await new Promise((r) => setTimeout(r, 50));
      await probe(() => lines >= 2);
      lines = 0;
    };
    const ipRunMonitor = async () => {
      const m = mon!;
      const t0 = performance.now();
      lastLine = t0;
      const c = fire();
      const code = await c.exited;
      while (lines < expected && performance.now() - lastLine < IDLE_MS) await new Promise((r) => setTimeout(r, 5));
      const seen = lines;
      const cpuUs = procCpuUs(m.pid!);
      m.kill('SIGTERM');
      ipTallies.push({ seen, overruns: 0, ms: lastLine - t0, cpuUs });
      return () => (code === 0 && seen * 2 >= expected ? expected : seen);
    };

    try {
      await rtnlBefore();
      sub!.close();
      await watchBefore();
      view!.close();
      await ipBefore();
      mon!.kill('SIGTERM');
      log(`events: ${n} addresses added then deleted per run (${expected} events); every subscriber proven live with a probe before each run`);
    } catch (err) {
      mon?.kill('SIGTERM');
      rt.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const reps = Math.min(config.repetitions, 5);
    const peers: Peer[] = [
      { name: 'ip monitor', detail: 'ip -o -n NS monitor address, lines counted', ops: expected, expect: expected, repetitions: reps, warmup: 1, before: armed(ipBefore), run: ipRunMonitor, note: () => describe(ipTallies, expected) },
      { name: 'rtnl', detail: "rt.subscribe(['ipv4-addr']), every event decoded", ops: expected, expect: expected, repetitions: reps, warmup: 1, before: armed(rtnlBefore), run: rtnlRun, note: () => describe(rtnlTallies, expected) },
      { name: 'watch', detail: "rt.watch('addresses'), every change applied and its event taken", ops: expected, expect: expected, repetitions: reps, warmup: 1, before: armed(watchBefore), run: watchRun, note: () => describe(watchTallies, expected) },
    ];
    // The project's target: CPU per event at most 1.5x `ip monitor`'s under the same churn.
    const perEvent = (tallies: Tally[]) => quotient(cpuPerEvent(tallies), cpuPerEvent(ipTallies));
    return {
      unit: 'us',
      baseline: 'ip monitor',
      targets: () => [
        { what: 'CPU per event, subscribe / ip monitor', limit: 1.5, unit: 'x', nlkit: perEvent(rtnlTallies), least: undefined },
        { what: 'CPU per event, watch / ip monitor', limit: 1.5, unit: 'x', nlkit: perEvent(watchTallies), least: undefined },
      ],
      peers,
      dispose() {
        sub?.close();
        view?.close();
        mon?.kill('SIGTERM');
        ready?.child.kill();
        rt.close();
        rmSync(dir, { recursive: true, force: true });
        fixtures.drop(ns);
      },
    };
  },
};

export const watchMemory: Workload = {
  name: 'watch-memory',
  summary: "rt.watch('routes') over N routes (default 100,000): time to a consistent view, memory retained",
  async prepare(fixtures, config, log) {
    const fx = fixtures.routes();
    const expected = (JSON.parse(spawnIp(['-j', '-n', fx.ns.name, 'route', 'show', 'table', 'all']).toString('utf8')) as unknown[]).length;
    const rt = await Rtnl.open({ netns: fx.ns.name });
    const gc = fullGc();
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const signed = (bytes: number) => `${bytes < 0 ? '−' : '+'}${mb(Math.abs(bytes))}`;
    const memo = (label: string) => {
      const samples: Array<{ heap: number; buffers: number; rss: number; rssPeak: number }> = [];
      return {
        samples,
        /** Bytes retained per route (heap and ArrayBuffers, medians after GC). */
        perRoute: () =>
          samples.length ? (summarize(samples.map((s) => s.heap)).median + Math.max(0, summarize(samples.map((s) => s.buffers)).median)) / expected : undefined,
        note: () => {
          if (!samples.length) return undefined;
          const heap = summarize(samples.map((s) => s.heap)).median;
          const rss = summarize(samples.map((s) => s.rss)).median;
          // Message copies lazy routes keep in shared slabs are ArrayBuffers, outside the heap.
          const buffers = summarize(samples.map((s) => s.buffers)).median;
          return `${label}: heap retained ${mb(heap)} (${Math.round(heap / expected)} B/route, median after GC) + ${Math.round(Math.max(0, buffers) / expected)} B/route in ArrayBuffers; RSS ${signed(rss)} after GC (median), ${signed(samples[0]!.rssPeak)} before GC on the first run (RSS lags the heap: the allocator keeps freed pages); process maxRSS so far ${mb(process.resourceUsage().maxRSS * 1024)}`;
        },
      };
    };
    const w = memo('view open');
    const l = memo('array held');
    let m0 = process.memoryUsage();
    // The baseline heap, untimed: after a macrotask (the previous run's result stays reachable
    // from the finished async frames until the current job ends: heapUsed then counted the last
    // list's 60 MiB in the baseline and the retained heap came out negative) and two collections.
    const settle = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      gc();
      m0 = process.memoryUsage();
    };
    const measured = (m0: NodeJS.MemoryUsage, count: number, keep: { samples: Array<{ heap: number; buffers: number; rss: number; rssPeak: number }> }, release: () => void) => {
      const peak = process.memoryUsage();
      gc();
      const m1 = process.memoryUsage();
      keep.samples.push({ heap: m1.heapUsed - m0.heapUsed, buffers: m1.arrayBuffers - m0.arrayBuffers, rss: m1.rss - m0.rss, rssPeak: peak.rss - m0.rss });
      release();
      return count;
    };
    try {
      const view = await rt.watch('routes');
      const size = view.snapshot().length;
      view.close();
      if (size !== expected) throw new Error(`watch-memory: the view holds ${size} routes, ip -j route show table all lists ${expected}`);
      log(`watch-memory: the view's snapshot holds ${size} routes = ip -j route show table all`);
    } catch (err) {
      rt.close();
      throw err;
    }
    const reps = Math.min(config.repetitions, 5);
    return {
      unit: 'ms',
      baseline: 'list (kept)',
      // The project's targets: a kept list at most 250 bytes a route, an open view at most 1.5x that.
      targets: () => [
        { what: 'bytes kept per route, list', limit: 250, unit: 'B', nlkit: l.perRoute(), least: undefined },
        { what: 'bytes kept, view / list', limit: 1.5, unit: 'x', nlkit: quotient(w.perRoute(), l.perRoute()), least: undefined },
      ],
      peers: [
        {
          name: 'watch',
          detail: "rt.watch('routes') until the first consistent view",
          expect: expected,
          repetitions: reps,
          warmup: 1,
          before: settle,
          run: async () => {
            const view = await rt.watch('routes');
            return () => measured(m0, view.snapshot().length, w, () => view.close());
          },
          note: w.note,
        },
        {
          name: 'list (kept)',
          detail: "rt.routes.list({ table: 'all' }), the array held",
          expect: expected,
          repetitions: reps,
          warmup: 1,
          before: settle,
          run: async () => {
            let routes: unknown[] | undefined = await rt.routes.list({ table: 'all' });
            return () => measured(m0, routes!.length, l, () => (routes = undefined));
          },
          note: l.note,
        },
      ],
      dispose() {
        rt.close();
      },
    };
  },
};
