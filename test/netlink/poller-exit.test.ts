// A process that ends while the poller thread is still loading koffi must end cleanly. Node
// stops worker threads at exit by terminating them, and a thread stopped inside koffi's native
// set-up aborts the whole process ("FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw",
// exit code 134): the poller makes the exit wait until its thread has loaded koffi.
//
// To land the exit inside that set-up every time, the child's poller loads koffi through a
// module that runs koffi's native initialisation many times over (each process.dlopen of the
// addon runs it again) after leaving a mark; the child ends as soon as it sees the mark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { koffiModulePath } from '../../src/sys/libc.js';

/** A source module's path, for the child's imports. */
const src = (path: string) => JSON.stringify(new URL(`../../src/${path}`, import.meta.url).pathname);
const dir = mkdtempSync(join(tmpdir(), 'nlkit-poller-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a child that starts an unref'd wait on a poller whose thread loads koffi slowly, then ends the way `end` says. */
function runChild(end: 'return' | 'exit'): { status: number | null; stderr: string } {
  const mark = join(dir, `started-${end}`);
  const slow = join(dir, `slow-koffi-${end}.cjs`);
  const addon = koffiModulePath();
  writeFileSync(
    slow,
    `require('node:fs').writeFileSync(${JSON.stringify(mark)}, '');
for (let i = 0; i < 300; i++) process.dlopen({ exports: {} }, ${JSON.stringify(addon)});
module.exports = require(${JSON.stringify(addon)});
`,
  );
  const file = join(dir, `child-${end}.mts`);
  writeFileSync(
    file,
    `import { existsSync } from 'node:fs';
import { Poller } from ${src('netlink/poller.ts')};
import * as libc from ${src('sys/libc.ts')};
const poller = new Poller({ koffiPath: ${JSON.stringify(slow)} });
void poller.wait(libc.eventfd(0, libc.EFD_CLOEXEC | libc.EFD_NONBLOCK));
const timer = setInterval(() => {
  if (!existsSync(${JSON.stringify(mark)})) return;
  clearInterval(timer);
  ${end === 'exit' ? 'process.exit(0);' : '// nothing left to run: the process ends'}
}, 1);
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('a process ending while the poller thread loads koffi', () => {
  it.each(['return', 'exit'] as const)('ends cleanly when its code ends by %s mid-load', (end) => {
    const { status, stderr } = runChild(end);
    expect(stderr).not.toContain('FATAL ERROR');
    expect(status).toBe(0);
  });
});
