/**
 * Capturing a dump as the kernel sent it, for the decode workloads.
 *
 * The dump runs through an ordinary `Connection` (framing, sequence checks,
 * NLMSG_DONE, DUMP_INTR retries) over a NetlinkSocket wrapped in a tap: a
 * `Transport` that copies every datagram the socket receives before the
 * connection reads it. The copies are the capture: one Buffer per datagram,
 * held in memory, never written to disk.
 *
 * ```
 *  kernel ──datagram──▶ NetlinkSocket.view ──copy──▶ Capture.datagrams[i]
 *                              │
 *                              └──▶ Connection (framing, DONE, seq)
 * ```
 *
 * A decode workload then walks those datagrams' nlmsghdrs with `forEachMessage`
 * and times only the decoding: no syscalls, no promises, no Connection.
 */
import {
  Connection,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NetlinkProtocol,
  NetlinkSocket,
  align4,
  checkMessage,
  type Request,
  type Transport,
} from '../src/netlink/index.js';
import type { WaitOptions } from '../src/netlink/poller.js';

/** Capture is a dump's datagrams, copied, with counts. */
export interface Capture {
  /** Every datagram received for the dump, in order (the last one holds NLMSG_DONE). */
  datagrams: Buffer[];
  /** DataViews over `datagrams`, one each, made once so runs do not time their construction. */
  views: DataView[];
  /** Messages of type `replyType` across all datagrams. */
  messages: number;
  /** Total bytes received. */
  bytes: number;
}

/** TapTransport is a NetlinkSocket that keeps a copy of every datagram it receives. */
class TapTransport implements Transport {
  readonly datagrams: Buffer[] = [];

  constructor(private readonly sock: NetlinkSocket) {}

  get portId(): number { return this.sock.portId; }
  get view(): DataView { return this.sock.view; }
  get senderPort(): number { return this.sock.senderPort; }
  get group(): number { return this.sock.group; }
  get closed(): boolean { return this.sock.closed; }
  get truncatedBytes(): number | undefined { return this.sock.truncatedBytes; }
  get truncatedSize(): number | undefined { return this.sock.truncatedSize; }

  send(bytes: Uint8Array, length: number): void {
    this.sock.send(bytes, length);
  }

  receive(): number {
    const n = this.sock.receive();
    if (n > 0) {
      const v = this.sock.view;
      this.datagrams.push(Buffer.from(new Uint8Array(v.buffer, v.byteOffset, n))); // Buffer.from(Uint8Array) copies
    }
    return n;
  }

  waitReadable(options?: WaitOptions): Promise<void> { return this.sock.waitReadable(options); }
  setWaitRef(ref: boolean): void { this.sock.setWaitRef(ref); }
  receiveBufferSize(): number { return this.sock.receiveBufferSize(); }
  close(): void { this.sock.close(); }
}

/**
 * captureDump runs `request` as a dump in the namespace `enterNetns` enters
 * and returns the datagrams received. The Connection decodes nothing (its
 * decoder returns 0); `replyType` messages are counted from the copies.
 * Throws what Connection.dump throws, or when the dump was interrupted even
 * after retries (a capture of a changing table would not be reproducible).
 */
export async function captureDump(enterNetns: <T>(fn: () => T) => T, request: Request, replyType: number): Promise<Capture> {
  const tap = new TapTransport(NetlinkSocket.open({ protocol: NetlinkProtocol.route, enterNetns }));
  const conn = Connection.over(tap);
  try {
    const r = await conn.dump(request, () => 0, { interrupted: 'throw' });
    // With interrupted: 'throw' the last attempt is the only one; datagrams of
    // earlier attempts cannot be present.
    const datagrams = tap.datagrams;
    let messages = 0;
    let bytes = 0;
    for (const d of datagrams) {
      bytes += d.length;
      forEachMessage(new DataView(d.buffer, d.byteOffset, d.length), d.length, replyType, () => void messages++);
    }
    if (messages !== r.items.length) throw new Error(`capture: the connection saw ${r.items.length} messages, the copies hold ${messages}`);
    return { datagrams, views: datagrams.map((d) => new DataView(d.buffer, d.byteOffset, d.length)), messages, bytes };
  } finally {
    conn.close();
  }
}

/**
 * forEachMessage calls `fn(view, start, end)` for every message of type
 * `type` in the datagram `[0, length)`, with `[start, end)` the payload
 * after the nlmsghdr (what a MessageDecoder gets). Control messages
 * (NLMSG_DONE, …) and other types are skipped. Throws DecodeError on a
 * malformed nlmsghdr. Returns how many messages it passed on.
 */
export function forEachMessage(view: DataView, length: number, type: number, fn: (view: DataView, start: number, end: number) => void): number {
  let n = 0;
  for (let p = 0; length - p >= NLMSG_HDRLEN; ) {
    const len = checkMessage(view, p, length);
    const t = view.getUint16(p + 4, true);
    if (t === type && t >= NLMSG_MIN_TYPE) {
      fn(view, p + NLMSG_HDRLEN, p + len);
      n++;
    }
    p += align4(len);
  }
  return n;
}
