/**
 * NetNs.worker: a worker_threads Worker whose thread is inside a network
 * namespace before the caller's module is loaded, so everything the module
 * does — sockets, servers, nlkit handles, asynchronous code across any
 * number of awaits — happens in that namespace. `ns.run()` cannot offer
 * that: it is synchronous because setns(2) moves one thread, and the main
 * thread's event loop cannot stay elsewhere across an await.
 *
 * How the thread gets there (main thread ↔ worker thread):
 *
 *   open ns (own fd) ──▶ new Worker(boot code, { workerData: { fd, module, data, entered, loaded } })
 *                              │ workerData = data  (the module sees only its own)
 *                              │ NetNs.fromPath(/proc/self/fd/FD).enter()   (loads koffi in this thread)
 *   close fd ◀── entered ──────┤ loaded set  (the process's exit waited for it: sys/koffi-threads.ts)
 *                              └▶ import(module)
 *
 * fds are shared by all threads, so the worker re-opens the parent's fd
 * through /proc; the parent holds that fd open until the worker has entered
 * (or has exited), never longer.
 */
import type { MessagePort, Worker, WorkerOptions } from 'node:worker_threads';
import { ArgumentError } from '../sys/errors.js';
import { markKoffiLoaded, startKoffiThread } from '../sys/koffi-threads.js';

/** What the bootstrap receives as workerData. */
interface Boot {
  /** URL of a module that exports NetNs: netns.ts, or the bundle it is part of. */
  self: string;
  /** URL of the caller's module. */
  module: string;
  /** An fd of the parent's, open on the namespace until `entered` says so. */
  fd: number;
  /** A port the bootstrap posts to once it no longer needs `fd`. */
  entered: MessagePort;
  /** The caller's own workerData. */
  data: unknown;
  /** Set once the thread has loaded koffi (entering the namespace does) or failed: see koffi-threads.ts. */
  loaded: SharedArrayBuffer;
}

// CommonJS, run with `eval: true`. workerData is swapped back to the caller's
// value, and syncBuiltinESMExports makes `import { workerData }` see it too.
// When nlkit itself runs from its TypeScript sources (its own tests and
// examples, under tsx), `self` is a .ts file the new thread cannot load
// until it registers tsx (found from the working directory, as eval'd code
// resolves), as the main thread did; the published package is JavaScript
// and never takes that branch.
const BOOTSTRAP = `
const wt = require('node:worker_threads');
const boot = wt.workerData;
wt.workerData = boot.data;
require('node:module').syncBuiltinESMExports();
const self = boot.self.endsWith('.ts')
  ? import('tsx/esm/api').then((tsx) => { tsx.register(); return import(boot.self); })
  : import(boot.self);
self.then(({ NetNs }) => {
  try {
    const ns = NetNs.fromPath('/proc/self/fd/' + boot.fd);
    try { ns.enter(); } finally { ns.close(); }
  } finally {
    ${markKoffiLoaded('boot.loaded')}
    boot.entered.postMessage('entered');
    boot.entered.close();
  }
  return import(boot.module);
}, (err) => {
  ${markKoffiLoaded('boot.loaded')}
  throw err;
});
`;

/** Worker options NetNs.worker takes: those of `new Worker`, except `eval` (the module is a file). */
export type NetNsWorkerOptions = Omit<WorkerOptions, 'eval'>;

/**
 * checkWorkerArgs checks NetNs.worker's module path and options and returns
 * the module's file: URL. Throws ArgumentError before anything is opened.
 */
export function checkWorkerArgs(modulePath: unknown, options: unknown): string {
  const module = moduleUrl(modulePath);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError('options', { expected: 'an object of Worker options', received: options });
  }
  if ('eval' in options) throw new ArgumentError('options.eval', { reason: 'not supported: NetNs.worker loads a module file' });
  return module;
}

/**
 * startNetNsWorker is NetNs.worker's body once its arguments are checked:
 * it starts the worker, which enters the namespace `held` is open on
 * (through /proc/self/fd) and loads `module`. `held` is this call's own
 * handle, closed once the worker has entered or exited; `self` is the URL
 * of a module that exports NetNs (netns.ts, or the bundle it is in). A
 * failure inside the new thread (entering the namespace, loading the
 * module) is the Worker's `error` event.
 */
export function startNetNsWorker(held: { readonly fd: number; close(): void }, self: string, module: string, options: NetNsWorkerOptions): Worker {
  // worker_threads loads on the first NetNs.worker call, not when nlkit is imported.
  const { MessageChannel, Worker } = process.getBuiltinModule('node:worker_threads');
  const channel = new MessageChannel();
  const boot: Omit<Boot, 'loaded'> = { self, module, fd: held.fd, entered: channel.port2, data: options.workerData };
  const release = (): void => {
    held.close(); // idempotent
    channel.port1.close();
  };
  let worker: Worker;
  try {
    // The thread loads koffi (entering the namespace): the process's exit waits for that (koffi-threads.ts).
    worker = startKoffiThread(
      (loaded) =>
        new Worker(BOOTSTRAP, {
          ...options,
          eval: true,
          workerData: { ...boot, loaded },
          transferList: [...(options.transferList ?? []), channel.port2],
        }),
    );
  } catch (e) {
    release();
    throw e;
  }
  channel.port1.once('message', release);
  // The port must not keep the process alive; the worker does that (unless unref()ed).
  channel.port1.unref();
  worker.once('exit', release);
  return worker;
}

/** moduleUrl turns a path (absolute, or relative to the working directory, as `new Worker` takes it) or a file: URL into a file: URL. */
function moduleUrl(modulePath: unknown): string {
  if (modulePath instanceof URL) {
    if (modulePath.protocol !== 'file:') throw new ArgumentError('modulePath', { expected: 'a file: URL or a path', received: modulePath.href });
    return modulePath.href;
  }
  if (typeof modulePath !== 'string' || modulePath.length === 0 || modulePath.includes('\0')) {
    throw new ArgumentError('modulePath', { expected: 'a path or file: URL of a module', received: modulePath });
  }
  if (modulePath.startsWith('file:')) return new URL(modulePath).href;
  const { isAbsolute, resolve } = process.getBuiltinModule('node:path');
  return process.getBuiltinModule('node:url').pathToFileURL(isAbsolute(modulePath) ? modulePath : resolve(modulePath)).href;
}
