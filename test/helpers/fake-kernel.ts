/**
 * FakeKernel: a Transport that speaks bytes, for testing Connection without
 * a kernel (mdlayher/netlink deprecated its message-level fake because it
 * skipped framing; this one never does).
 *
 * `send()` gets the request datagram's bytes and parses them with the real
 * reader; the test's `handler` answers each request message with reply
 * datagrams built by MessageWriter (real framing, through the builders
 * below), which `receive()` hands out one by one, copied into `view` the way
 * NetlinkSocket reuses its read buffer. Datagrams can also be queued later
 * (`deliverLater`), from a foreign user-space sender (`senderPort`), to a
 * multicast group, or as an overrun (`overrun()` → RECEIVE_OVERRUN).
 *
 * ```
 *   Connection ──send(bytes)──▶ FakeKernel ── parse ──▶ handler(req)
 *        ▲                          │                      │
 *        └── receive()/view ◀── queue ◀── Uint8Array[] ◀────┘
 * ```
 */
import { ClosedError, DecodeError } from '../../src/netlink/errors.js';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  align4,
} from '../../src/netlink/constants.js';
import type { Transport } from '../../src/netlink/connection.js';
import type { WaitOptions } from '../../src/netlink/poller.js';
import { attrType, attrsDone, checkAttr, checkMessage, nextAttr, readMessageHeader, readU32, type MessageHeader } from '../../src/netlink/reader.js';
import { RECEIVE_AGAIN, RECEIVE_OVERRUN, RECEIVE_TRUNCATED } from '../../src/netlink/socket.js';
import { MessageWriter } from '../../src/netlink/writer.js';

/** One request message as the fake received it. */
export interface FakeRequest extends MessageHeader {
  /** A copy of the whole message, nlmsghdr included. */
  bytes: Uint8Array;
  /** A view over `bytes`; the payload is `[16, length)`. */
  view: DataView;
  /** Which datagram (0-based count of send() calls) carried it. */
  datagram: number;
}

/** A datagram waiting in the fake's receive queue. */
export interface Queued {
  bytes: Uint8Array;
  /** nl_pid of the sender: 0 is the kernel, anything else a user-space process. */
  senderPort: number;
  /** When set, the datagram was cut to this many bytes (MSG_TRUNC): receive() reports RECEIVE_TRUNCATED. */
  cutTo?: number;
  /** Multicast group (0: unicast). */
  group: number;
}

/** What the handler returns: reply datagrams to queue now (none: the request goes unanswered). */
export type Handler = (req: FakeRequest, kernel: FakeKernel) => Uint8Array[] | Uint8Array | void;

/** A message to put in a reply datagram. */
export interface Msg {
  type: number;
  flags?: number;
  seq: number;
  portId: number;
  body?: (w: MessageWriter) => void;
}

/** datagram frames messages back to back in one datagram, with MessageWriter. */
export function datagram(...msgs: Msg[]): Uint8Array {
  const w = new MessageWriter(64);
  for (const m of msgs) {
    const at = w.begin(m.type, m.flags ?? 0, m.seq, m.portId);
    m.body?.(w);
    w.end(at);
  }
  return w.toBytes();
}

/** Options for an NLMSG_ERROR (errno 0: an ACK). */
export interface ErrorOptions {
  /** Positive errno; 0 (default) is an ACK. */
  errno?: number;
  /** NETLINK_CAP_ACK behaviour: copy only the request's header (default true). */
  capped?: boolean;
  /** NLMSGERR_ATTR_MSG */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset into the request, from its nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE */
  missingType?: number;
  /** Override the sequence number (default: the request's). */
  seq?: number;
  /** Override the port id (default: the connection's, as the kernel addresses replies to the sender's port). */
  portId?: number;
  /** Extra header flags. */
  flags?: number;
}

/** errorMsg is the NLMSG_ERROR the kernel sends for `req`, built as netlink_ack() does. */
export function errorMsg(req: FakeRequest, kernel: FakeKernel, o: ErrorOptions = {}): Msg {
  const capped = o.capped ?? true;
  const tlvs = o.message !== undefined || o.offset !== undefined || o.missingType !== undefined;
  const flags = (o.flags ?? 0) | (capped ? NLM_F_CAPPED : 0) | (tlvs ? NLM_F_ACK_TLVS : 0);
  return {
    type: NLMSG_ERROR,
    flags,
    seq: o.seq ?? req.seq,
    portId: o.portId ?? kernel.portId,
    body: (w) => {
      const at = w.reserve(4);
      w.view.setInt32(at, -(o.errno ?? 0), true);
      w.raw(capped ? req.bytes.subarray(0, NLMSG_HDRLEN) : req.bytes);
      if (o.message !== undefined) w.string(NLMSGERR_ATTR_MSG, o.message);
      if (o.offset !== undefined) w.u32(NLMSGERR_ATTR_OFFS, o.offset);
      if (o.missingType !== undefined) w.u32(NLMSGERR_ATTR_MISS_TYPE, o.missingType);
    },
  };
}

/** doneMsg is the NLMSG_DONE ending a dump, optionally carrying an errno (and an ext-ack message). */
export function doneMsg(req: FakeRequest, kernel: FakeKernel, o: { errno?: number; message?: string; flags?: number; seq?: number } = {}): Msg {
  return {
    type: NLMSG_DONE,
    flags: NLM_F_MULTI | (o.flags ?? 0) | (o.message !== undefined ? NLM_F_ACK_TLVS : 0),
    seq: o.seq ?? req.seq,
    portId: kernel.portId,
    body: (w) => {
      const at = w.reserve(4);
      w.view.setInt32(at, -(o.errno ?? 0), true);
      if (o.message !== undefined) w.string(NLMSGERR_ATTR_MSG, o.message);
    },
  };
}

/** The test family's message type and attribute: one u32 ITEM_VALUE per message. */
export const ITEM_TYPE = 0x30;
export const ITEM_VALUE = 1;

/** itemMsg is a data message of the test family carrying `value` (NLM_F_MULTI by default, as in dumps). */
export function itemMsg(req: FakeRequest, kernel: FakeKernel, value: number, o: { flags?: number; seq?: number; portId?: number } = {}): Msg {
  return {
    type: ITEM_TYPE,
    flags: o.flags ?? NLM_F_MULTI,
    seq: o.seq ?? req.seq,
    portId: o.portId ?? kernel.portId,
    body: (w) => {
      w.reserve(4); // a 4-byte fixed header, like rtgenmsg padded
      w.u32(ITEM_VALUE, value);
    },
  };
}

/**
 * decodeItem is the test family's decoder: skips the 4-byte fixed header and
 * returns ITEM_VALUE. Throws DecodeError (from the real reader) on bad framing,
 * and when the value is missing.
 */
export function decodeItem(view: DataView, start: number, end: number): number {
  if (end - start < 4) throw new DecodeError(`item: fixed header needs 4 bytes, got ${end - start}`, start);
  for (let p = start + 4; !attrsDone(p, end); ) {
    const len = checkAttr(view, p, end);
    if (attrType(view, p) === ITEM_VALUE) return readU32(view, p + 4, p + len);
    p = nextAttr(p, len);
  }
  throw new DecodeError('item: ITEM_VALUE missing', start);
}

export class FakeKernel implements Transport {
  portId: number;
  view: DataView;
  senderPort = 0;
  group = 0;
  closed = false;
  /** Every request message received, in order. */
  readonly requests: FakeRequest[] = [];
  /** Number of datagrams sent to the fake. */
  datagramsSent = 0;
  /** Number of receive() calls that returned a datagram or an overrun. */
  received = 0;
  /** The options of every waitReadable call, in order. */
  readonly waits: WaitOptions[] = [];
  /** What the last setWaitRef call asked for. */
  waitRef: boolean | undefined;
  /** After RECEIVE_TRUNCATED: bytes of the cut datagram in `view`, and its real size. */
  truncatedBytes: number | undefined;
  truncatedSize: number | undefined;
  /** SO_RCVBUF as the kernel reports it. */
  rcvbuf = 212992;
  /** Answers each request message; the default answers nothing. */
  handler: Handler = () => undefined;

  private readonly queue: (Queued | typeof RECEIVE_OVERRUN)[] = [];
  private buffer: Uint8Array;
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(options: { portId?: number; handler?: Handler } = {}) {
    this.portId = options.portId ?? 4242;
    if (options.handler) this.handler = options.handler;
    this.buffer = new Uint8Array(256);
    this.view = new DataView(this.buffer.buffer);
  }

  /** queued is the number of datagrams (and overruns) waiting to be received. */
  get queued(): number {
    return this.queue.length;
  }

  send(bytes: Uint8Array, length: number): void {
    if (this.closed) throw new ClosedError('fake kernel closed');
    const copy = bytes.slice(0, length);
    const view = new DataView(copy.buffer);
    const datagramIndex = this.datagramsSent++;
    const msgs: FakeRequest[] = [];
    // The real reader parses what the connection sent: a malformed request fails the test loudly.
    for (let p = 0; p < length; ) {
      const h = readMessageHeader(view, p, length);
      const bytesOf = copy.slice(p, p + h.length);
      msgs.push({ ...h, bytes: bytesOf, view: new DataView(bytesOf.buffer), datagram: datagramIndex });
      p += align4(h.length);
    }
    for (const m of msgs) {
      this.requests.push(m);
      const out = this.handler(m, this);
      if (!out) continue;
      for (const d of Array.isArray(out) ? out : [out]) this.deliver(d);
    }
  }

  /** deliver queues a datagram now (as the kernel does inside sendmsg). */
  deliver(bytes: Uint8Array, o: { senderPort?: number; group?: number } = {}): void {
    this.queue.push({ bytes: bytes.slice(), senderPort: o.senderPort ?? 0, group: o.group ?? 0 });
    this.wake();
  }

  /** overrun queues an ENOBUFS report: the next receive() returns RECEIVE_OVERRUN. */
  overrun(): void {
    this.queue.push(RECEIVE_OVERRUN);
    this.wake();
  }

  /** clear forgets every queued datagram. */
  clear(): void {
    this.queue.length = 0;
  }

  /** deliverTruncated queues a datagram that did not fit the read buffer: only `keep` bytes arrive, with RECEIVE_TRUNCATED. */
  deliverTruncated(bytes: Uint8Array, keep: number): void {
    this.queue.push({ bytes: bytes.slice(), senderPort: 0, group: 0, cutTo: keep });
    this.wake();
  }

  /** deliverLater queues datagrams after `ms` milliseconds (a macrotask), waking a pending waitReadable. */
  deliverLater(bytes: Uint8Array | Uint8Array[], o: { senderPort?: number; group?: number; ms?: number } = {}): Promise<void> {
    return new Promise((resolve) => {
      setTimeout(() => {
        if (!this.closed) for (const d of Array.isArray(bytes) ? bytes : [bytes]) this.deliver(d, o);
        resolve();
      }, o.ms ?? 0);
    });
  }

  receive(): number {
    if (this.closed) throw new ClosedError('fake kernel closed');
    const next = this.queue.shift();
    if (next === undefined) return RECEIVE_AGAIN;
    this.received++;
    if (next === RECEIVE_OVERRUN) return RECEIVE_OVERRUN;
    if (next.bytes.length > this.buffer.length) {
      this.buffer = new Uint8Array(Math.max(next.bytes.length, this.buffer.length * 2));
      this.view = new DataView(this.buffer.buffer);
    }
    // Scribble over the previous datagram first: anything still holding a view into it sees garbage.
    this.buffer.fill(0xee);
    this.buffer.set(next.bytes, 0);
    this.senderPort = next.senderPort;
    this.group = next.group;
    if (next.cutTo !== undefined) {
      this.buffer.fill(0xee, next.cutTo);
      this.truncatedBytes = next.cutTo;
      this.truncatedSize = next.bytes.length;
      return RECEIVE_TRUNCATED;
    }
    return next.bytes.length;
  }

  waitReadable(options?: WaitOptions): Promise<void> {
    this.waits.push({ ...options });
    if (this.closed) return Promise.reject(new ClosedError('fake kernel closed'));
    if (this.queue.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve();
  }

  setWaitRef(ref: boolean): void {
    this.waitRef = ref;
  }

  receiveBufferSize(): number {
    return this.rcvbuf;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(new ClosedError('fake kernel closed'));
  }
}

/** patchHeader rewrites seq and port id of every message in a captured datagram (for replaying fixtures). */
export function patchHeader(bytes: Uint8Array, seq: number, portId: number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  for (let p = 0; p + NLMSG_HDRLEN <= out.length; ) {
    const len = checkMessage(v, p, out.length);
    v.setUint32(p + 8, seq, true);
    v.setUint32(p + 12, portId, true);
    p += align4(len);
  }
  return out;
}
