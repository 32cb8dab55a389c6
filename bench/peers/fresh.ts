/**
 * Fresh-process peers: every run is a new process, so what is timed is what a
 * CLI, a CNI plugin or a test harness pays — process start, module loading,
 * V8 compiling and running the decoders cold, and the call itself.
 *
 * - Node children run the built package (dist/, the files `npm pack` ships),
 *   not the TypeScript sources, and print one JSON line: at least `count` and
 *   `maxRss` (their own peak resident set, KiB, from process.resourceUsage()).
 * - The C floor (floor/floor.c) is compiled here with gcc: a dump with plain
 *   send/recv walking only nlmsghdrs, timing each of its calls itself.
 *
 * A child's own timings (import, first call, hot call) come back in its JSON
 * and are summarised by `FreshSamples`; the harness times the whole process
 * from the parent (spawnSync: fork + exec + exit, as a program shelling out
 * would see it).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** ChildReport is the JSON line a fresh child prints. */
export interface ChildReport {
  /** Objects the call returned (1 for processes that only start or import). */
  count: number;
  /** Peak resident set of the child, KiB (Node children only). */
  maxRss?: number;
  /** In-process time of the import, ms. */
  importMs?: number;
  /** In-process time of each call, ms (the C floor prints µs as `us`; converted). */
  ms?: number[];
}

/** runChild runs `cmd args` to completion and parses the last line of its stdout as a ChildReport. */
export function runChild(cmd: string, args: readonly string[]): ChildReport {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 26, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited ${r.status}: ${r.stderr.trim().slice(0, 2000)}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const report = JSON.parse(line) as ChildReport & { us?: number[] };
  if (report.us) report.ms = report.us.map((us) => us / 1000);
  return report;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * builtPackage returns the file URL of dist/index.js, running `npm run build` first when dist/
 * is missing or older than src/ (the fresh workloads measure what users install).
 */
export function builtPackage(log: (line: string) => void): string {
  const entry = join(repo, 'dist/index.js');
  const inputs = Math.max(newestMtime(join(repo, 'src')), statSync(join(repo, 'tsup.config.ts')).mtimeMs);
  if (!existsSync(entry) || statSync(entry).mtimeMs < inputs) {
    log('fresh: dist/ is missing or older than src/: npm run build');
    const r = spawnSync('npm', ['run', 'build'], { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return pathToFileURL(entry).href;
}

/**
 * builtRevision builds the package as it was at git revision `rev` (JavaScript only: tsup,
 * in a temporary worktree that borrows this checkout's node_modules) and returns the file
 * URL of its index.js. Builds are kept by commit under scratch/bench-builds/ (ignored by
 * git), inside the repository on purpose: package.json's `"type": "module"` must apply to
 * them, as it does to dist/. A copy elsewhere (in /tmp, say) has no package.json above it,
 * and Node then reads each of its files once more to detect the module format (~1.5 ms
 * and ~350 kB at import): a comparison against such a copy favours the other build.
 */
export function builtRevision(rev: string, log: (line: string) => void): string {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  };
  const sha = git('rev-parse', '--verify', `${rev}^{commit}`);
  const out = join(repo, 'scratch', 'bench-builds', sha);
  const entry = join(out, 'index.js');
  if (!existsSync(entry)) {
    const tree = mkdtempSync(join(tmpdir(), 'nlkit-bench-rev-'));
    try {
      git('worktree', 'add', '--detach', tree, sha);
      symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
      log(`fresh: building ${rev} (${sha.slice(0, 12)}) for --against`);
      const r = spawnSync('npx', ['tsup'], { cwd: tree, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tsup at ${rev} failed:\n${r.stdout}\n${r.stderr}`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(dirname(out), { recursive: true });
      cpSync(join(tree, 'dist'), out, { recursive: true });
    } finally {
      spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: repo });
      rmSync(tree, { recursive: true, force: true });
    }
  }
  return pathToFileURL(entry).href;
}

/** cFloor compiles floor/floor.c with gcc (once per source version) and returns the binary's path. */
export function cFloor(log: (line: string) => void): string {
  const source = join(repo, 'bench/floor/floor.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'nlkit-bench');
  const binary = join(dir, `floor-${hash}`);
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, source], { encoding: 'utf8' });
    if (r.error) throw new Error(`fresh: cannot run gcc to build the C floor: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`fresh: gcc failed on ${source}:\n${r.stderr}`);
    log(`fresh: built the C floor ${binary}`);
  }
  return binary;
}

/** median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Calls before "hot": the hot figures are after 30 warm-ups. */
const HOT_AFTER = 30;

/** FreshSamples collects the reports of one peer's timed runs. */
export class FreshSamples {
  readonly reports: ChildReport[] = [];
  private seen = 0;

  /** @param skip runs to leave out first: the peer's warm-up runs. */
  constructor(private readonly skip: number) {}

  /** add records a report (unless it is a warm-up run's) and returns its count: a Peer's outcome. */
  add(report: ChildReport): number {
    if (this.seen++ >= this.skip) this.reports.push(report);
    return report.count;
  }

  /** maxRss is the median peak RSS, MiB. */
  maxRss(): number | undefined {
    const v = this.reports.map((r) => r.maxRss).filter((x): x is number => x !== undefined);
    return v.length ? median(v) / 1024 : undefined;
  }

  /** importMs is the median in-process import time, ms. */
  importMs(): number | undefined {
    const v = this.reports.map((r) => r.importMs).filter((x): x is number => x !== undefined);
    return v.length ? median(v) : undefined;
  }

  /**
   * hot is the median, over runs, of each run's median of its calls after the 30th (of the
   * last call where a run makes 30 or fewer), ms.
   */
  hot(): number | undefined {
    const v = this.reports
      .map((r) => (r.ms && r.ms.length ? median(r.ms.length > HOT_AFTER ? r.ms.slice(HOT_AFTER) : r.ms.slice(-1)) : undefined))
      .filter((x): x is number => x !== undefined);
    return v.length ? median(v) : undefined;
  }

  /** call is the median time of call `i` (0: first, 1: second, -1: last), ms. */
  call(i: number): number | undefined {
    const v = this.reports.map((r) => (r.ms ? r.ms.at(i) : undefined)).filter((x): x is number => x !== undefined);
    return v.length ? median(v) : undefined;
  }
}
