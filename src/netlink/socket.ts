/**
 * NetlinkSocket owns one netlink file descriptor: open, bind, options, send,
 * receive, wait, close. It knows nothing about messages beyond bytes: framing,
 * sequence numbers and ACKs live in connection.ts.
 *
 * Receiving: one `recvmsg` per datagram, into a 64 KiB buffer (the kernel
 * caps its dump chunks at 32 KiB and sizes them by the reader's buffer, so
 * a smaller buffer only means more, smaller chunks). MSG_TRUNC makes the
 * kernel report a datagram's real size, so one that did not fit is
 * detected, never cut silently: the kernel has then dropped its tail, so
 * the socket grows its buffer, switches to peeking first (MSG_PEEK gives the
 * size while the datagram stays queued, then it is read for real) and
 * reports RECEIVE_TRUNCATED so the connection can redo what was lost.
 * `alwaysPeek` peeks from the start, at the price of a second system call
 * per datagram.
 */
import * as libc from '../sys/libc.js';
import {
  AF_NETLINK,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_PKTINFO,
  NetlinkProtocol,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
} from './constants.js';
import { ClosedError, SyscallError } from './errors.js';
import { poller, type WaitOptions } from './poller.js';
import { MIN_RECEIVE_BUFFER, checkBufferSize, checkPositiveInteger } from './options.js';
import { debugDatagram, debugEnabled } from './debug.js';
import { withNetns, type NetNsLike } from '../netns/index.js';

/** Options for NetlinkSocket.open. */
export interface SocketOptions {
  /** Netlink protocol number, e.g. `NetlinkProtocol.route` (0) or `.generic` (16). */
  protocol: number;
  /**
   * The network namespace to open the socket in: a NetNs, a name under
   * /run/netns, an absolute path, or a pid. The socket stays bound to it for
   * life; the calling thread is switched in and back synchronously.
   */
  netns?: NetNsLike;
  /**
   * Run `socket()` inside another network namespace: a function that calls
   * its argument synchronously with the thread switched into the namespace
   * (see `NetNs.run`). The socket stays bound to that namespace for life.
   */
  enterNetns?: <T>(fn: () => T) => T;
  /**
   * SO_RCVBUF in bytes, an integer from 16384 (MIN_RECEIVE_BUFFER: smaller
   * cannot hold a reply and its ACK, and the kernel would drop the ACK of a
   * request that succeeded) to 2**31-1. As root SO_RCVBUFFORCE is used so
   * the limit rmem_max does not cap it.
   */
  receiveBufferSize?: number;
  /** SO_SNDBUF in bytes, an integer from 4096 to 2**31-1 (FORCE as root). */
  sendBufferSize?: number;
  /** Initial user-space read buffer in bytes, from 256 (default 64 KiB; grows when a datagram is larger). */
  readBufferSize?: number;
  /**
   * Peek at every datagram's size before reading it (two system calls per
   * datagram), so even the first oversized datagram is read whole. Default
   * false: one call, and an oversized datagram is reported as
   * RECEIVE_TRUNCATED, after which the socket peeks.
   */
  alwaysPeek?: boolean;
  /** Multicast groups to join right away. */
  groups?: readonly number[];
  /** NETLINK_EXT_ACK: extended error messages (default true). */
  extendedAck?: boolean;
  /** NETLINK_CAP_ACK: error replies carry only the request's header (default true). */
  capAck?: boolean;
  /** NETLINK_GET_STRICT_CHK: strict validation and kernel-side dump filtering (default: true for rtnetlink). */
  strictCheck?: boolean;
}

/** Result codes of `receive()` that are not a byte count. */
export const RECEIVE_AGAIN = -1;
/** The kernel dropped messages for this socket (ENOBUFS): its receive queue overflowed. */
export const RECEIVE_OVERRUN = -2;
/**
 * A datagram was larger than the buffer and the kernel dropped its tail.
 * `view` holds its first `truncatedBytes` bytes (enough to see whose it
 * was); the buffer is grown and the socket peeks from now on.
 */
export const RECEIVE_TRUNCATED = -3;

const SOCKADDR_NL_SIZE = 12;
const MSGHDR_SIZE = 56;
const CMSG_SPACE_PKTINFO = 24; // cmsghdr (16) + u32 group, aligned to 8

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export class NetlinkSocket implements Disposable {
  /** The file descriptor; -1 once closed. */
  fd: number;
  /** The netlink protocol this socket speaks. */
  readonly protocol: number;
  /** The port id the kernel assigned at bind (nl_pid); replies are addressed to it. */
  readonly portId: number;
  /** The read buffer; `receive()` leaves the datagram at its start. Replaced when it grows. */
  buffer: Uint8Array;
  /** A DataView over `buffer`, replaced with it. */
  view: DataView;
  /** Port id of the sender of the last datagram received (0 = the kernel). */
  senderPort = 0;
  /** Multicast group of the last datagram (0 = unicast), when NETLINK_PKTINFO is on. */
  group = 0;
  /** After RECEIVE_TRUNCATED: how many bytes of the datagram `view` holds, and its real size. */
  truncatedBytes = 0;
  truncatedSize = 0;
  /** Whether each receive peeks first (set by `alwaysPeek`, or after a truncation). */
  peekFirst: boolean;
  private growTo = 0;

  private readonly recvHdr = new Uint8Array(MSGHDR_SIZE);
  private readonly recvView = new DataView(this.recvHdr.buffer);
  private readonly discardHdr = new Uint8Array(MSGHDR_SIZE);
  private readonly recvIov = new Uint8Array(16);
  private readonly recvName = new Uint8Array(SOCKADDR_NL_SIZE);
  private readonly recvNameView = new DataView(this.recvName.buffer);
  private readonly control = new Uint8Array(CMSG_SPACE_PKTINFO);
  private readonly controlView = new DataView(this.control.buffer);
  private pktinfo = false;
  private readonly sendHdr = new Uint8Array(MSGHDR_SIZE);
  private readonly sendView = new DataView(this.sendHdr.buffer);
  private sendIov = new Uint8Array(16);
  private sendIovView = new DataView(this.sendIov.buffer);
  /** The buffer `send` sent from last, and its address (stable while the array is referenced). */
  private sendBytes: Uint8Array | undefined;
  private sendBytesAddress = 0n;
  private readonly kernelAddr = new Uint8Array(SOCKADDR_NL_SIZE);
  private readonly groups = new Set<number>();

  private constructor(fd: number, protocol: number, portId: number, readBufferSize: number, alwaysPeek: boolean) {
    this.fd = fd;
    this.peekFirst = alwaysPeek;
    this.protocol = protocol;
    this.portId = portId;
    this.buffer = new Uint8Array(readBufferSize);
    this.view = new DataView(this.buffer.buffer);
    new DataView(this.kernelAddr.buffer).setUint16(0, AF_NETLINK, true);
    this.prepareReceive();
    // The discard header: same name buffer, no iovec, so the kernel just dequeues.
    const d = new DataView(this.discardHdr.buffer);
    d.setBigUint64(0, libc.addressOf(this.recvName), true);
    d.setUint32(8, SOCKADDR_NL_SIZE, true);
    // The send header always targets the kernel (nl_pid 0).
    this.sendView.setBigUint64(0, libc.addressOf(this.kernelAddr), true);
    this.sendView.setUint32(8, SOCKADDR_NL_SIZE, true);
    this.sendView.setBigUint64(16, libc.addressOf(this.sendIov), true);
  }

  /**
   * open creates, configures and binds a netlink socket (SOCK_RAW |
   * SOCK_CLOEXEC, port id assigned by the kernel). Throws ArgumentError for
   * a bad size before any socket exists; SyscallError naming the failing
   * call, and the descriptor is closed on every failure path.
   */
  static open(options: SocketOptions): NetlinkSocket {
    checkBufferSize(options.receiveBufferSize, 'options.receiveBufferSize', MIN_RECEIVE_BUFFER);
    checkBufferSize(options.sendBufferSize, 'options.sendBufferSize', 4096);
    checkPositiveInteger(options.readBufferSize, 'options.readBufferSize', 256, 1 << 30);
    const create = () => libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, options.protocol);
    const fd = options.netns !== undefined ? withNetns(options.netns, create) : options.enterNetns ? options.enterNetns(create) : create();
    try {
      const setBool = (name: number, on: boolean, what: string) => libc.setsockoptInt(fd, SOL_NETLINK, name, on ? 1 : 0, what);
      if (options.extendedAck ?? true) setBool(NETLINK_EXT_ACK, true, 'NETLINK_EXT_ACK');
      if (options.capAck ?? true) setBool(NETLINK_CAP_ACK, true, 'NETLINK_CAP_ACK');
      if (options.strictCheck ?? options.protocol === NetlinkProtocol.route) setBool(NETLINK_GET_STRICT_CHK, true, 'NETLINK_GET_STRICT_CHK');
      if (options.receiveBufferSize !== undefined) setBufferSize(fd, SO_RCVBUF, SO_RCVBUFFORCE, options.receiveBufferSize);
      if (options.sendBufferSize !== undefined) setBufferSize(fd, SO_SNDBUF, SO_SNDBUFFORCE, options.sendBufferSize);
      const addr = new Uint8Array(SOCKADDR_NL_SIZE);
      new DataView(addr.buffer).setUint16(0, AF_NETLINK, true);
      libc.bind(fd, addr);
      libc.getsockname(fd, addr);
      const portId = new DataView(addr.buffer).getUint32(4, true);
      const sock = new NetlinkSocket(fd, options.protocol, portId, Math.max(options.readBufferSize ?? 65536, 256), options.alwaysPeek ?? false);
      for (const g of options.groups ?? []) sock.joinGroup(g);
      return sock;
    } catch (err) {
      libc.close(fd);
      throw err;
    }
  }

  private prepareReceive(): void {
    const iov = new DataView(this.recvIov.buffer);
    iov.setBigUint64(0, libc.addressOf(this.buffer), true);
    iov.setBigUint64(8, BigInt(this.buffer.length), true);
    const h = this.recvView;
    h.setBigUint64(0, libc.addressOf(this.recvName), true);
    h.setUint32(8, SOCKADDR_NL_SIZE, true);
    h.setBigUint64(16, libc.addressOf(this.recvIov), true);
    h.setBigUint64(24, 1n, true);
    h.setBigUint64(32, this.pktinfo ? libc.addressOf(this.control) : 0n, true);
    h.setBigUint64(40, this.pktinfo ? BigInt(CMSG_SPACE_PKTINFO) : 0n, true);
  }

  private ensureOpen(): void {
    if (this.fd < 0) throw new ClosedError('netlink socket is closed');
  }

  /**
   * send transmits `bytes[0, length)` as one datagram to the kernel. Several
   * messages back to back in `bytes` form a batch. Throws SyscallError.
   */
  send(bytes: Uint8Array, length = bytes.length): void {
    this.ensureOpen();
    if (length > bytes.length) length = bytes.length;
    // The one-chunk path every request takes: no iovec array, and the buffer's address is
    // looked up once per buffer (the connection sends from the same writer each time).
    if (bytes !== this.sendBytes) {
      this.sendBytes = bytes;
      this.sendBytesAddress = libc.addressOf(bytes);
    }
    const iov = this.sendIovView;
    iov.setBigUint64(0, this.sendBytesAddress, true);
    iov.setUint32(8, length, true);
    iov.setUint32(12, 0, true);
    this.sendView.setUint32(24, 1, true);
    if (debugEnabled) debugDatagram('send', this, [bytes.subarray(0, length)]);
    this.sendmsg(length);
  }

  /**
   * sendv transmits the chunks as ONE datagram (scatter/gather through
   * `struct iovec`), so messages built in separate buffers go out together.
   */
  sendv(chunks: readonly Uint8Array[]): void {
    this.ensureOpen();
    if (this.sendIov.length < 16 * chunks.length) {
      this.sendIov = new Uint8Array(16 * chunks.length);
      this.sendIovView = new DataView(this.sendIov.buffer);
      this.sendView.setBigUint64(16, libc.addressOf(this.sendIov), true);
    }
    const iov = this.sendIovView;
    let total = 0;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      // subarray views share the parent's memory: address the view's own start.
      iov.setBigUint64(16 * i, libc.addressOf(c), true);
      iov.setBigUint64(16 * i + 8, BigInt(c.length), true);
      total += c.length;
    }
    this.sendView.setBigUint64(24, BigInt(chunks.length), true);
    if (debugEnabled) debugDatagram('send', this, chunks);
    this.sendmsg(total);
  }

  /** sendmsg sends what sendHdr describes (`total` bytes), retrying on EINTR. */
  private sendmsg(total: number): void {
    for (;;) {
      const n = libc.trySendmsg(this.fd, this.sendHdr, 0);
      if (n === -libc.EINTR) continue;
      if (n < 0) throw new SyscallError('sendmsg', -n);
      if (n !== total) throw new SyscallError('sendmsg', 5, `sent ${n} of ${total} bytes`);
      return;
    }
  }

  /**
   * receive reads one datagram without blocking into `buffer` and returns its
   * length; RECEIVE_AGAIN when nothing is queued; RECEIVE_OVERRUN when the
   * kernel reports that it dropped messages (ENOBUFS) — the socket keeps
   * working; RECEIVE_TRUNCATED when a datagram did not fit (see above).
   * Throws SyscallError otherwise. The bytes stay valid until the next receive.
   */
  receive(): number {
    this.ensureOpen();
    if (this.growTo > 0) this.grow(this.growTo);
    for (;;) {
      const flags = this.peekFirst ? MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT : MSG_TRUNC | MSG_DONTWAIT;
      const n = libc.tryRecvmsg(this.fd, this.recvHdr, flags);
      if (n < 0) {
        if (n === -libc.EAGAIN) return RECEIVE_AGAIN;
        if (n === -libc.EINTR) continue;
        if (n === -libc.ENOBUFS) return RECEIVE_OVERRUN;
        throw new SyscallError('recvmsg', -n);
      }
      this.senderPort = this.recvNameView.getUint32(4, true);
      if (this.pktinfo) {
        this.group = this.readGroup();
        // recvmsg wrote back msg_controllen: room for the next control message again.
        this.recvView.setUint32(40, CMSG_SPACE_PKTINFO, true);
        this.recvView.setUint32(44, 0, true);
      } else this.group = 0;
      if (n > this.buffer.length) {
        if (this.peekFirst) {
          // Only peeked: it is still queued. Grow and read it again.
          this.grow(n);
          continue;
        }
        // Read for real: the kernel dropped what did not fit. Say so; peek from now on.
        this.truncatedBytes = this.buffer.length;
        this.truncatedSize = n;
        this.growTo = n;
        this.peekFirst = true;
        return RECEIVE_TRUNCATED;
      }
      if (this.peekFirst) {
        // Dequeue the datagram we already hold; no second copy.
        for (;;) {
          const d = libc.tryRecvmsg(this.fd, this.discardHdr, MSG_TRUNC | MSG_DONTWAIT);
          if (d === -libc.EINTR) continue;
          break;
        }
      }
      if (debugEnabled) debugDatagram('recv', this, [this.buffer.subarray(0, n)]);
      return n;
    }
  }

  private grow(size: number): void {
    let next = this.buffer.length * 2;
    while (next < size) next *= 2;
    this.buffer = new Uint8Array(next);
    this.view = new DataView(this.buffer.buffer);
    this.growTo = 0;
    this.prepareReceive();
  }

  private readGroup(): number {
    const len = this.recvView.getUint32(40, true);
    if (len < 20) return 0;
    const v = this.controlView;
    if (v.getInt32(8, true) !== SOL_NETLINK || v.getInt32(12, true) !== NETLINK_PKTINFO) return 0;
    return v.getUint32(16, true);
  }

  /**
   * waitReadable resolves when a datagram is queued, waiting off the
   * JavaScript thread. Rejects with TimeoutError, AbortError or ClosedError.
   */
  waitReadable(options?: WaitOptions): Promise<void> {
    if (this.fd < 0) return Promise.reject(new ClosedError('netlink socket is closed'));
    return poller.wait(this.fd, options);
  }

  /** setWaitRef changes whether a pending wait keeps the process alive. */
  setWaitRef(ref: boolean): void {
    if (this.fd >= 0) poller.setRef(this.fd, ref);
  }

  /**
   * joinGroup subscribes to a multicast group (NETLINK_ADD_MEMBERSHIP) and
   * turns on NETLINK_PKTINFO so notifications are told apart from replies.
   */
  joinGroup(group: number): void {
    this.ensureOpen();
    if (!this.pktinfo) {
      libc.setsockoptInt(this.fd, SOL_NETLINK, NETLINK_PKTINFO, 1, 'NETLINK_PKTINFO');
      this.pktinfo = true;
      this.prepareReceive();
    }
    libc.setsockoptInt(this.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group, `NETLINK_ADD_MEMBERSHIP ${group}`);
    this.groups.add(group);
  }

  /** leaveGroup unsubscribes (NETLINK_DROP_MEMBERSHIP). */
  leaveGroup(group: number): void {
    this.ensureOpen();
    libc.setsockoptInt(this.fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group, `NETLINK_DROP_MEMBERSHIP ${group}`);
    this.groups.delete(group);
  }

  /** joinedGroups lists the groups joined through this object. */
  joinedGroups(): number[] {
    return [...this.groups];
  }

  /** receiveBufferSize reads SO_RCVBUF (the kernel reports double the requested value). */
  receiveBufferSize(): number {
    this.ensureOpen();
    return libc.getsockoptInt(this.fd, SOL_SOCKET, SO_RCVBUF, 'SO_RCVBUF');
  }

  /** setReceiveBufferSize sets SO_RCVBUF (SO_RCVBUFFORCE as root). Throws ArgumentError as `receiveBufferSize` in open does. */
  setReceiveBufferSize(bytes: number): void {
    checkBufferSize(bytes, 'bytes', MIN_RECEIVE_BUFFER);
    this.ensureOpen();
    setBufferSize(this.fd, SO_RCVBUF, SO_RCVBUFFORCE, bytes);
  }

  /** setOption sets an `int` socket option at level SOL_NETLINK (or another level). */
  setOption(name: number, value: number, level = SOL_NETLINK): void {
    this.ensureOpen();
    libc.setsockoptInt(this.fd, level, name, value);
  }

  /** getOption reads an `int` socket option. */
  getOption(name: number, level = SOL_NETLINK): number {
    this.ensureOpen();
    return libc.getsockoptInt(this.fd, level, name);
  }

  /** closed tells whether close() was called. */
  get closed(): boolean {
    return this.fd < 0;
  }

  /** close releases the descriptor and rejects a pending wait with ClosedError. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    poller.forget(fd);
    libc.close(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function setBufferSize(fd: number, option: number, forceOption: number, bytes: number): void {
  if (isRoot()) {
    try {
      libc.setsockoptInt(fd, SOL_SOCKET, forceOption, bytes, forceOption === SO_RCVBUFFORCE ? 'SO_RCVBUFFORCE' : 'SO_SNDBUFFORCE');
      return;
    } catch (err) {
      // In a user namespace "root" lacks CAP_NET_ADMIN over the host: fall back.
      if (!(err instanceof SyscallError) || err.code !== 'EPERM') throw err;
    }
  }
  libc.setsockoptInt(fd, SOL_SOCKET, option, bytes, option === SO_RCVBUF ? 'SO_RCVBUF' : 'SO_SNDBUF');
}
