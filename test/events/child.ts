/**
 * Child processes for the lifetime and privilege tests: a plain .mjs script
 * (importing nlkit's source through tsx) run by a fresh node, its stdout
 * watched line by line. Files and the tsx cache live in a directory any
 * user can read, so the child may run as another uid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The project root as every user can reach it. A checkout under a private
 * directory (a CI clone in `mktemp -d`, mode 700) cannot be read by the
 * uid-65534 children of the privilege tests; as root inside the test's own
 * mount namespace we then bind-mount the checkout onto a world-traversable
 * directory, visible to this run only and gone with its namespace.
 */
function publicRoot(): string {
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
  let everyone = true;
  for (let d = root; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) everyone = false;
    if (d === dirname(d)) break;
  }
  if (everyone || process.getuid?.() !== 0 || process.env.NLKIT_IN_NETNS !== '1') return root;
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-root-'));
  chmodSync(dir, 0o755);
  execFileSync('mount', ['--bind', root, dir]);
  return dir;
}
const ROOT = publicRoot();

/** projectPath is a path inside the project as a child run as another user reaches it, quoted for a script. */
export function projectPath(relative: string): string {
  return JSON.stringify(join(ROOT, relative));
}

/** The source entry point, for `import … from ${SRC}` in a child script. */
export const SRC = projectPath('src/index.ts');

/** A running child: its output so far, waits on it, and its exit. */
export interface Child {
  readonly out: string[];
  readonly err: string[];
  /** Resolves with the first stdout line matching `re` (rejects after `ms` or when the child exits first). */
  line(re: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit code (a signal name if killed), rejects after `ms`. */
  exited(ms?: number): Promise<number | string>;
  /** Whether it has exited. */
  readonly done: boolean;
  kill(signal?: NodeJS.Signals): void;
  cleanup(): void;
}

/**
 * startChild writes `source` to a world-readable temporary .mjs and runs
 * `[...prefix, node, --import, tsx, file]` from the project root, so tsx
 * resolves; TMPDIR points at the same directory (tsx keeps its cache there,
 * which a root-owned /tmp/tsx-0 would refuse to another uid).
 */
export function startChild(source: string, prefix: string[] = []): Child {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-child-'));
  chmodSync(dir, 0o777);
  const file = join(dir, 'child.mjs');
  writeFileSync(file, source);
  chmodSync(file, 0o644);
  const argv = [...prefix, process.execPath, '--import', 'tsx', file];
  const proc: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  let exit: number | string | undefined;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  let partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    out.push(...lines);
    notify();
  });
  proc.stderr!.on('data', (d: Buffer) => err.push(d.toString()));
  proc.on('exit', (code, signal) => {
    if (partial) out.push(partial);
    exit = code ?? signal ?? 'unknown';
    notify();
  });
  const waitFor = <T>(test: () => T | undefined, ms: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const v = test();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (exit !== undefined && what !== 'exit') {
          done();
          reject(new Error(`child exited (${exit}) before ${what}; stdout: ${out.join('\n')}; stderr: ${err.join('')}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${ms} ms; stdout: ${out.join('\n')}; stderr: ${err.join('')}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return {
    out,
    err,
    line: (re, ms = 30_000) => waitFor(() => out.find((l) => re.test(l)), ms, `a line matching ${re}`),
    exited: (ms = 30_000) => waitFor(() => exit, ms, 'exit'),
    get done() {
      return exit !== undefined;
    },
    kill: (signal = 'SIGTERM') => proc.kill(signal),
    cleanup: () => {
      if (exit === undefined) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
