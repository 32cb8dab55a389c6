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
 *   open ns (own fd) ──▶ new Worker(boot code, { workerData: { fd, module, data, entered } })
 *                              │ workerData = data  (the module sees only its own)
 *                              │ NetNs.fromPath(/proc/self/fd/FD).enter()
 *   close fd ◀── entered ──────┤
 *                              └▶ import(module)
 *
 * fds are shared by all threads, so the worker re-opens the parent's fd
 * through /proc; the parent holds that fd open until the worker has entered
 * (or has exited), never longer.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { MessagePort, Worker, WorkerOptions } from 'node:worker_threads';
import { ArgumentError } from '../netlink/errors.js';
import { NetNs, openNetNs, type NetNsLike } from './netns.js';

// The bootstrap imports this very module (or, bundled, the package) for NetNs.
export { NetNs };

/** What the bootstrap receives as workerData. */
interface Boot {
  /** URL of a module that exports NetNs: this file, or the bundle it is part of. */
  self: string;
  /** URL of the caller's module. */
  module: string;
  /** An fd of the parent's, open on the namespace until `entered` says so. */
  fd: number;
  /** A port the bootstrap posts to once it no longer needs `fd`. */
  entered: MessagePort;
  /** The caller's own workerData. */
  data: unknown;
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
    boot.entered.postMessage('entered');
    boot.entered.close();
  }
  return import(boot.module);
});
`;

/** Worker options NetNs.worker takes: those of `new Worker`, except `eval` (the module is a file). */
export type NetNsWorkerOptions = Omit<WorkerOptions, 'eval'>;

/**
 * startNetNsWorker is NetNs.worker's body: it checks its arguments, opens
 * `ns` (a handle of its own, so the caller may close theirs at once) and
 * starts the worker. Throws ArgumentError for a bad module path or options,
 * and what openNetNs throws (NetNsError, ClosedError) — synchronously,
 * before any thread starts. A failure inside the new thread (entering the
 * namespace, loading the module) is the Worker's `error` event.
 */
export function startNetNsWorker(ns: NetNsLike, modulePath: string | URL, options: NetNsWorkerOptions = {}): Worker {
  const module = moduleUrl(modulePath);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError('options', { expected: 'an object of Worker options', received: options });
  }
  if ('eval' in options) throw new ArgumentError('options.eval', { reason: 'not supported: NetNs.worker loads a module file' });
  const nameOk = typeof ns === 'string' && ns.length > 0 && !ns.includes('\0');
  if (!(ns instanceof NetNs) && !nameOk && !(typeof ns === 'number' && Number.isSafeInteger(ns) && ns > 0)) {
    throw new ArgumentError('ns', { expected: 'a NetNs, a name under /run/netns, an absolute path or a pid', received: ns });
  }
  const { ns: given, owned } = openNetNs(ns);
  // Our own fd: the caller may close theirs while the thread is starting.
  const held = owned ? given : NetNs.fromPath(`/proc/self/fd/${given.fd}`);
  // worker_threads loads on the first NetNs.worker call, not when nlkit is imported.
  const { MessageChannel, Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const channel = new MessageChannel();
  const boot: Boot = { self: import.meta.url, module, fd: held.fd, entered: channel.port2, data: options.workerData };
  const release = (): void => {
    held.close(); // idempotent
    channel.port1.close();
  };
  let worker: Worker;
  try {
    worker = new Worker(BOOTSTRAP, {
      ...options,
      eval: true,
      workerData: boot,
      transferList: [...(options.transferList ?? []), channel.port2],
    });
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
  return pathToFileURL(isAbsolute(modulePath) ? modulePath : resolve(modulePath)).href;
}
