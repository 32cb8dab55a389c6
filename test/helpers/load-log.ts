/**
 * Cases that check which source files a program loads run in a fresh node
 * process each (through tsx, on the sources), with a module load hook that
 * records every file loaded: what one case loads cannot hide what another
 * does not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** LoadLog runs cases in fresh processes and gives them the list of files loaded so far. */
export class LoadLog {
  readonly #dir = mkdtempSync(join(tmpdir(), 'nlkit-loads-'));
  readonly #log = join(this.#dir, 'loaded.txt');
  readonly #prelude: string;

  /**
   * `prelude`: code run in each case after `Rtnl` is imported from src/index.ts, where
   * `loadedFiles()` returns the log so far (every URL loaded, one per line) and
   * `sleep(ms)` waits; it defines what the cases' bodies call (`loaded`, say).
   */
  constructor(prelude: string) {
    this.#prelude = prelude;
    writeFileSync(
      join(this.#dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(this.#log)}, url + '\\n');
  return next(url, context);
}
`,
    );
    writeFileSync(join(this.#dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  }

  /** run runs `body` (an async function's body, after the prelude) in a fresh process and returns what it returned, through JSON. */
  run(body: string): any {
    const script = join(this.#dir, `case-${Math.random().toString(36).slice(2)}.mts`);
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
const { Rtnl } = await import(${JSON.stringify(join(repo, 'src/index.ts'))});
const loadedFiles = () => readFileSync(${JSON.stringify(this.#log)}, 'utf8');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
${this.#prelude}
const out = await (async () => { ${body} })();
console.log(JSON.stringify(out));
`,
    );
    writeFileSync(this.#log, '');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(this.#dir, 'register.mjs'), script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  }

  /** dispose removes the cases' directory. */
  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
