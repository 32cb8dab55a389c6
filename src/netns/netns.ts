/**
 * Network namespaces: handles opened from a path, a name under /run/netns, a
 * pid or the calling thread; named namespaces created and deleted the way
 * iproute2's `ip netns add`/`delete` do it, so `ip netns exec NAME` and
 * `ip -n NAME` see ours and we see theirs.
 *
 * A socket belongs to the namespace its creating thread was in when
 * `socket()` ran. `run()` switches the calling thread with setns(2), runs a
 * synchronous function and switches back, all on the JS thread, so no other
 * JS code runs while the thread is elsewhere. setns(CLONE_NEWNET) and
 * unshare(CLONE_NEWNET) change only the calling thread — Node's other
 * threads (libuv pool, workers) keep their namespace — which is also why
 * every path here is `/proc/thread-self/…`, never `/proc/self/…` (the main
 * thread's, wrong in a worker).
 *
 *   NetNs handle ──fd──▶ nsfs inode "net:[4026532xyz]"  ◀── identity (dev, ino)
 *        ▲                        ▲
 *   /run/netns/NAME (bind mount)  /proc/PID/ns/net, /proc/thread-self/ns/net
 */
import * as libc from '../sys/libc.js';
import { ArgumentError, ClosedError, SyscallError } from '../sys/errors.js';
import { checkFunction } from '../sys/args.js';
import { InvalidNetNsNameError, NetNsError, NetNsStrandedError, type NetNsOperation } from './errors.js';
import type { Worker } from 'node:worker_threads';
import { checkWorkerArgs, startNetNsWorker, type NetNsWorkerOptions } from './worker.js';

// A builtin through process.getBuiltinModule, not import (see src/index.ts).
const fs = process.getBuiltinModule('node:fs');

/** NETNS_RUN_DIR is where named namespaces are bind-mounted (iproute2's `/var/run/netns`, which is `/run/netns`). */
export const NETNS_RUN_DIR = '/run/netns';

/** THREAD_NETNS_PATH is the calling thread's own network-namespace file. */
export const THREAD_NETNS_PATH = '/proc/thread-self/ns/net';

/** NetNsIdentity is a namespace's identity: the (st_dev, st_ino) of its nsfs file. Two handles name the same namespace iff both are equal. */
export interface NetNsIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

/**
 * NetNsLike is anything that names a network namespace: a NetNs handle
 * (borrowed, never closed by whoever resolves it), an absolute path
 * (`/run/netns/blue`, `/proc/42/ns/net`), a name under /run/netns (`"blue"`)
 * or a pid (its `/proc/PID/ns/net`).
 */
export type NetNsLike = NetNs | string | number;

const ENOENT = 2;
const EINVAL = 22;
const ENOTTY = 25;
const NAME_MAX = 255;

/** Namespace kinds by CLONE_NEW* flag, for messages. */
const NS_TYPE_NAMES: Record<number, string> = {
  0x00020000: 'mnt', // CLONE_NEWNS
  0x02000000: 'cgroup', // CLONE_NEWCGROUP
  0x04000000: 'uts', // CLONE_NEWUTS
  0x08000000: 'ipc', // CLONE_NEWIPC
  0x10000000: 'user', // CLONE_NEWUSER
  0x20000000: 'pid', // CLONE_NEWPID
  0x40000000: 'net', // CLONE_NEWNET
  0x00000080: 'time', // CLONE_NEWTIME
};

/**
 * NetNs is an open handle (a read-only, close-on-exec fd) on a network
 * namespace. The handle owns its fd: `close()` (or `using`) releases it, and
 * a namespace stays alive while any handle on it is open, even after its
 * name is deleted. Obtain one with the static `current`, `fromPath`,
 * `fromName`, `fromPid` or `create`; there is no public constructor.
 */
export class NetNs implements Disposable {
  #fd: number;
  readonly #path: string;
  #identity: NetNsIdentity | undefined;

  private constructor(fd: number, path: string) {
    this.#fd = fd;
    this.#path = path;
  }

  /**
   * NetNs.current opens the calling thread's network namespace
   * (`/proc/thread-self/ns/net`). The caller owns the returned handle.
   * Throws NetNsError (operation `"open"`) when /proc cannot be read.
   */
  static current(): NetNs {
    return new NetNs(openCurrentFd(), THREAD_NETNS_PATH);
  }

  /**
   * NetNs.fromPath opens the network namespace file at `path` — a bind mount
   * such as `/run/netns/blue` or a `/proc/PID/ns/net` link — and checks it
   * really is a network namespace. The caller owns the returned handle.
   * Throws NetNsError (operation `"open"`): `code` `"ENOENT"` when the path
   * does not exist, `"EINVAL"` when it is not a network namespace (for
   * example an empty /run/netns file left without its bind mount), or the
   * errno of the failed open. No fd is left open when it throws.
   */
  static fromPath(path: string): NetNs {
    checkNetNsPath(path, 'path');
    return new NetNs(openNetNsFd(path, 'open'), path);
  }

  /**
   * NetNs.ofSocket opens the network namespace socket `fd` lives in
   * (ioctl SIOCGSKNS): where a netlink socket talks to, whichever thread
   * made it. The caller owns the returned handle. Throws SyscallError,
   * NetNsError.
   */
  static ofSocket(fd: number): NetNs {
    const nsFd = libc.socketNetnsFd(fd);
    try {
      return NetNs.fromPath(`/proc/thread-self/fd/${nsFd}`);
    } finally {
      libc.close(nsFd);
    }
  }

  /**
   * NetNs.fromName opens the named namespace `/run/netns/NAME`, as
   * `ip netns add NAME` makes. The caller owns the returned handle.
   * Throws InvalidNetNsNameError before touching anything when the name is
   * not valid, and NetNsError as fromPath does (`"ENOENT"` when no such
   * namespace exists).
   */
  static fromName(name: string): NetNs {
    validateName(name, 'open');
    return NetNs.fromPath(namePath(name));
  }

  /**
   * NetNs.fromPid opens the network namespace of process `pid`
   * (`/proc/PID/ns/net`, its main thread's). The caller owns the returned
   * handle. Throws NetNsError (operation `"open"`): `"EINVAL"` when `pid`
   * is not a positive integer, `"ENOENT"` when there is no such process,
   * `"EACCES"`/`"EPERM"` when it may not be inspected.
   */
  static fromPid(pid: number): NetNs {
    if (typeof pid !== 'number') throw new ArgumentError('pid', { expected: 'a positive integer', received: pid });
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new NetNsError('open', undefined, EINVAL, `pid must be a positive integer, got ${String(pid)}`);
    }
    return NetNs.fromPath(`/proc/${pid}/ns/net`);
  }

  /**
   * NetNs.create makes a new, empty network namespace (only a down `lo`) and
   * names it NAME, exactly as `ip netns add NAME`: it creates /run/netns
   * (mode 0755) if missing, makes it a shared mount point (under an flock,
   * as iproute2 does, so unmounts propagate to other mount namespaces),
   * creates the empty file /run/netns/NAME, `unshare(CLONE_NEWNET)`s the
   * calling thread, bind-mounts `/proc/thread-self/ns/net` onto that file
   * and `setns`es the thread back. The caller owns the returned handle
   * (path `/run/netns/NAME`); the name stays until `NetNs.delete(NAME)`.
   *
   * Throws InvalidNetNsNameError before touching anything for a bad name;
   * NetNsError (operation `"create"`) with `"EEXIST"` when the name is taken
   * (the existing file is left alone), or with the errno of the failed step;
   * on every such failure the file and mount it made are removed and the
   * thread is back in its namespace. Throws NetNsStrandedError if the thread
   * could not be switched back (the name is then removed too).
   */
  static create(name: string): NetNs {
    validateName(name, 'create');
    const path = namePath(name);
    prepareRunDir();
    try {
      // O_EXCL: the name is ours only if we made the file; 0 mode as iproute2.
      fs.closeSync(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0));
    } catch (e) {
      throw createError(path, e);
    }

    let saved: number;
    try {
      saved = openCurrentFd('create');
    } catch (e) {
      removeQuietly(path, false);
      throw e;
    }
    try {
      libc.unshare(libc.CLONE_NEWNET);
    } catch (e) {
      // unshare failed as a whole: the thread is where it was.
      closeQuietly(saved);
      removeQuietly(path, false);
      throw createError(path, e, 'unshare(CLONE_NEWNET) failed');
    }
    // The thread is in the new namespace now; every path below goes back.
    let created = -1;
    let mounted = false;
    let failure: unknown;
    let failed = false;
    try {
      created = libc.open(THREAD_NETNS_PATH, libc.O_RDONLY | libc.O_CLOEXEC);
      libc.mount(THREAD_NETNS_PATH, path, 'none', libc.MS_BIND);
      mounted = true;
    } catch (e) {
      failed = true;
      failure = e;
    }
    const undo = (): void => {
      if (created >= 0) closeQuietly(created);
      removeQuietly(path, mounted);
    };
    restoreOrStrand(saved, failed ? failure : undefined, undo);
    closeQuietly(saved);
    if (failed) {
      undo();
      throw createError(path, failure);
    }
    return new NetNs(created, path);
  }

  /**
   * NetNs.delete removes the name NAME as `ip netns delete NAME` does:
   * detaches the bind mount (umount2 MNT_DETACH) and unlinks
   * /run/netns/NAME. The namespace itself lives on while any process,
   * socket or open NetNs still refers to it. Throws InvalidNetNsNameError
   * for a bad name, NetNsError (operation `"delete"`) with `"ENOENT"` when
   * there is no such name, or the errno of the failed umount/unlink.
   */
  static delete(name: string): void {
    validateName(name, 'delete');
    const path = namePath(name);
    try {
      libc.umount2(path, libc.MNT_DETACH);
    } catch (e) {
      // EINVAL: the file exists but nothing is mounted on it (a leftover of
      // an interrupted `ip netns add`); iproute2 unlinks it all the same.
      if (!(e instanceof SyscallError && e.errno === EINVAL)) throw toNetNsError('delete', path, e);
    }
    try {
      fs.unlinkSync(path);
    } catch (e) {
      throw toNetNsError('delete', path, e);
    }
  }

  /**
   * NetNs.list returns the names under /run/netns, sorted — what
   * `ip netns list` shows. An absent /run/netns is an empty list. Throws
   * NetNsError (operation `"list"`) when the directory cannot be read.
   */
  static list(): string[] {
    try {
      return fs.readdirSync(NETNS_RUN_DIR).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toNetNsError('list', NETNS_RUN_DIR, e);
    }
  }

  /**
   * NetNs.worker starts a worker_threads Worker whose thread enters the
   * namespace `ns` names before it loads `modulePath` (a path, absolute or
   * relative to the working directory, or a file: URL; ESM or CommonJS), so
   * every socket and server the module opens, across any awaits, lives in
   * that namespace. It is `new Worker(modulePath, options)` otherwise:
   * `workerData`, messages both ways, `terminate()`. See worker.ts. Throws
   * ArgumentError for a bad path or options, NetNsError/ClosedError when `ns`
   * cannot be opened — before any thread starts; a failure to enter or to
   * load the module is the Worker's `error` event.
   */
  static worker(ns: NetNsLike, modulePath: string | URL, options: NetNsWorkerOptions = {}): Worker {
    const module = checkWorkerArgs(modulePath, options);
    const nameOk = typeof ns === 'string' && ns.length > 0 && !ns.includes('\0');
    if (!(ns instanceof NetNs) && !nameOk && !(typeof ns === 'number' && Number.isSafeInteger(ns) && ns > 0)) {
      throw new ArgumentError('ns', { expected: 'a NetNs, a name under /run/netns, an absolute path or a pid', received: ns });
    }
    const { ns: given, owned } = openNetNs(ns);
    // Our own fd: the caller may close theirs while the thread is starting.
    const held = owned ? given : NetNs.fromPath(`/proc/self/fd/${given.fd}`);
    // The bootstrap imports this module (or the bundle it is in) for NetNs.
    return startNetNsWorker(held, import.meta.url, module, options);
  }

  /** fd is the handle's namespace file descriptor (owned by the handle; do not close it), or -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** path is the file this handle was opened from (`/run/netns/blue`, `/proc/42/ns/net`, `/proc/thread-self/ns/net`); informational only. */
  get path(): string {
    return this.#path;
  }

  /** closed is true once `close()` has run. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * identity returns the namespace's (st_dev, st_ino), fixed for the
   * namespace's lifetime; `ino` is the number in `net:[…]`. Throws
   * ClosedError on a closed handle.
   */
  identity(): NetNsIdentity {
    if (this.#identity === undefined) {
      const { dev, ino } = libc.fstatIdentity(this.#requireFd());
      this.#identity = { dev, ino };
    }
    return { dev: this.#identity.dev, ino: this.#identity.ino };
  }

  /** equals tells whether `other` names the same network namespace. Throws ClosedError if either handle is closed. */
  equals(other: NetNs): boolean {
    const a = this.identity();
    const b = other.identity();
    return a.dev === b.dev && a.ino === b.ino;
  }

  /**
   * run switches the calling thread into this namespace, calls `fn`, and
   * switches the thread back to where it was — whether `fn` returns or
   * throws — then returns `fn`'s result or rethrows its error. Everything is
   * synchronous, so nothing else runs on the JS thread meanwhile; sockets
   * `fn` creates belong to this namespace and stay there. `fn` must be
   * synchronous: a Promise (or other thenable) result means its later
   * parts would run outside the namespace, so run() rejects it with a
   * NetNsError (operation `"enter"`, `"EINVAL"`) after switching back.
   * Nested run() calls restore correctly.
   *
   * Throws ClosedError on a closed handle; NetNsError (operation `"enter"`)
   * when the thread cannot enter (`setns` failed — the thread is unchanged);
   * NetNsStrandedError when the thread could not be switched back (fatal:
   * see that class). No fd outlives the call.
   */
  run<T>(fn: () => T): T {
    checkFunction(fn, 'fn');
    return runIn(this.#requireFd(), this.#path, fn);
  }

  /**
   * enter switches the calling thread into this namespace for good, with no
   * way back except another enter(). Meant for a thread dedicated to one
   * namespace, or to recover after NetNsStrandedError; prefer run().
   * Throws ClosedError on a closed handle, NetNsError (operation `"enter"`)
   * when setns fails (the thread is then unchanged).
   */
  enter(): void {
    const fd = this.#requireFd();
    try {
      libc.setns(fd, libc.CLONE_NEWNET);
    } catch (e) {
      throw enterError(this.#path, e);
    }
  }

  /**
   * close releases the handle's fd. Idempotent: later calls do nothing.
   * Throws SyscallError if close(2) fails (EBADF: someone else closed this
   * handle's fd, a bug worth seeing); the handle is closed all the same.
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    libc.close(fd);
  }

  /** [Symbol.dispose] is close(), for `using ns = NetNs.fromName('blue')`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #requireFd(): number {
    if (this.#fd < 0) throw new ClosedError(`network namespace handle "${this.#path}" is closed`);
    return this.#fd;
  }
}

/**
 * openNetNs resolves a NetNsLike to a handle and says who owns it: a NetNs
 * passed in is returned as is with `owned: false` (the caller keeps it
 * open); a name, path or pid opens a new handle with `owned: true`, which
 * whoever called openNetNs must close. Strings starting with `/` are paths,
 * other strings are names under /run/netns, numbers are pids. Throws
 * ClosedError for a closed NetNs, and whatever fromName, fromPath or fromPid
 * throws.
 */
export function openNetNs(like: NetNsLike): { ns: NetNs; owned: boolean } {
  if (like instanceof NetNs) {
    if (like.closed) throw new ClosedError(`network namespace handle "${like.path}" is closed`);
    return { ns: like, owned: false };
  }
  if (typeof like === 'number') return { ns: NetNs.fromPid(like), owned: true };
  if (typeof like === 'string') {
    return { ns: like.startsWith('/') ? NetNs.fromPath(like) : NetNs.fromName(like), owned: true };
  }
  throw new ArgumentError('netns', { expected: NETNS_LIKE, received: like });
}

const NETNS_LIKE = 'a NetNs, a name under /run/netns, an absolute path or a pid';

/**
 * checkNetNsLike checks, without opening anything, that `like` can name a
 * namespace: a NetNs, a string without NUL (a name is checked by
 * iproute2's rules, a path must be absolute), or a positive integer pid.
 * Throws ArgumentError naming `argument` (InvalidNetNsNameError for a bad
 * name). Used where a namespace is given as an option, so a bad one is
 * refused before any other work starts.
 */
export function checkNetNsLike(like: unknown, argument: string): void {
  if (like instanceof NetNs) return;
  if (typeof like === 'number') {
    if (!Number.isSafeInteger(like) || like <= 0) throw new ArgumentError(argument, { expected: 'a pid (a positive integer)', received: like });
    return;
  }
  if (typeof like !== 'string') throw new ArgumentError(argument, { expected: NETNS_LIKE, received: like });
  if (like.startsWith('/')) return checkNetNsPath(like, argument);
  try {
    validateName(like, 'open');
  } catch (err) {
    if (err instanceof InvalidNetNsNameError) throw new ArgumentError(argument, { expected: `${NETNS_LIKE} (${err.message})`, received: like });
    throw err;
  }
}

/** checkNetNsPath refuses a path that is not a string or holds a NUL byte (open(2) would stop at the NUL: `/proc/self/ns/net\0junk` is our own namespace). */
function checkNetNsPath(path: unknown, argument: string): void {
  if (typeof path !== 'string' || path === '') throw new ArgumentError(argument, { expected: 'a namespace file path', received: path });
  if (path.includes('\0')) throw new ArgumentError(argument, { reason: `${JSON.stringify(path)} contains a NUL byte` });
}

/**
 * withNetns runs `fn` inside the namespace `like` names, as NetNs.run does,
 * opening the namespace first and closing it afterwards if it was opened
 * here (a NetNs passed in stays open). Throws what openNetNs and run throw.
 */
export function withNetns<T>(like: NetNsLike, fn: () => T): T {
  const { ns, owned } = openNetNs(like);
  try {
    return ns.run(fn);
  } finally {
    if (owned) ns.close();
  }
}

/**
 * validateNetNsName checks a namespace name by iproute2's rules — non-empty,
 * at most 255 bytes, no `/` or NUL, not `.` or `..` — and throws
 * InvalidNetNsNameError (tagged with `operation`) otherwise.
 */
export function validateNetNsName(name: string, operation: NetNsOperation = 'open'): void {
  validateName(name, operation);
}

function validateName(name: unknown, operation: NetNsOperation): void {
  if (typeof name !== 'string') throw new ArgumentError('name', { expected: 'a namespace name (a string)', received: name });
  if (name.length === 0) throw new InvalidNetNsNameError(operation, name, 'empty');
  if (name === '.' || name === '..') throw new InvalidNetNsNameError(operation, name, 'reserved');
  if (name.includes('/')) throw new InvalidNetNsNameError(operation, name, "contains '/' (pass an absolute path to open a file)");
  if (name.includes('\0')) throw new InvalidNetNsNameError(operation, name, 'contains NUL');
  if (Buffer.byteLength(name) > NAME_MAX) throw new InvalidNetNsNameError(operation, name, `longer than ${NAME_MAX} bytes`);
}

function namePath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

/**
 * runIn is run()'s body: save, enter, call, restore; every fd it opens is
 * closed before it returns or throws. When the thread already is in the
 * target namespace it calls `fn` without any setns: setns needs
 * CAP_SYS_ADMIN even to "enter" one's own namespace, and nothing that stays
 * in the caller's namespace may demand more than the kernel does.
 */
function runIn<T>(target: number, label: string, fn: () => T): T {
  const saved = openCurrentFd('enter');
  let here: boolean;
  try {
    const a = libc.fstatIdentity(saved);
    const b = libc.fstatIdentity(target);
    here = a.dev === b.dev && a.ino === b.ino;
  } catch (e) {
    closeQuietly(saved);
    throw toNetNsError('enter', label, e);
  }
  if (here) {
    closeQuietly(saved);
    const result = fn();
    if (isThenable(result)) {
      throw new NetNsError('enter', label, EINVAL, 'the function passed to run() returned a Promise; it must be synchronous, its asynchronous part would run outside the namespace');
    }
    return result;
  }
  try {
    libc.setns(target, libc.CLONE_NEWNET);
  } catch (e) {
    closeQuietly(saved);
    throw enterError(label, e);
  }
  let result: T | undefined;
  let threw = false;
  let error: unknown;
  try {
    result = fn();
  } catch (e) {
    threw = true;
    error = e;
  }
  restoreOrStrand(saved, threw ? error : undefined);
  closeQuietly(saved);
  if (threw) throw error;
  if (isThenable(result)) {
    throw new NetNsError('enter', label, EINVAL, 'the function passed to run() returned a Promise; it must be synchronous, its asynchronous part would run outside the namespace');
  }
  return result as T;
}

/**
 * restoreOrStrand setns()es the thread back to `saved`. When that fails the
 * thread is stranded: `cleanup` runs (best effort), `saved` is closed and
 * NetNsStrandedError is thrown carrying `pending` (the error in flight).
 */
function restoreOrStrand(saved: number, pending: unknown, cleanup?: () => void): void {
  try {
    libc.setns(saved, libc.CLONE_NEWNET);
  } catch (e) {
    let expected: NetNsIdentity | undefined;
    try {
      expected = libc.fstatIdentity(saved);
    } catch {
      expected = undefined;
    }
    try {
      cleanup?.();
    } catch {
      // best effort: the stranded thread is the error to report
    }
    closeQuietly(saved);
    const errno = e instanceof SyscallError ? e.errno : EINVAL;
    throw new NetNsStrandedError(libc.gettid(), expected, errno, e, pending);
  }
}

/** openCurrentFd opens the calling thread's netns file; falls back to /proc/self/task/TID for kernels before /proc/thread-self (3.17). */
function openCurrentFd(operation: NetNsOperation = 'open'): number {
  try {
    return libc.open(THREAD_NETNS_PATH, libc.O_RDONLY | libc.O_CLOEXEC);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === ENOENT)) throw toNetNsError(operation, THREAD_NETNS_PATH, e);
  }
  const path = `/proc/self/task/${libc.gettid()}/ns/net`;
  try {
    return libc.open(path, libc.O_RDONLY | libc.O_CLOEXEC);
  } catch (e) {
    throw toNetNsError(operation, path, e);
  }
}

/**
 * openNetNsFd opens `path` and checks it is a network namespace (ioctl
 * NS_GET_NSTYPE says CLONE_NEWNET); closes the fd on any failure. Before
 * Linux 4.11 the ioctl does not exist: then any nsfs file passes and setns
 * checks the type when entering.
 */
function openNetNsFd(path: string, operation: NetNsOperation): number {
  let fd: number;
  try {
    fd = libc.open(path, libc.O_RDONLY | libc.O_CLOEXEC);
  } catch (e) {
    throw toNetNsError(operation, path, e);
  }
  let reason: string | undefined;
  try {
    const type = libc.nsGetType(fd, path);
    if (type !== libc.CLONE_NEWNET) reason = `it is a ${NS_TYPE_NAMES[type] ?? `0x${type.toString(16)}`} namespace`;
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === ENOTTY)) {
      closeQuietly(fd);
      throw toNetNsError(operation, path, e);
    }
    if (!isNsfs(fd)) reason = 'not a namespace file: an empty /run/netns entry whose bind mount is gone?';
  }
  if (reason !== undefined) {
    closeQuietly(fd);
    throw new NetNsError(operation, path, EINVAL, `not a network namespace (${reason})`);
  }
  return fd;
}

/** isNsfs tells whether `fd` lives on nsfs, the kernel's namespace filesystem (same st_dev as our own thread's namespace file). */
function isNsfs(fd: number): boolean {
  const own = openCurrentFd();
  try {
    return libc.fstatIdentity(fd).dev === libc.fstatIdentity(own).dev;
  } finally {
    closeQuietly(own);
  }
}

/**
 * prepareRunDir does what `ip netns add` does to /run/netns before adding a
 * name: mkdir it 0755, then, holding an flock on it (parallel `ip netns add`
 * once stacked mounts without end: Debian bug 949235), make it a shared
 * mount, first turning it into a mount point of its own (bind onto itself,
 * then private, then shared, to get a fresh peer group) if it is not one.
 */
function prepareRunDir(): void {
  try {
    fs.mkdirSync(NETNS_RUN_DIR, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw createError(NETNS_RUN_DIR, e);
  }
  let lock: number;
  try {
    lock = fs.openSync(NETNS_RUN_DIR, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    throw createError(NETNS_RUN_DIR, e);
  }
  try {
    try {
      libc.flock(lock, libc.LOCK_EX, NETNS_RUN_DIR);
    } catch {
      // iproute2 proceeds without the lock too; it only guards a race.
    }
    let madeMountPoint = false;
    for (;;) {
      try {
        libc.mount('', NETNS_RUN_DIR, 'none', libc.MS_SHARED | libc.MS_REC);
        break;
      } catch (e) {
        // EINVAL: not a mount point yet.
        if (madeMountPoint || !(e instanceof SyscallError && e.errno === EINVAL)) {
          throw createError(NETNS_RUN_DIR, e, 'could not make it a shared mount');
        }
      }
      try {
        libc.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', libc.MS_BIND | libc.MS_REC);
        libc.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', libc.MS_PRIVATE | libc.MS_REC);
      } catch (e) {
        throw createError(NETNS_RUN_DIR, e, 'could not make it a mount point');
      }
      madeMountPoint = true;
    }
  } finally {
    fs.closeSync(lock); // releases the flock too
  }
}

/** removeQuietly undoes a half-made name: detach the mount if we made one, unlink the file. */
function removeQuietly(path: string, mounted: boolean): void {
  if (mounted) {
    try {
      libc.umount2(path, libc.MNT_DETACH);
    } catch {
      // best effort on a failure path
    }
  }
  try {
    fs.unlinkSync(path);
  } catch {
    // best effort on a failure path
  }
}

function closeQuietly(fd: number): void {
  try {
    libc.close(fd);
  } catch {
    // our own fd on a cleanup path: nothing useful to report
  }
}

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const EPERM = 1;
const EACCES = 13;

/**
 * createError is the NetNsError of a failed step of NetNs.create. EPERM and
 * EACCES get words: making a named namespace takes CAP_SYS_ADMIN (unshare,
 * the mounts) and write access to /run/netns, as `ip netns add` does; each
 * failing step has undone what came before it, so nothing was changed.
 */
function createError(path: string, e: unknown, reason?: string): NetNsError {
  const err = toNetNsError('create', path, e, reason);
  if (err.errno !== EPERM && err.errno !== EACCES) return err;
  const words = 'making a named network namespace needs CAP_SYS_ADMIN and write access to /run/netns, which this process lacks (nothing was changed)';
  return new NetNsError('create', path, err.errno, reason ? `${reason}: ${words}` : words, { cause: e });
}

/**
 * enterError is the NetNsError of a failed setns into `label`. EPERM gets
 * words: the kernel demands CAP_SYS_ADMIN (in the namespace's user
 * namespace and the caller's) to enter another network namespace, and the
 * thread has not moved, so nothing was changed.
 */
function enterError(label: string, e: unknown): NetNsError {
  if (e instanceof SyscallError && e.errno === EPERM) {
    return new NetNsError('enter', label, EPERM, 'entering another network namespace needs CAP_SYS_ADMIN, which this process lacks (nothing was changed; work in your own namespace needs no setns)', { cause: e });
  }
  return toNetNsError('enter', label, e);
}

/** toNetNsError wraps a SyscallError or a Node fs error as NetNsError; anything else is rethrown as is. */
function toNetNsError(operation: NetNsOperation, path: string | undefined, e: unknown, reason?: string): NetNsError {
  if (e instanceof NetNsError) return e;
  let errno: number | undefined;
  if (e instanceof SyscallError) errno = e.errno;
  else if (e instanceof Error && typeof (e as NodeJS.ErrnoException).errno === 'number') errno = Math.abs((e as NodeJS.ErrnoException).errno!);
  if (errno === undefined) throw e;
  const detail = e instanceof SyscallError ? `${e.syscall} failed` : undefined;
  return new NetNsError(operation, path, errno, reason ?? detail, { cause: e });
}
