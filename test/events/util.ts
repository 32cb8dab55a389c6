/**
 * Helpers for the event tests: wait for a matching event with a deadline,
 * run `ip -batch` in another process, and compare a view with `ip -j`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { run } from '../helpers/kernel.js';

/** next resolves with the first value of `it` that `match` accepts (collecting every value seen), or rejects after `ms`. */
export async function until<T>(it: AsyncIterator<T>, match: (v: T) => boolean, ms = 5000, seen: T[] = []): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no matching event within ${ms} ms; saw ${seen.length}: ${describe(seen.slice(-5))}`);
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([it.next(), new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), left)))]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`no matching event within ${ms} ms; saw ${seen.length}: ${describe(seen.slice(-5))}`);
    if (r.done) throw new Error('the stream ended');
    seen.push(r.value);
    if (match(r.value)) return r.value;
  }
}

function describe(v: unknown): string {
  return JSON.stringify(v, (k, x) => (k === 'attrs' || k === 'stats' ? undefined : typeof x === 'bigint' ? String(x) : x));
}

/** runBatch runs `ip -n NS -batch -` with `lines` in another process; resolves when it exits (rejects on failure). */
export function runBatch(ns: string, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ip -batch exited ${code}: ${err.slice(0, 500)}`))));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/**
 * churnLines makes `ip -batch` lines adding `count` /32 addresses
 * BASE.A.B.C spread over `devs` (the kernel's IPv4 address list is linear
 * per device, so one device would make the churn itself quadratic), then
 * deleting every other one.
 */
export function churnLines(devs: readonly string[], count: number, base = 10): string[] {
  const addr = (i: number) => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev ${devs[i % devs.length]}`;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`addr add ${addr(i)}`);
  for (let i = 0; i < count; i += 2) lines.push(`addr del ${addr(i)}`);
  return lines;
}

/** makeBridges creates `n` bridges PREFIX0… in `ns`, up, and returns their names. */
export function makeBridges(ns: string, prefix: string, n: number): string[] {
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  runSync(ns, names.flatMap((d) => [`link add ${d} type bridge`, `link set ${d} up`]));
  return names;
}

/** deleteLinks deletes the named links from `ns`. */
export function deleteLinks(ns: string, names: readonly string[]): void {
  runSync(ns, names.map((d) => `link del ${d}`));
}

function runSync(ns: string, lines: string[]): void {
  run('ip', ['-n', ns, '-batch', '-'], lines.join('\n') + '\n');
}

/** ipAddressKeys lists `ifindex address/prefix` for every address `ip -j addr show` reports. */
export function ipAddressKeys(ns: string): string[] {
  const out: string[] = [];
  // ip's JSON for tens of thousands of addresses is far beyond execFileSync's default 1 MiB.
  const json = execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const link of JSON.parse(json) as any[]) for (const a of link.addr_info ?? []) out.push(`${link.ifindex} ${a.local}/${a.prefixlen}`);
  return out.sort();
}

/** sleep resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** settle polls `check` until it returns true or `ms` pass; returns the last result. */
export async function settle(check: () => boolean, ms = 15000, every = 100): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(every);
  }
}
