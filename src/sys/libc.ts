/**
 * libc through koffi — the only module that calls koffi (koffi-addon.ts loads
 * it). Everything above this file is plain TypeScript over numbers and byte arrays. (The poller's
 * worker thread loads koffi on its own for its one blocking `epoll_wait`: a
 * worker thread cannot share this module's bindings.)
 *
 * Each wrapper returns the call's result and throws SyscallError (naming the
 * call and the errno) when it fails, except where a caller must branch on an
 * expected errno (EAGAIN, EINTR), which the `try*` variants return as `-errno`.
 *
 * Buffers are passed by address: `koffi.address()` gives the address of a
 * typed array's bytes, which never move while referenced, so `struct msghdr`
 * and `struct iovec` are built as plain bytes here.
 */
import type * as Koffi from 'koffi';
import { SyscallError } from './errors.js';
import { loadKoffi } from './koffi-addon.js';

type KoffiModule = typeof Koffi;
type LibC = ReturnType<KoffiModule['load']>;

// koffi (a native addon) and libc's bindings are loaded on the first system call, not at
// import: a program that imports nlkit and has not opened a socket yet pays for neither.
let koffi: KoffiModule | undefined;
let koffiPath: string | undefined;
let c: ReturnType<typeof bindAll> | undefined;

function bindAll(lib: LibC) {
  return {
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  bind: lib.func('int bind(int fd, void *addr, uint32_t addrlen)'),
  getsockname: lib.func('int getsockname(int fd, void *addr, _Inout_ uint32_t *addrlen)'),
  setsockopt: lib.func('int setsockopt(int fd, int level, int name, void *value, uint32_t len)'),
  getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *value, _Inout_ uint32_t *len)'),
  sendmsg: lib.func('intptr_t sendmsg(int fd, void *msg, int flags)'),
  sendto: lib.func('intptr_t sendto(int fd, void *buf, size_t len, int flags, void *addr, uint32_t addrlen)'),
  recvmsg: lib.func('intptr_t recvmsg(int fd, void *msg, int flags)'),
  close: lib.func('int close(int fd)'),
  setns: lib.func('int setns(int fd, int nstype)'),
  unshare: lib.func('int unshare(int flags)'),
  open: lib.func('int open(const char *path, int flags, int mode)'),
  mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: lib.func('int umount2(const char *target, int flags)'),
  epoll_create1: lib.func('int epoll_create1(int flags)'),
  epoll_ctl: lib.func('int epoll_ctl(int epfd, int op, int fd, void *event)'),
  epoll_wait: lib.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)'),
  eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
  read: lib.func('intptr_t read(int fd, void *buf, size_t count)'),
  write: lib.func('intptr_t write(int fd, void *buf, size_t count)'),
  fstat: lib.func('int fstat(int fd, void *statbuf)'),
  gettid: lib.func('int gettid()'),
  flock: lib.func('int flock(int fd, int operation)'),
  ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)'),
  };
}


/** koffiModulePath returns what nlkit loaded koffi from (the addon, or koffi's package entry), loading it if needed. */
export function koffiModulePath(): string {
  fns();
  return koffiPath!;
}

/** fns returns libc's bindings, loading koffi and libc.so.6 on the first call. */
function fns(): ReturnType<typeof bindAll> {
  if (c) return c;
  // koffi as this module's package sees it: its addon directly where that is certain (koffi-addon.ts).
  ({ module: koffi, path: koffiPath } = loadKoffi<KoffiModule>(import.meta.url));
  c = bindAll(koffi!.load('libc.so.6'));
  return c;
}

/** errno returns the calling thread's errno as koffi saved it after the last call. */
export function errno(): number {
  return koffi!.errno() as number;
}

function check(name: string, ret: number, detail?: string): number {
  if (ret < 0) throw new SyscallError(name, errno(), detail);
  return ret;
}

/** addressOf returns the address of a typed array's first byte (stable while the array is referenced). */
export function addressOf(bytes: Uint8Array): bigint {
  fns();
  return BigInt(koffi!.address(bytes) as unknown as bigint);
}

export const O_RDONLY = 0;
export const O_CLOEXEC = 0o2000000;
export const CLONE_NEWNET = 0x40000000;
export const MS_BIND = 4096;
export const MNT_DETACH = 2;
export const EPOLL_CLOEXEC = 0o2000000;
export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x001;
export const EPOLLERR = 0x008;
export const EPOLLONESHOT = 1 << 30;
/** Size of `struct epoll_event`: packed (12 bytes) on x86-64, naturally aligned (16) elsewhere. */
export const EPOLL_EVENT_SIZE = process.arch === 'x64' ? 12 : 16;
export const EAGAIN = 11;
export const EINTR = 4;
export const ENOBUFS = 105;

export function socket(domain: number, type: number, protocol: number): number {
  return check('socket', fns().socket(domain, type, protocol));
}

export function bind(fd: number, addr: Uint8Array): void {
  check('bind', fns().bind(fd, addr, addr.length));
}

/** getsockname fills `addr` and returns the address length the kernel wrote. */
export function getsockname(fd: number, addr: Uint8Array): number {
  const len = [addr.length];
  check('getsockname', fns().getsockname(fd, addr, len));
  return len[0]!;
}

/** setsockopt sets an option from raw bytes. */
export function setsockopt(fd: number, level: number, name: number, value: Uint8Array, what?: string): void {
  check('setsockopt', fns().setsockopt(fd, level, name, value, value.length), what);
}

const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);

/** setsockoptInt sets an `int` option. */
export function setsockoptInt(fd: number, level: number, name: number, value: number, what?: string): void {
  intView.setInt32(0, value, true);
  setsockopt(fd, level, name, intBuf, what);
}

/** getsockoptInt reads an `int` option. */
export function getsockoptInt(fd: number, level: number, name: number, what?: string): number {
  const len = [4];
  check('getsockopt', fns().getsockopt(fd, level, name, intBuf, len), what);
  return intView.getInt32(0, true);
}

/** sendmsg sends with a prepared `struct msghdr` (see socket.ts); returns bytes sent or `-errno`. */
export function trySendmsg(fd: number, msghdr: Uint8Array, flags: number): number {
  const n = Number(fns().sendmsg(fd, msghdr, flags));
  return n < 0 ? -errno() : n;
}

/** recvmsg receives with a prepared `struct msghdr`; returns the byte count (real size with MSG_TRUNC) or `-errno`. */
export function tryRecvmsg(fd: number, msghdr: Uint8Array, flags: number): number {
  const n = Number(fns().recvmsg(fd, msghdr, flags));
  return n < 0 ? -errno() : n;
}

/** sendto sends one datagram to `addr` (used by tests to play a user-space sender); returns bytes sent. */
export function sendto(fd: number, buf: Uint8Array, length: number, flags: number, addr: Uint8Array): number {
  return check('sendto', Number(fns().sendto(fd, buf, length, flags, addr, addr.length)));
}

export function close(fd: number): void {
  check('close', fns().close(fd));
}

export function setns(fd: number, nstype: number, what?: string): void {
  check('setns', fns().setns(fd, nstype), what);
}

export function unshare(flags: number): void {
  check('unshare', fns().unshare(flags));
}

export function open(path: string, flags: number, mode = 0): number {
  return check('open', fns().open(path, flags, mode), path);
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  check('mount', fns().mount(source, target, fstype, flags, data), `${source ?? ''} -> ${target}`);
}

export function umount2(target: string, flags: number): void {
  check('umount2', fns().umount2(target, flags), target);
}

export function epollCreate(): number {
  return check('epoll_create1', fns().epoll_create1(EPOLL_CLOEXEC));
}

/** epollCtl registers/modifies/removes `fd` with a prepared `struct epoll_event` (or null for DEL). */
export function epollCtl(epfd: number, op: number, fd: number, event: Uint8Array | null): void {
  check('epoll_ctl', fns().epoll_ctl(epfd, op, fd, event));
}

/** epollWait blocks the calling thread (a worker's, never the JS main thread) and returns the number of events or `-errno`. */
export function tryEpollWait(epfd: number, events: Uint8Array, max: number, timeoutMs: number): number {
  const n = fns().epoll_wait(epfd, events, max, timeoutMs) as number;
  return n < 0 ? -errno() : n;
}

export function eventfd(initval: number, flags: number): number {
  return check('eventfd', fns().eventfd(initval, flags));
}

export function tryRead(fd: number, buf: Uint8Array, count: number): number {
  const n = Number(fns().read(fd, buf, count));
  return n < 0 ? -errno() : n;
}

export function write(fd: number, buf: Uint8Array, count: number): number {
  return check('write', Number(fns().write(fd, buf, count)));
}

/** fstatInode returns `(st_dev, st_ino)` of an open fd: the identity of a namespace file. */
export function fstatIdentity(fd: number): { dev: bigint; ino: bigint } {
  const st = new Uint8Array(256);
  check('fstat', fns().fstat(fd, st));
  const v = new DataView(st.buffer);
  // struct stat on x86-64 and arm64 (generic): st_dev u64 at 0, st_ino u64 at 8.
  return { dev: v.getBigUint64(0, true), ino: v.getBigUint64(8, true) };
}

export function gettid(): number {
  return fns().gettid() as number;
}

// --- added for src/netns (network namespaces) ---

/** MS_REC: apply a propagation change or bind mount to the whole subtree. */
export const MS_REC = 16384;
/** MS_PRIVATE: make a mount private (no propagation). */
export const MS_PRIVATE = 1 << 18;
/** MS_SHARED: make a mount shared (mounts and unmounts propagate to its peers). */
export const MS_SHARED = 1 << 20;
/** LOCK_EX: flock() exclusive lock. */
export const LOCK_EX = 2;
/** LOCK_UN: flock() unlock. */
export const LOCK_UN = 8;

/** flock applies or removes an advisory lock on an open fd; throws SyscallError. */
export function flock(fd: number, operation: number, what?: string): void {
  check('flock', fns().flock(fd, operation), what);
}

/** NS_GET_NSTYPE: ioctl on a namespace fd returning its CLONE_NEW* type (Linux 4.11+). */
export const NS_GET_NSTYPE = 0xb703;

/** nsGetType returns the CLONE_NEW* type of a namespace fd (ioctl NS_GET_NSTYPE); throws SyscallError (ENOTTY when the fd is not a namespace, or on kernels before 4.11). */
export function nsGetType(fd: number, what?: string): number {
  return check('ioctl(NS_GET_NSTYPE)', fns().ioctl(fd, NS_GET_NSTYPE) as number, what);
}

/** SIOCGSKNS: ioctl on a socket returning a new fd for the network namespace the socket lives in. */
export const SIOCGSKNS = 0x894c;

/** socketNetnsFd returns a new (owned) fd for the network namespace of socket `fd`; throws SyscallError. */
export function socketNetnsFd(fd: number): number {
  return check('ioctl(SIOCGSKNS)', fns().ioctl(fd, SIOCGSKNS) as number);
}
