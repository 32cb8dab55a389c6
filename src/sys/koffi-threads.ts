/**
 * Threads of nlkit's that load koffi (the poller's, NetNs.worker's), and a
 * process's exit.
 *
 * Node ends worker threads at exit by terminating them, and a thread stopped
 * inside koffi's native set-up aborts the whole process ("FATAL ERROR:
 * Error::ThrowAsJavaScriptException napi_throw", exit code 134): a program
 * that started a wait, or a NetNs.worker, and ended (or called
 * `process.exit()`) within the few ms that thread takes to load koffi
 * crashed. So such a thread sets a flag in shared memory once koffi is loaded
 * (or it gave up), and the exit waits for every flag not set yet.
 */
import type { Worker } from 'node:worker_threads';

/** How long a process's exit waits, in all, for threads still loading koffi; one that starts at all takes a few to a few tens of ms. */
const LOAD_WAIT_MS = 2000;

/** The flags of threads that may still be loading koffi. */
const loading = new Set<Int32Array>();
let exitHooked = false;

/**
 * startKoffiThread starts a thread with `start`, which passes `loaded` (a
 * SharedArrayBuffer) to it, for the thread's code to set with
 * markKoffiLoaded once koffi is loaded or failed to load. Until then, or
 * until the thread ends, the process's exit waits (waitForKoffiLoads).
 */
export function startKoffiThread<W extends Worker>(start: (loaded: SharedArrayBuffer) => W): W {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = start(flag.buffer as SharedArrayBuffer);
  loading.add(flag);
  worker.once('exit', () => loading.delete(flag));
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', waitForKoffiLoads);
  }
  return worker;
}

/**
 * waitForKoffiLoads blocks until every thread started by startKoffiThread
 * has loaded koffi (or ended), LOAD_WAIT_MS in all at most. It is an `exit`
 * listener, registered before any thread's own exit step (the poller's is
 * registered after its thread starts), and runs before Node terminates them.
 */
function waitForKoffiLoads(): void {
  const deadline = Date.now() + LOAD_WAIT_MS;
  for (const flag of loading) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    if (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, left);
    if (Atomics.load(flag, 0) !== 0) loading.delete(flag);
  }
}

/** markKoffiLoaded is JavaScript for a thread's own source: it sets the flag `buffer` (an expression naming the SharedArrayBuffer) and wakes the exit waiting on it. */
export function markKoffiLoaded(buffer: string): string {
  return `{ const flag = new Int32Array(${buffer}); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); }`;
}
