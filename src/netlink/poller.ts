/**
 * Poller: the one place where nlkit waits for sockets to become readable.
 *
 * Waiting must never block the JavaScript thread, and many idle
 * subscriptions must not each hold a thread of Node's pool. So every socket
 * in the process shares one epoll descriptor, and one worker thread sits in
 * `epoll_wait` on it and posts the ready tokens back. Registrations are
 * EPOLLONESHOT: a socket fires once, then stays quiet until its owner asks
 * to wait again (after draining it), so the worker never spins.
 *
 * The worker is unref'd unless some wait is "ref'd" (a request awaiting its
 * reply, a stream whose consumer waits in `next()`): a pending request or a
 * monitor loop keeps the process alive, an idle socket does not. A process that exits wakes the worker through an eventfd
 * so Node can join it.
 */
import type { Worker } from 'node:worker_threads';
import * as libc from '../sys/libc.js';
import { markKoffiLoaded, startKoffiThread } from '../sys/koffi-threads.js';
import { AbortError, ClosedError, NetlinkError, SyscallError, TimeoutError } from './errors.js';
import { checkWaitOptions, longTimeout, type LongTimer } from './options.js';

/** Options for one wait. */
export interface WaitOptions {
  /** Keep the process alive while waiting (requests, and streams a consumer waits on). */
  ref?: boolean;
  /** Give up after this many milliseconds with TimeoutError. */
  timeout?: number;
  /** Give up when aborted, with AbortError (its `cause` is the signal's reason). */
  signal?: AbortSignal;
}

interface Waiter {
  fd: number;
  registered: boolean;
  resolve: (() => void) | undefined;
  reject: ((err: Error) => void) | undefined;
  ref: boolean;
}

// Runs in the worker: load koffi and say so (koffi-threads.ts), block in epoll_wait, post ready
// tokens, stop on token 0.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let koffi, epollWait;
try {
  koffi = require(workerData.koffiPath);
  epollWait = koffi.load('libc.so.6').func('int epoll_wait(int, void *, int, int)');
} finally {
  ${markKoffiLoaded('workerData.loaded')}
}
const { epfd, eventSize } = workerData;
const events = new Uint8Array(64 * eventSize);
const view = new DataView(events.buffer);
for (;;) {
  const n = epollWait(epfd, events, 64, -1);
  if (n < 0) { const e = koffi.errno(); if (e === 4) continue; parentPort.postMessage({ errno: e }); break; }
  const tokens = [];
  let stop = false;
  for (let i = 0; i < n; i++) {
    const token = view.getUint32(i * eventSize + 4, true);
    if (token === 0) stop = true; else tokens.push(token);
  }
  if (tokens.length) parentPort.postMessage(tokens);
  if (stop) break;
}
`;

export class Poller {
  /** The module the thread loads koffi from; by default the one nlkit loaded (a test gives its own). */
  private readonly koffiPath: string | undefined;
  private epfd = -1;
  private wakeFd = -1;
  private worker: Worker | undefined;
  private readonly waiters = new Map<number, Waiter>();
  private readonly byFd = new Map<number, number>();
  private nextToken = 1;
  private refs = 0;
  private readonly event = new Uint8Array(libc.EPOLL_EVENT_SIZE);
  private readonly eventView = new DataView(this.event.buffer);

  constructor(options: { koffiPath?: string } = {}) {
    this.koffiPath = options.koffiPath;
  }

  private start(): void {
    if (this.worker) return;
    this.epfd = libc.epollCreate();
    this.wakeFd = libc.eventfd(0, libc.EFD_CLOEXEC | libc.EFD_NONBLOCK);
    this.ctl(libc.EPOLL_CTL_ADD, this.wakeFd, 0, libc.EPOLLIN);
    // worker_threads is loaded here, on the first wait, not when nlkit is imported (and not by import: see src/index.ts).
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const koffiPath = this.koffiPath ?? libc.koffiModulePath();
    const worker = startKoffiThread(
      (loaded) =>
        new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { koffiPath, epfd: this.epfd, eventSize: libc.EPOLL_EVENT_SIZE, loaded },
          stdout: false,
          stderr: false,
        }),
    );
    worker.on('message', (msg: number[] | { errno: number }) => {
      if (!Array.isArray(msg)) return this.failAll(new SyscallError('epoll_wait', msg.errno, 'poller thread'));
      for (const token of msg) this.fire(token);
    });
    // If the thread dies, no wait would ever end: fail them now rather than hang.
    worker.on('error', (err) => this.failAll(new NetlinkError(`nlkit poller thread failed: ${err.message}`, { cause: err })));
    worker.unref();
    this.worker = worker;
    // Node joins worker threads at exit: wake ours so it can return.
    process.once('exit', () => this.stop());
  }

  /**
   * stop wakes and ends the worker thread (at process exit). It runs after the exit has
   * waited for the thread to load koffi: startKoffiThread registered that wait (an `exit`
   * listener, koffi-threads.ts) before start() registered this one.
   */
  private stop(): void {
    if (this.wakeFd < 0) return;
    const one = new Uint8Array(8);
    one[0] = 1;
    try {
      libc.write(this.wakeFd, one, 8);
    } catch {
      // Nothing more can be done at exit.
    }
  }

  private ctl(op: number, fd: number, token: number, events: number): void {
    this.eventView.setUint32(0, events, true);
    // epoll_data is a union at offset 4 (packed, x86-64) or 8 (arm64); token in its low 32 bits.
    const at = libc.EPOLL_EVENT_SIZE === 12 ? 4 : 8;
    this.eventView.setUint32(at, token, true);
    this.eventView.setUint32(at + 4, 0, true);
    libc.epollCtl(this.epfd, op, fd, op === libc.EPOLL_CTL_DEL ? null : this.event);
  }

  private fire(token: number): void {
    const w = this.waiters.get(token);
    if (!w || !w.resolve) return;
    const resolve = w.resolve;
    this.settle(w);
    resolve();
  }

  private settle(w: Waiter): void {
    w.resolve = undefined;
    w.reject = undefined;
    if (w.ref) {
      w.ref = false;
      this.refs--;
      if (this.refs === 0) this.worker?.unref();
    }
  }

  /**
   * wait resolves when `fd` is readable. At most one wait per fd at a time.
   * Rejects with TimeoutError, AbortError, or ClosedError (from `forget`).
   */
  wait(fd: number, options: WaitOptions = {}): Promise<void> {
    checkWaitOptions(options);
    this.start();
    let token = this.byFd.get(fd);
    let w = token === undefined ? undefined : this.waiters.get(token);
    if (!w) {
      token = this.nextToken++;
      if (this.nextToken > 0xffffffff) this.nextToken = 1;
      w = { fd, registered: false, resolve: undefined, reject: undefined, ref: false };
      this.waiters.set(token, w);
      this.byFd.set(fd, token);
    }
    const waiter = w;
    if (waiter.resolve) return Promise.reject(new Error(`nlkit: fd ${fd} already has a waiter`));
    if (options.signal?.aborted) return Promise.reject(new AbortError('wait aborted', { cause: options.signal.reason }));
    return new Promise<void>((resolve, reject) => {
      let timer: LongTimer | undefined;
      const onAbort = () => fail(new AbortError('wait aborted', { cause: options.signal?.reason }));
      const cleanup = () => {
        timer?.clear();
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        if (waiter.reject !== fail) return;
        cleanup();
        this.settle(waiter);
        reject(err);
      };
      waiter.resolve = () => {
        cleanup();
        resolve();
      };
      waiter.reject = fail;
      if (options.ref) {
        waiter.ref = true;
        if (this.refs++ === 0) this.worker?.ref();
      }
      if (options.timeout !== undefined && options.timeout !== Infinity) {
        timer = longTimeout(options.timeout, () => fail(new TimeoutError(`no reply within ${options.timeout} ms`)), options.ref ?? false);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.ctl(waiter.registered ? libc.EPOLL_CTL_MOD : libc.EPOLL_CTL_ADD, fd, token!, libc.EPOLLIN | libc.EPOLLONESHOT);
        waiter.registered = true;
      } catch (err) {
        fail(err as Error);
      }
    });
  }

  /** failAll rejects every pending wait (the waiting thread is gone). */
  private failAll(err: Error): void {
    for (const w of this.waiters.values()) w.reject?.(err);
  }

  /** setRef changes whether the current wait on `fd` keeps the process alive. */
  setRef(fd: number, ref: boolean): void {
    const token = this.byFd.get(fd);
    const w = token === undefined ? undefined : this.waiters.get(token);
    if (!w || !w.resolve || w.ref === ref) return;
    w.ref = ref;
    if (ref) {
      if (this.refs++ === 0) this.worker?.ref();
    } else if (--this.refs === 0) this.worker?.unref();
  }

  /** forget removes `fd` before it is closed; a pending wait rejects with ClosedError at once. */
  forget(fd: number): void {
    const token = this.byFd.get(fd);
    if (token === undefined) return;
    const w = this.waiters.get(token)!;
    this.byFd.delete(fd);
    this.waiters.delete(token);
    if (w.registered) {
      try {
        this.ctl(libc.EPOLL_CTL_DEL, fd, 0, 0);
      } catch {
        // Already gone from the set; nothing to undo.
      }
    }
    w.reject?.(new ClosedError('socket closed while waiting'));
  }
}

/** The process-wide poller (lazily starts its worker on the first wait). */
export const poller = new Poller();
