// A process that ends while one of nlkit's threads is still loading koffi must end cleanly.
// Node ends worker threads at exit by terminating them, and a thread stopped inside koffi's
// native set-up aborts the whole process ("FATAL ERROR: Error::ThrowAsJavaScriptException
// napi_throw", exit code 134): the exit waits until such a thread has loaded koffi
// (src/sys/koffi-threads.ts). Two threads load koffi: the poller's, and NetNs.worker's.
//
// To land the exit inside that set-up every time, the child's thread loads koffi through a
// module that runs koffi's native initialisation many times over (each process.dlopen of the
// addon runs it again) after leaving a mark; the child ends as soon as it sees the mark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { koffiModulePath } from '../../src/sys/libc.js';
import { describeKernel } from '../helpers/kernel.js';

const repo = new URL('../../', import.meta.url).pathname;
/** A source module's path, for the children's imports. */
const src = (path: string) => JSON.stringify(join(repo, 'src', path));
const dir = mkdtempSync(join(tmpdir(), 'nlkit-koffi-exit-'));
// Its .ts files are ES modules (tsx reads the nearest package.json).
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** JavaScript that leaves `mark`, then runs koffi's native initialisation 300 times. */
const slowKoffi = (mark: string) =>
  `process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(mark)}, '');
for (let i = 0; i < 300; i++) process.dlopen({ exports: {} }, ${JSON.stringify(koffiModulePath())});`;

/** The end of a child: once `mark` exists, return (the process ends when nothing is left) or call process.exit. */
const endAtMark = (mark: string, end: 'return' | 'exit') => `
const timer = setInterval(() => {
  if (!existsSync(${JSON.stringify(mark)})) return;
  clearInterval(timer);
  ${end === 'exit' ? 'process.exit(0);' : '// nothing left to run: the process ends'}
}, 1);
`;

/** Runs the child `source` (TypeScript, run by tsx from the repository) and returns how it ended. */
function runChild(name: string, source: string): { status: number | null; stderr: string } {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('a process ending while the poller thread loads koffi', () => {
  it.each(['return', 'exit'] as const)('ends cleanly when its code ends by %s mid-load', (end) => {
    const mark = join(dir, `poller-${end}`);
    const slow = join(dir, `slow-koffi-${end}.cjs`);
    writeFileSync(slow, `${slowKoffi(mark)}\nmodule.exports = require(${JSON.stringify(koffiModulePath())});\n`);
    const { status, stderr } = runChild(
      `poller-${end}`,
      `import { existsSync } from 'node:fs';
import { Poller } from ${src('netlink/poller.ts')};
import * as libc from ${src('sys/libc.ts')};
const poller = new Poller({ koffiPath: ${JSON.stringify(slow)} });
void poller.wait(libc.eventfd(0, libc.EFD_CLOEXEC | libc.EFD_NONBLOCK));
${endAtMark(mark, end)}`,
    );
    expect(stderr).not.toContain('FATAL ERROR');
    expect(status).toBe(0);
  });
});

describeKernel('a process calling process.exit() while a NetNs.worker thread loads koffi', () => {
  it('ends cleanly', () => {
    // The thread imports this module as the one that gives it NetNs (startNetNsWorker's `self`):
    // slow to load koffi at its top level, then nlkit's own NetNs, which enters the namespace.
    const mark = join(dir, 'netns-worker');
    const self = join(dir, 'slow-netns.ts');
    writeFileSync(self, `${slowKoffi(mark)}\nexport { NetNs } from ${src('netns/netns.ts')};\n`);
    const module = join(dir, 'empty.mjs');
    writeFileSync(module, 'export {};\n');
    const { status, stderr } = runChild(
      'netns-worker',
      `import { closeSync, existsSync, openSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startNetNsWorker } from ${src('netns/worker.ts')};
const fd = openSync('/proc/self/ns/net', 'r');
startNetNsWorker({ fd, close: () => { try { closeSync(fd); } catch {} } }, pathToFileURL(${JSON.stringify(self)}).href, pathToFileURL(${JSON.stringify(module)}).href, {});
${endAtMark(mark, 'exit')}`,
    );
    expect(stderr).not.toContain('FATAL ERROR');
    expect(status).toBe(0);
  });
});
