/**
 * Connection: netlink framing over one socket — sequence numbers, sender and
 * port checks, ACKs and errors, multipart dumps, batches and notifications.
 * It never mentions links or routes: callers hand it a message type, flags,
 * a body writer and a decoder.
 *
 * Replies are usually queued by the time `sendmsg` returns (rtnetlink and
 * generic netlink answer inside the send), so every call first reads what is
 * already there, synchronously; only when nothing is ready does it wait, off
 * the JavaScript thread, through the shared poller.
 */
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  align4,
} from './constants.js';
import {
  AbortError,
  ArgumentError,
  ClosedError,
  DecodeError,
  DumpInterruptedError,
  KernelError,
  ProtocolError,
  TimeoutError,
  type ExtendedAck,
} from './errors.js';
import { decodeDoneError, decodeErrorMessage, type ErrorMessage } from './extack.js';
import { checkMessage } from './reader.js';
import { checkPositiveInteger, checkWaitOptions, longTimeout, type LongTimer } from './options.js';
import { serialized } from './serial.js';
import { NetlinkSocket, RECEIVE_AGAIN, RECEIVE_OVERRUN, RECEIVE_TRUNCATED, type SocketOptions } from './socket.js';
import type { WaitOptions } from './poller.js';
import { MessageWriter } from './writer.js';

/**
 * A decoder for one message: the payload is `[start, end)` of `view` (after
 * the 16-byte nlmsghdr); `type` and `flags` are the message's nlmsg_type and
 * nlmsg_flags (a notification's NLM_F_REPLACE, say). It must copy whatever
 * it keeps: the view's buffer is reused for the next datagram.
 */
export type MessageDecoder<T> = (view: DataView, start: number, end: number, type: number, flags: number) => T;

/** Writes a message's fixed header and attributes after its nlmsghdr. */
export type BodyWriter = (w: MessageWriter) => void;

/** One request: the connection adds NLM_F_REQUEST | NLM_F_ACK and a sequence number. */
export interface Request {
  /** nlmsg_type, e.g. RTM_GETLINK. */
  type: number;
  /** Extra nlmsg_flags (NLM_F_CREATE | NLM_F_EXCL, NLM_F_DUMP, …). */
  flags?: number;
  /** Writes the fixed header and attributes. */
  body?: BodyWriter;
  /** A name for errors, e.g. `"RTM_NEWLINK"`. */
  label?: string;
}

/** What to do with a dump the kernel marked NLM_F_DUMP_INTR (it changed while being read). */
export type DumpPolicy = 'retry' | 'partial' | 'throw';

/** Options every call takes. */
export interface CallOptions {
  /**
   * Give up after this many milliseconds (TimeoutError); late replies are
   * dropped. A number greater than 0, or Infinity (the default: no
   * timeout); values beyond setTimeout's 2**31-1 work. 0, NaN and negative
   * numbers are refused with ArgumentError (the request would already be
   * sent when "at once" expired).
   */
  timeout?: number;
  /** Give up when aborted (AbortError). Must be an AbortSignal (ArgumentError otherwise). */
  signal?: AbortSignal;
}

/** Options for dumps. */
export interface DumpOptions extends CallOptions {
  /**
   * `retry` (default): dump again, up to `maxAttempts`, and throw
   * DumpInterruptedError (carrying what the last dump received) if none
   * comes out clean; `partial`: return at once, marked `interrupted: true`;
   * `throw`: DumpInterruptedError at the first interrupted dump. An
   * inconsistent result is only ever returned when `partial` asked for it.
   */
  interrupted?: DumpPolicy;
  /** Dumps made at most under `retry` (default 5): an integer from 1. */
  maxAttempts?: number;
}

/** Options for Connection.notifications. */
export interface NotificationOptions {
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /**
   * Whether a pending `next()` keeps the process alive (default true, like
   * fs.watch); the stream's `ref()` / `unref()` change it later. A stream
   * nobody is waiting on never holds the process.
   */
  ref?: boolean;
}

/**
 * A stream of notifications: an async iterator (its `next()` may be called
 * again before the last call settled: calls are answered in order) with
 * `ref()` / `unref()` to choose whether waiting keeps the process alive.
 */
export interface NotificationStream<T> extends AsyncIterableIterator<NotificationEvent<T>> {
  /** ref makes a pending `next()` keep the process alive (the default). Returns the stream. */
  ref(): this;
  /** unref lets the process exit while a `next()` waits, like an unref'd timer. Returns the stream. */
  unref(): this;
  /** queued is how many events wait in the stream: that many `next()` calls resolve without waiting for the kernel. */
  readonly queued: number;
  /**
   * take returns the next queued event now, or undefined when none is
   * queued: a consumer that handles a burst at once takes it with no
   * promise per event. Not to be mixed with `next()`. @internal
   */
  take(): NotificationEvent<T> | undefined;
  /**
   * whenQueued calls `wake` once an event is queued or the stream has ended
   * (on the next read, never synchronously), as a waiting `next()` would be
   * woken, ref'd the same way; a later call replaces an earlier `wake`. @internal
   */
  whenQueued(wake: () => void): void;
}

/** The answer to a request: decoded replies (often none) and a warning the kernel attached to its ACK. */
export interface Reply<T> {
  replies: T[];
  /** An extended-ACK message on a successful ACK: informational, not an error. */
  warning: ExtendedAck | undefined;
}

/** The result of a dump. */
export interface DumpResult<T> {
  items: T[];
  /** True when the kernel flagged the (last) dump NLM_F_DUMP_INTR: it may be inconsistent. */
  interrupted: boolean;
  /** How many dumps were made (more than 1 after retries). */
  attempts: number;
}

/** Options for Connection.batch. */
export interface BatchOptions extends CallOptions {
  /**
   * `last` (default): only the last request of each datagram asks for an ACK
   * (NLM_F_ACK). The kernel reports every failure regardless and handles a
   * datagram's messages in order, so when that last ACK arrives every earlier
   * request without an error has succeeded: one outcome per request, without
   * a queued ACK for each. Those requests' outcomes carry no `warning` (a
   * warning rides on an ACK). `each`: every request asks for its own ACK.
   */
  acks?: 'last' | 'each';
}

/** One request's outcome in a batch. */
export type BatchOutcome<T> =
  | { ok: true; replies: T[]; warning: ExtendedAck | undefined }
  | { ok: false; error: Error };

/** An event from a notification stream. */
export type NotificationEvent<T> =
  | { kind: 'message'; type: number; group: number; value: T }
  /** The kernel dropped notifications (ENOBUFS): state must be re-read. The stream goes on. */
  | { kind: 'overrun' }
  /** A notification could not be decoded; the stream goes on. */
  | { kind: 'decode-error'; type: number; error: DecodeError };

/** Options for Connection.open. */
export interface ConnectionOptions extends SocketOptions {
  /**
   * Turns an extended-ACK bad-attribute offset into a path like
   * `linkinfo.data(vxlan).port`, given the request message's bytes (from its
   * nlmsghdr) and the offset in them. Supplied by the generated codecs.
   */
  attributePath?: (request: Uint8Array, offset: number) => string | undefined;
  /** Notifications queued per stream before reading pauses (the kernel then reports an overrun). Default 4096. */
  maxQueuedNotifications?: number;
}

interface Pending {
  seq: number;
  dump: boolean;
  label: string | undefined;
  decode: MessageDecoder<unknown> | undefined;
  items: unknown[];
  interrupted: boolean;
  decodeError: Error | undefined;
  warning: ExtendedAck | undefined;
  /** The request's bytes (nlmsghdr on), for resending dumps and for attribute paths. */
  request: Uint8Array;
  /** Set when an overrun may have dropped this request's reply. */
  maybeLost: boolean;
  /**
   * How the entry completes: `ack` at its ACK or error (requests), `reply` at
   * its first reply or error (a GET sent without NLM_F_ACK), `dump` at
   * NLMSG_DONE, `batched` at its error or when the acknowledged request that
   * closes its batch chunk completes (sent without NLM_F_ACK).
   */
  until: 'ack' | 'reply' | 'dump' | 'batched';
  /** For the acknowledged request closing a batch chunk: the chunk's requests sent without NLM_F_ACK. */
  closes: Pending[] | undefined;
  /** Set once completed (then `error` holds a failure). */
  done: boolean;
  /** Created only when someone waits: most requests complete inside `transmit`. */
  resolve: (() => void) | undefined;
  reject: ((err: Error) => void) | undefined;
  promise: Promise<void> | undefined;
  /** The outcome once failed. */
  error: Error | undefined;
  /** A datagram of this dump was cut short: its result is incomplete. */
  truncated: boolean;
  /** Streaming dumps: decoded batches (one per datagram) waiting for the consumer. */
  stream: unknown[][] | undefined;
  /** Streaming dumps: the datagram the last batch came from. */
  streamDatagram: number;
  /** Streaming dumps: called when a batch arrives or the dump ends. */
  onProgress: (() => void) | undefined;
}

interface Subscriber {
  decode: MessageDecoder<unknown>;
  queue: NotificationEvent<unknown>[];
  /** Set while a `next()` waits: wakes it. */
  wake: (() => void) | undefined;
  ended: boolean;
  /** A waiting `next()` keeps the process alive. */
  ref: boolean;
}

/** A dump waiting for the socket's one dump slot. */
interface DumpWaiter {
  grant: () => void;
  fail: (err: Error) => void;
}

/** The keys a Request may have. */
const REQUEST_KEYS = new Set(['type', 'flags', 'body', 'label']);
/** NLMSG_MIN_TYPE: types below it are the protocol's own control messages (NOOP, ERROR, DONE, OVERRUN). */
const NLMSG_MIN_TYPE = 0x10;
const DUMP_POLICIES: readonly DumpPolicy[] = ['retry', 'partial', 'throw'];

/**
 * checkRequest validates a Request from any caller, before anything is
 * written: an object with only `type`, `flags`, `body` and `label`; `type`
 * an integer from 16 to 65535 (no wrap-around to another type, no string
 * turned into 0), `flags` an integer from 0 to 65535, `body` a function,
 * `label` a string. Throws ArgumentError naming the field.
 */
function checkRequest(req: unknown, argument: string): asserts req is Request {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new ArgumentError(argument, { expected: 'a request object { type, flags?, body?, label? }', received: req });
  for (const key of Object.keys(req)) {
    if (!REQUEST_KEYS.has(key)) throw new ArgumentError(`${argument}.${key}`, { reason: `unknown key (a request has ${[...REQUEST_KEYS].join(', ')})` });
  }
  const r = req as Record<string, unknown>;
  if (typeof r.type !== 'number' || !Number.isInteger(r.type) || r.type < NLMSG_MIN_TYPE || r.type > 0xffff) {
    throw new ArgumentError(`${argument}.type`, { expected: 'an integer message type from 16 to 65535 (e.g. RTM_GETLINK = 18)', received: r.type });
  }
  if (r.flags !== undefined && (typeof r.flags !== 'number' || !Number.isInteger(r.flags) || r.flags < 0 || r.flags > 0xffff)) {
    throw new ArgumentError(`${argument}.flags`, { expected: 'an integer from 0 to 65535 (NLM_F_* bits)', received: r.flags });
  }
  if (r.body !== undefined && typeof r.body !== 'function') throw new ArgumentError(`${argument}.body`, { expected: 'a function (w: MessageWriter) => void', received: r.body });
  if (r.label !== undefined && typeof r.label !== 'string') throw new ArgumentError(`${argument}.label`, { expected: 'a string', received: r.label });
}

function checkDecoder(decode: unknown, required: boolean): void {
  if (decode === undefined && !required) return;
  if (typeof decode !== 'function') throw new ArgumentError('decode', { expected: 'a function (view, start, end, type, flags) => value', received: decode });
}

function checkDumpOptions(options: unknown): { timeout: number | undefined; signal: AbortSignal | undefined; policy: DumpPolicy; maxAttempts: number } {
  const { timeout, signal } = checkWaitOptions(options);
  const o = (options ?? {}) as { interrupted?: unknown; maxAttempts?: unknown };
  if (o.interrupted !== undefined && !DUMP_POLICIES.includes(o.interrupted as DumpPolicy)) {
    throw new ArgumentError('options.interrupted', { expected: `one of ${DUMP_POLICIES.map((p) => `'${p}'`).join(', ')}`, received: o.interrupted });
  }
  const maxAttempts = checkPositiveInteger(o.maxAttempts, 'options.maxAttempts', 1, 1000) ?? 5;
  return { timeout, signal, policy: (o.interrupted as DumpPolicy | undefined) ?? 'retry', maxAttempts };
}

const STREAM_HIGH_WATER = 4;

/**
 * How long a connection that just read notifications waits before reading
 * again, rather than arming the poller: bursts are read in batches (about
 * 1 ms of events each), at most this much later than one by one.
 */
const PAUSE_MS = 1;

/**
 * What a Connection needs from its socket. NetlinkSocket is the real one;
 * tests substitute a fake kernel that speaks bytes, so the real framing runs.
 */
export interface Transport {
  readonly portId: number;
  /** The received datagram lives at the start of `view` after `receive()`. */
  readonly view: DataView;
  readonly senderPort: number;
  readonly group: number;
  readonly closed: boolean;
  send(bytes: Uint8Array, length: number): void;
  /** A byte count, RECEIVE_AGAIN, RECEIVE_OVERRUN or RECEIVE_TRUNCATED. */
  receive(): number;
  /** After RECEIVE_TRUNCATED: bytes of the cut datagram in `view`, and its real size. */
  readonly truncatedBytes?: number;
  readonly truncatedSize?: number;
  waitReadable(options?: WaitOptions): Promise<void>;
  setWaitRef(ref: boolean): void;
  receiveBufferSize(): number;
  close(): void;
}

export class Connection implements Disposable, AsyncDisposable {
  /** The socket underneath (for options and groups). */
  readonly socket: Transport;
  /** Datagrams and messages dropped because they were not for us (foreign sender, unknown sequence). */
  readonly dropped = { foreignSender: 0, unknownSequence: 0 };

  private readonly writer = new MessageWriter();
  private readonly pending = new Map<number, Pending>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly maxQueued: number;
  private readonly attributePath: ConnectionOptions['attributePath'];
  private seq = 0;
  private looping = false;
  private waitingRef: boolean | undefined;
  private isClosed = false;
  /** The kernel runs one dump per socket at a time (a second gets EBUSY): the slot's holder, and who waits for it. */
  private dumpBusy = false;
  private readonly dumpQueue: DumpWaiter[] = [];

  private constructor(socket: Transport, options: Omit<ConnectionOptions, 'protocol'>) {
    this.socket = socket;
    this.maxQueued = options.maxQueuedNotifications ?? 4096;
    this.attributePath = options.attributePath;
    this.seq = (Date.now() & 0x7fff) << 8;
  }

  /**
   * open creates the socket (see NetlinkSocket.open) and a connection over
   * it. Throws ArgumentError for a bad option (nothing is opened),
   * SyscallError when a socket call fails.
   */
  static open(options: ConnectionOptions): Connection {
    checkPositiveInteger(options?.maxQueuedNotifications, 'options.maxQueuedNotifications');
    return new Connection(NetlinkSocket.open(options), options);
  }

  /** closed tells whether close() was called: every new call then throws ClosedError. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * over wraps an already open transport (a NetlinkSocket, or a test's fake
   * kernel). The connection owns it from now on and closes it.
   */
  static over(transport: Transport, options: Omit<ConnectionOptions, 'protocol'> = {}): Connection {
    checkPositiveInteger(options.maxQueuedNotifications, 'options.maxQueuedNotifications');
    return new Connection(transport, options);
  }

  /** netlinkSocket returns the underlying NetlinkSocket (for groups and options); throws when the transport is a fake. */
  get netlinkSocket(): NetlinkSocket {
    if (!(this.socket instanceof NetlinkSocket)) throw new Error('this connection runs over a substitute transport');
    return this.socket;
  }

  /** portId is the kernel-assigned port id of the socket. */
  get portId(): number {
    return this.socket.portId;
  }

  /** sequence is the last sequence number used (requests take the next ones). */
  get sequence(): number {
    return this.seq;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /** Build one request at the writer's tail and register it; returns its entry. */
  private build(req: Request, until: Pending['until'], decode: MessageDecoder<unknown> | undefined, w: MessageWriter = this.writer, own = false): Pending {
    const seq = this.nextSeq();
    const dump = until === 'dump';
    // A GET answers with its reply or an error, and a batched request reports only a
    // failure, so neither asks for an ACK; the kernel answers every failure regardless.
    const ack = until === 'reply' || until === 'batched' ? 0 : NLM_F_ACK;
    const start = w.begin(req.type, NLM_F_REQUEST | ack | (req.flags ?? 0) | (dump ? NLM_F_DUMP : 0), seq);
    try {
      req.body?.(w);
    } catch (err) {
      w.cancel(start);
      throw err;
    }
    w.end(start);
    const entry: Pending = {
      seq,
      dump,
      label: req.label,
      decode,
      items: [],
      interrupted: false,
      decodeError: undefined,
      warning: undefined,
      // The shared writer is reused by the next call, so its bytes are copied; a writer of the
      // caller's own (a batch's) outlives the entries, so a view is enough.
      request: own ? w.bytes.subarray(start, w.length) : w.bytes.slice(start, w.length),
      maybeLost: false,
      until,
      closes: undefined,
      done: false,
      resolve: undefined,
      reject: undefined,
      promise: undefined,
      error: undefined,
      truncated: false,
      stream: undefined,
      streamDatagram: -1,
      onProgress: undefined,
    };
    this.pending.set(seq, entry);
    return entry;
  }

  private ensureOpen(options?: CallOptions): void {
    if (this.isClosed) throw new ClosedError('netlink connection is closed');
    if (options?.signal?.aborted) throw new AbortError('request aborted before it was sent', { cause: options.signal.reason });
  }

  /**
   * request sends one message and resolves when the kernel ACKs it, with the
   * replies decoded by `decode` (e.g. the object an RTM_GET… by name returns).
   * Throws ArgumentError, before anything is sent, for a malformed request
   * (see Request), a `decode` that is not a function or bad options; rejects
   * with KernelError (errno, code, extended ACK), TimeoutError, AbortError,
   * ClosedError, or the DecodeError of a reply.
   */
  async request<T = never>(req: Request, decode?: MessageDecoder<T>, options: CallOptions = {}): Promise<Reply<T>> {
    checkRequest(req, 'request');
    checkDecoder(decode, false);
    const wait = checkWaitOptions(options);
    this.ensureOpen(wait);
    this.writer.reset();
    const entry = this.build(req, 'ack', decode);
    this.transmit([entry]);
    await this.settle(entry, wait);
    return { replies: entry.items as T[], warning: entry.warning };
  }

  /**
   * get sends a request the kernel answers with exactly one message — an
   * RTM_GET… or CTRL_CMD_GETFAMILY for one object — without NLM_F_ACK, and
   * resolves with that message decoded by `decode`: one round trip, one
   * receive, no ACK to queue and read. Only for requests that always reply
   * on success (a request that succeeds silently would wait forever without
   * a timeout). Throws ArgumentError as `request` does; rejects with
   * KernelError, ProtocolError when the kernel acknowledged without a reply,
   * TimeoutError, AbortError, ClosedError or the reply's DecodeError.
   */
  async get<T>(req: Request, decode: MessageDecoder<T>, options: CallOptions = {}): Promise<T> {
    checkRequest(req, 'request');
    checkDecoder(decode, true);
    const wait = checkWaitOptions(options);
    this.ensureOpen(wait);
    this.writer.reset();
    const entry = this.build(req, 'reply', decode);
    this.transmit([entry]);
    await this.settle(entry, wait);
    if (entry.items.length === 0) throw new ProtocolError(`${req.label ?? 'request'}: the kernel acknowledged without a reply`);
    return entry.items[0] as T;
  }

  /**
   * Wait for the socket's dump slot (the kernel refuses a second dump on a
   * socket with EBUSY while one runs), in call order, within the caller's
   * timeout and signal. Resolves with the function that hands the slot on.
   */
  private async acquireDump(options: CallOptions): Promise<() => void> {
    {
      let granted = false;
      let waiter!: DumpWaiter;
      const turn = new Promise<void>((resolve, reject) => {
        waiter = {
          grant: () => {
            granted = true;
            resolve();
          },
          fail: reject,
        };
      });
      this.dumpQueue.push(waiter);
      try {
        await this.guard(turn, [], options);
      } catch (err) {
        const at = this.dumpQueue.indexOf(waiter);
        if (at >= 0) this.dumpQueue.splice(at, 1);
        // Timed out just as the slot came: pass it on, unused.
        if (granted) this.releaseDump();
        throw err;
      }
    }
    return this.takeDump();
  }

  /** Take the free dump slot (synchronously: an uncontended dump costs no extra tick). */
  private takeDump(): () => void {
    this.dumpBusy = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.releaseDump();
    };
  }

  private releaseDump(): void {
    const next = this.dumpQueue.shift();
    if (next) next.grant();
    else this.dumpBusy = false;
  }

  /**
   * dump sends an NLM_F_DUMP request and collects every object until
   * NLMSG_DONE, across as many datagrams as the kernel sends. An errno in
   * NLMSG_DONE rejects with KernelError. NLM_F_DUMP_INTR is handled by
   * `options.interrupted` (default `retry`).
   */
  async dump<T>(req: Request, decode: MessageDecoder<T>, options: DumpOptions = {}): Promise<DumpResult<T>> {
    checkRequest(req, 'request');
    checkDecoder(decode, true);
    const { timeout, signal, policy, maxAttempts } = checkDumpOptions(options);
    this.ensureOpen({ signal });
    // The timeout covers the whole call: the wait for the dump slot and every retry.
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    const left = () => (deadline === undefined ? undefined : Math.max(1, deadline - Date.now()));
    const release = this.dumpBusy ? await this.acquireDump({ signal, timeout: left() }) : this.takeDump();
    try {
      let attempts = 0;
      for (;;) {
        this.ensureOpen({ signal });
        attempts++;
        this.writer.reset();
        const entry = this.build(req, 'dump', decode);
        this.transmit([entry]);
        await this.settle(entry, { signal, timeout: left() });
        const items = entry.items as T[];
        if (!entry.interrupted) return { items, interrupted: false, attempts };
        // A cut datagram lost objects for sure: never hand that out as a result.
        if (entry.truncated && attempts < maxAttempts) continue;
        if (entry.truncated) throw new ProtocolError(`dump lost data: a datagram did not fit the read buffer ${attempts} time(s)`);
        if (policy === 'partial') return { items, interrupted: true, attempts };
        if (policy === 'throw' || attempts >= maxAttempts) throw new DumpInterruptedError(items, attempts);
      }
    } finally {
      release();
    }
  }

  /**
   * dumpIterator streams a dump datagram by datagram: each step yields the
   * objects one datagram carried, so a dump of a million routes is never held
   * at once; the kernel is read only as fast as the loop consumes. Retrying is
   * impossible once objects were handed out, so NLM_F_DUMP_INTR follows
   * `interrupted`: `throw` (default here) raises DumpInterruptedError (with
   * nothing in `received`) after the last batch; `partial` ends normally —
   * check `info.interrupted` afterwards. The request goes out at the first
   * `next()`, once the socket's dump slot is free: other dumps on this
   * connection wait until the loop ends (finish it, or break out of it,
   * which calls `return()`). `timeout` bounds each `next()`. Throws
   * ArgumentError for a malformed request or options.
   */
  dumpIterator<T>(req: Request, decode: MessageDecoder<T>, options: CallOptions & { interrupted?: 'throw' | 'partial' } = {}): AsyncIterableIterator<T[]> & { info: { interrupted: boolean } } {
    checkRequest(req, 'request');
    checkDecoder(decode, true);
    const wait = checkWaitOptions(options);
    const policy = options.interrupted ?? 'throw';
    if (policy !== 'throw' && policy !== 'partial') throw new ArgumentError('options.interrupted', { expected: "'throw' or 'partial'", received: policy });
    this.ensureOpen(wait);
    this.writer.reset();
    const entry = this.build(req, 'dump', decode);
    // Registered only once sent: until then nothing may be matched to it.
    this.pending.delete(entry.seq);
    entry.stream = [];
    const info = { interrupted: false };
    let release: (() => void) | undefined;
    let started = false;
    let finished = false;
    const self = this;
    const finish = () => {
      finished = true;
      release?.();
    };
    const step = async (): Promise<IteratorResult<T[]>> => {
      if (finished) return { done: true, value: undefined };
      try {
        if (!started) {
          started = true;
          release = self.dumpBusy ? await self.acquireDump(wait) : self.takeDump();
          if (finished) {
            // return() came while this waited for the slot.
            release();
            return { done: true, value: undefined };
          }
          self.ensureOpen(wait);
          self.pending.set(entry.seq, entry);
          // The shared writer may hold another call's message by now: send this request's own copy.
          self.transmit([entry], entry.request, entry.request.length);
        }
        for (;;) {
          const batch = entry.stream!.shift();
          if (batch) {
            if (entry.stream!.length < STREAM_HIGH_WATER) self.kick();
            return { done: false, value: batch as T[] };
          }
          if (!self.pending.has(entry.seq)) break;
          await self.settleOrProgress(entry, wait);
        }
        finish();
        await completion(entry); // throws the dump's error, if any
        info.interrupted = entry.interrupted;
        if (entry.interrupted && policy === 'throw') throw new DumpInterruptedError([], 1);
        return { done: true, value: undefined };
      } catch (err) {
        finish();
        throw err;
      }
    };
    const it = {
      info,
      next: serialized(step),
      async return(): Promise<IteratorResult<T[]>> {
        if (self.pending.has(entry.seq)) {
          // Stop collecting; the rest of the dump is read and dropped as unknown sequence.
          self.pending.delete(entry.seq);
          entry.stream = undefined;
          self.kick();
        }
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  /**
   * batch sends many requests in as few datagrams as the receive buffer
   * allows for their ACKs, and resolves with one outcome per request, in
   * order: a failure in the middle does not hide the others. The bulk-write
   * fast path. By default only each datagram's last request asks for an ACK
   * (see BatchOptions.acks). Throws ArgumentError, before anything is sent,
   * for a malformed request or options.
   */
  async batch<T = never>(requests: readonly Request[], decode?: MessageDecoder<T>, options: BatchOptions = {}): Promise<BatchOutcome<T>[]> {
    if (!Array.isArray(requests)) throw new ArgumentError('requests', { expected: 'an array of requests', received: requests });
    requests.forEach((req, i) => checkRequest(req, `requests[${i}]`));
    checkDecoder(decode, false);
    const acks = options?.acks ?? 'last';
    if (acks !== 'last' && acks !== 'each') throw new ArgumentError('options.acks', { expected: "'last' or 'each'", received: acks });
    const { acks: _acks, ...wait } = options ?? {};
    options = checkWaitOptions(wait);
    this.ensureOpen(options);
    // Build every message first, in a writer of the batch's own (other calls reuse the shared
    // one while this awaits): a body that throws then leaves nothing sent and nothing pending.
    const w = new MessageWriter(Math.max(4096, requests.length * 64));
    const entries: Pending[] = [];
    const ends: number[] = [];
    // The kernel charges each queued ACK or error about 1 KiB of the receive buffer (SO_RCVBUF as
    // read back); keep a chunk's answers within half of it, or the kernel drops answers to requests
    // (if all of them failed, every one gets an error even without ACKs).
    const perChunk = requests.length === 0 ? 1 : Math.max(1, Math.floor(this.socket.receiveBufferSize() / 2048));
    try {
      let open: Pending[] = [];
      for (let i = 0; i < requests.length; i++) {
        const closesChunk = acks === 'each' || i % perChunk === perChunk - 1 || i === requests.length - 1;
        const entry = this.build(requests[i]!, closesChunk ? 'ack' : 'batched', decode, w, true);
        if (closesChunk) {
          if (open.length > 0) entry.closes = open;
          open = [];
        } else open.push(entry);
        entries.push(entry);
        ends.push(w.length);
      }
    } catch (err) {
      for (const e of entries) this.pending.delete(e.seq);
      throw err;
    }
    for (let i = 0; i < entries.length; i += perChunk) {
      const last = Math.min(i + perChunk, entries.length) - 1;
      const from = i === 0 ? 0 : ends[i - 1]!;
      const chunk = entries.slice(i, last + 1);
      try {
        this.transmit(chunk, w.bytes.subarray(from, ends[last]!), ends[last]! - from);
      } catch (err) {
        // Not sent: this chunk and the rest fail with the send error; earlier chunks keep their outcomes.
        for (const e of entries.slice(i)) {
          this.pending.delete(e.seq);
          e.error = err as Error;
        }
        break;
      }
      // Read the chunk's ACKs before sending more, so they never overflow the queue.
      try {
        if (this.pending.size > 0) await this.settleAll(chunk, options);
      } catch (err) {
        // Timed out or aborted: what was not sent never will be.
        for (const e of entries.slice(last + 1)) this.pending.delete(e.seq);
        this.updateRef();
        throw err;
      }
    }
    return entries.map((e) => (e.error ? { ok: false as const, error: e.error } : { ok: true as const, replies: e.items as T[], warning: e.warning }));
  }

  /**
   * notifications returns a stream of the multicast messages this socket
   * receives (join groups first with `socket.joinGroup`), decoded by
   * `decode`. An overrun is an event, not the end. Ends on `return()`
   * (breaking out of `for await`), `close()`, or the signal; every pending
   * `next()` then settles `done`. While a `next()` waits the stream keeps
   * the process alive unless `options.ref` is false or `unref()` was
   * called. Throws ArgumentError for a bad decoder or options, ClosedError
   * when the connection is closed.
   */
  notifications<T>(decode: MessageDecoder<T>, options: NotificationOptions = {}): NotificationStream<T> {
    checkDecoder(decode, true);
    const { signal } = checkWaitOptions({ signal: options?.signal });
    if (options.ref !== undefined && typeof options.ref !== 'boolean') throw new ArgumentError('options.ref', { expected: 'a boolean', received: options.ref });
    this.ensureOpen();
    const sub: Subscriber = { decode, queue: [], wake: undefined, ended: false, ref: options.ref ?? true };
    this.subscribers.add(sub);
    const end = () => {
      sub.ended = true;
      // What was queued is dropped with the stream: after return() nothing more comes out.
      sub.queue.length = 0;
      this.subscribers.delete(sub);
      wakeSubscriber(sub);
      this.updateRef();
    };
    signal?.addEventListener('abort', end, { once: true });
    if (signal?.aborted) end();
    const self = this;
    const it: NotificationStream<T> = {
      next: serialized(async (): Promise<IteratorResult<NotificationEvent<T>>> => {
        for (;;) {
          const ev = sub.queue.shift();
          if (ev) {
            if (sub.queue.length === self.maxQueued - 1) self.kick();
            return { done: false, value: ev as NotificationEvent<T> };
          }
          if (sub.ended || self.isClosed) return { done: true, value: undefined };
          const wait = new Promise<void>((res) => (sub.wake = res));
          self.kick();
          await wait;
        }
      }),
      async return() {
        end();
        signal?.removeEventListener('abort', end);
        return { done: true, value: undefined };
      },
      ref() {
        sub.ref = true;
        self.updateRef();
        return it;
      },
      unref() {
        sub.ref = false;
        self.updateRef();
        return it;
      },
      get queued() {
        return sub.queue.length;
      },
      take() {
        const ev = sub.queue.shift();
        if (ev && sub.queue.length === self.maxQueued - 1) self.kick();
        return ev as NotificationEvent<T> | undefined;
      },
      whenQueued(wake) {
        if (sub.queue.length > 0 || sub.ended || self.isClosed) {
          queueMicrotask(wake);
          return;
        }
        sub.wake = wake;
        self.kick();
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  /**
   * readQueued reads, now, every datagram the socket already holds (as far as
   * the notification streams have room), instead of at the end of a batching
   * pause or on the poller's wake-up: whatever the kernel sent before this
   * call is then in the streams (multicast delivery queues to the socket
   * within the sender's call). A view calls it before and after a dump to
   * order notifications against the dump. @internal
   */
  readQueued(): void {
    if (!this.isClosed) this.drain();
  }

  // --- sending and settling -------------------------------------------------

  private transmit(entries: Pending[], bytes: Uint8Array = this.writer.bytes, length = this.writer.length): void {
    try {
      this.socket.send(bytes, length);
    } catch (err) {
      for (const e of entries) this.pending.delete(e.seq);
      throw err;
    }
    this.drain();
  }

  /**
   * Wait for one entry to complete, reading as needed. Completed already (the
   * usual case: the reply was queued by the time sendmsg returned) it returns
   * or throws at once, with no promise made.
   */
  private settle(entry: Pending, options: CallOptions): Promise<void> | undefined {
    if (entry.done) {
      if (entry.error) throw entry.error;
      return undefined;
    }
    this.kick();
    return this.guard(completion(entry), [entry], options);
  }

  private async settleAll(entries: Pending[], options: CallOptions): Promise<void> {
    const open = entries.filter((e) => !e.done);
    if (open.length === 0) return;
    this.kick();
    await this.guard(Promise.allSettled(open.map(completion)).then(() => undefined), open, options);
  }

  /** For streaming dumps: wait until the entry gets a batch or completes. */
  private async settleOrProgress(entry: Pending, options: CallOptions): Promise<void> {
    const progress = new Promise<void>((res) => (entry.onProgress = res));
    this.kick();
    try {
      await this.guard(progress, [entry], options);
    } finally {
      entry.onProgress = undefined;
    }
  }

  /** Race a completion against the caller's timeout and signal; on give-up, forget the entries. */
  private guard(done: Promise<void>, entries: Pending[], options: CallOptions): Promise<void> {
    if (options.timeout === undefined && !options.signal) return done;
    return new Promise<void>((resolve, reject) => {
      let timer: LongTimer | undefined;
      const giveUp = (err: Error) => {
        cleanup();
        for (const e of entries) {
          if (this.pending.delete(e.seq)) finish(e, err);
        }
        this.updateRef();
        reject(err);
      };
      const onAbort = () => giveUp(new AbortError('request aborted', { cause: options.signal?.reason }));
      const cleanup = () => {
        timer?.clear();
        options.signal?.removeEventListener('abort', onAbort);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeout !== undefined) timer = longTimeout(options.timeout, () => giveUp(new TimeoutError(`no reply within ${options.timeout} ms`)));
      done.then(
        () => {
          cleanup();
          resolve();
        },
        (err) => {
          cleanup();
          reject(err);
        },
      );
    });
  }

  // --- receiving --------------------------------------------------------------

  /** Whether the reader should read: someone awaits a reply, or a stream has room. */
  private wantsData(): boolean {
    if (this.isClosed) return false;
    for (const e of this.pending.values()) {
      if (!e.stream || e.stream.length < STREAM_HIGH_WATER) return true;
    }
    for (const s of this.subscribers) if (s.queue.length < this.maxQueued) return true;
    return false;
  }

  /** Whether a wait now should keep the process alive: a request awaits its reply, or a ref'd stream's `next()` waits. */
  private wantsRef(): boolean {
    if (this.pending.size > 0) return true;
    for (const s of this.subscribers) if (s.ref && s.wake) return true;
    return false;
  }

  private updateRef(): void {
    if (this.pauseTimer) {
      if (this.wantsRef()) this.pauseTimer.ref();
      else this.pauseTimer.unref();
    }
    if (this.waitingRef === undefined) return;
    const ref = this.wantsRef();
    if (ref !== this.waitingRef) {
      this.waitingRef = ref;
      this.socket.setWaitRef(ref);
    }
  }

  /** Start the reader loop if it is not running. */
  private kick(): void {
    if (this.isClosed) return;
    if (this.looping) {
      // A request's reply must not wait out a notification pause: read now.
      if (this.pending.size > 0) this.endPause();
      // The loop may be waiting unref'd: a pending request or a waiting ref'd stream must keep the process alive.
      this.updateRef();
      return;
    }
    this.looping = true;
    void this.loop().finally(() => {
      this.looping = false;
    });
  }

  private async loop(): Promise<void> {
    while (this.wantsData()) {
      // Read until the socket is empty, then wait: a second drain after one that ended on
      // RECEIVE_AGAIN would only make another recvmsg that finds nothing (one per event, for a
      // subscription woken by every notification). Data that arrives meanwhile wakes the wait.
      const read = this.drain();
      if (read && !this.dry) continue;
      if (!this.wantsData()) break;
      if (read && this.coalesceNotifications && this.pending.size === 0 && this.subscribers.size > 0) {
        // Notifications are flowing: read again after a pause instead of arming the poller.
        // A burst then costs one wake-up and one read per pause, not a poller round trip
        // (a thread hop, epoll_ctl, an empty recvmsg and a promise chain) per event; each
        // event waits at most PAUSE_MS more. The first read that finds nothing arms the poller.
        await this.pause();
        continue;
      }
      this.waitingRef = this.wantsRef();
      try {
        await this.socket.waitReadable({ ref: this.waitingRef });
      } catch (err) {
        this.waitingRef = undefined;
        if (err instanceof ClosedError) return;
        this.failAll(err as Error);
        return;
      }
      this.waitingRef = undefined;
    }
  }

  /**
   * Read notifications in batches: after a read that found some, read again
   * PAUSE_MS later instead of waiting on the poller (fewer wake-ups, at most
   * PAUSE_MS more latency). Off by default. @internal
   */
  coalesceNotifications = false;

  private pauseTimer: NodeJS.Timeout | undefined;
  private pauseWake: (() => void) | undefined;

  /** pause resolves after PAUSE_MS, or at once on endPause (a request, close); ref'd as a poller wait would be. */
  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pauseWake = resolve;
      this.pauseTimer = setTimeout(() => this.endPause(), PAUSE_MS);
      if (!this.wantsRef()) this.pauseTimer.unref();
    });
  }

  private endPause(): void {
    const wake = this.pauseWake;
    if (!wake) return;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    this.pauseWake = undefined;
    wake();
  }

  /** drain found the socket empty (RECEIVE_AGAIN) when it stopped: reading again now would find nothing. */
  private dry = false;
  /** Whether an overrun marked pending requests maybeLost since the last failLost. */
  private mayHaveLost = false;

  /** Read every datagram already queued. Returns whether anything was read. */
  private drain(): boolean {
    let any = false;
    this.dry = false;
    while (this.wantsData()) {
      let n: number;
      try {
        n = this.socket.receive();
      } catch (err) {
        this.failAll(err as Error);
        return any;
      }
      if (n === RECEIVE_AGAIN) {
        this.dry = true;
        this.failLost();
        return any;
      }
      any = true;
      if (n === RECEIVE_OVERRUN) this.overrun();
      else if (n === RECEIVE_TRUNCATED) this.truncated();
      else this.dispatch(n);
    }
    return any;
  }

  private dispatch(n: number): void {
    const sock = this.socket;
    if (sock.senderPort !== 0) {
      // Only the kernel may answer; another process's datagram is never a reply.
      this.dropped.foreignSender++;
      return;
    }
    const view = sock.view;
    const multicast = sock.group !== 0;
    this.datagramId++;
    let p = 0;
    while (n - p >= NLMSG_HDRLEN) {
      let len: number;
      try {
        len = checkMessage(view, p, n);
      } catch (err) {
        this.failAll(new ProtocolError(`malformed datagram from the kernel: ${(err as Error).message}`));
        return;
      }
      const type = view.getUint16(p + 4, true);
      const flags = view.getUint16(p + 6, true);
      if (multicast) {
        this.notify(view, p, len, type, flags, sock.group);
      } else {
        const seq = view.getUint32(p + 8, true);
        const port = view.getUint32(p + 12, true);
        const entry = port === sock.portId ? this.pending.get(seq) : undefined;
        if (entry) this.reply(entry, view, p, len, type, flags);
        else this.dropped.unknownSequence++;
      }
      p += align4(len);
    }
  }

  private reply(entry: Pending, view: DataView, p: number, len: number, type: number, flags: number): void {
    if (flags & NLM_F_DUMP_INTR) entry.interrupted = true;
    const start = p + NLMSG_HDRLEN;
    const end = p + len;
    switch (type) {
      case NLMSG_ERROR: {
        let msg: ErrorMessage;
        try {
          msg = decodeErrorMessage(view, start, end, flags);
        } catch (err) {
          return this.complete(entry, new ProtocolError(`malformed NLMSG_ERROR: ${(err as Error).message}`));
        }
        if (msg.errno === 0) {
          if (msg.ack.message !== undefined || msg.ack.offset !== undefined) entry.warning = this.withPath(entry, msg.ack);
          this.complete(entry, entry.decodeError);
        } else this.complete(entry, new KernelError(msg.errno, this.withPath(entry, msg.ack), msg.requestType, entry.label));
        return;
      }
      case NLMSG_DONE: {
        if (!entry.dump) return;
        let done: { errno: number; ack: ExtendedAck };
        try {
          done = decodeDoneError(view, start, end, flags);
        } catch (err) {
          return this.complete(entry, new ProtocolError(`malformed NLMSG_DONE: ${(err as Error).message}`));
        }
        if (done.errno !== 0) return this.complete(entry, new KernelError(done.errno, done.ack, undefined, entry.label));
        return this.complete(entry, entry.decodeError);
      }
      case NLMSG_NOOP:
      case NLMSG_OVERRUN:
        return;
      default: {
        if (entry.decodeError || !entry.decode) return;
        try {
          const value = entry.decode(view, start, end, type, flags);
          if (entry.stream) {
            // One batch per datagram: messages of the same datagram share it.
            if (entry.streamDatagram === this.datagramId) entry.stream[entry.stream.length - 1]!.push(value);
            else {
              entry.streamDatagram = this.datagramId;
              entry.stream.push([value]);
              entry.onProgress?.();
            }
          } else entry.items.push(value);
        } catch (err) {
          // Keep reading to the end of the reply so its rest is not left queued.
          entry.decodeError = err as Error;
        }
        if (entry.until === 'reply') this.complete(entry, entry.decodeError);
      }
    }
  }

  private datagramId = 0;

  private withPath(entry: Pending, ack: ExtendedAck): ExtendedAck {
    if (ack.offset !== undefined && this.attributePath && ack.attributePath === undefined) {
      try {
        const path = this.attributePath(entry.request, ack.offset);
        if (path) ack.attributePath = path;
      } catch {
        // A path is a courtesy; the offset stays.
      }
    }
    return ack;
  }

  private complete(entry: Pending, err: Error | undefined): void {
    if (!this.pending.delete(entry.seq)) return;
    finish(entry, err);
    entry.onProgress?.();
    // The request that closes a batch chunk is done: the kernel handled the chunk's earlier
    // requests in order and answered each failure before it, so those still open succeeded
    // (unless an overrun may have dropped their error). When the whole chunk fails at once
    // (close, a lost reply) its earlier requests were failed first, in sending order.
    if (entry.closes) {
      for (const b of entry.closes) {
        this.complete(b, b.maybeLost ? new ProtocolError(`the outcome of ${b.label ?? `request ${b.seq}`} is unknown: receive queue overrun (ENOBUFS) may have dropped its error; raise the receive buffer size`) : b.decodeError);
      }
    }
    this.updateRef();
  }

  private notify(view: DataView, p: number, len: number, type: number, flags: number, group: number): void {
    for (const sub of this.subscribers) {
      let ev: NotificationEvent<unknown>;
      try {
        ev = { kind: 'message', type, group, value: sub.decode(view, p + NLMSG_HDRLEN, p + len, type, flags) };
      } catch (err) {
        // A decoder's bug must not end every subscription on the socket: report it as this message's failure.
        const error = err instanceof DecodeError ? err : new DecodeError(`notification decoder threw: ${(err as Error)?.message ?? String(err)}`, p);
        ev = { kind: 'decode-error', type, error };
      }
      sub.queue.push(ev);
      wakeSubscriber(sub);
    }
    this.updateRef();
  }

  private overrun(): void {
    for (const sub of this.subscribers) {
      sub.queue.push({ kind: 'overrun' });
      wakeSubscriber(sub);
    }
    this.updateRef();
    // A reply may have been among what the kernel dropped: decided once the queue is empty.
    for (const e of this.pending.values()) {
      if (e.dump) continue;
      e.maybeLost = true;
      this.mayHaveLost = true;
    }
  }

  /**
   * A datagram was cut by the kernel (larger than the read buffer, which has
   * now grown). Its first header says whose it was: a dump is marked
   * interrupted, so the `retry` policy dumps again whole; a request fails
   * with ProtocolError; notifications get an overrun (state must be re-read).
   */
  private truncated(): void {
    const sock = this.socket;
    const view = sock.view;
    const what = `a ${sock.truncatedSize}-byte datagram did not fit the ${sock.truncatedBytes}-byte read buffer and was cut by the kernel (the buffer has grown)`;
    if (sock.senderPort !== 0) return;
    if (sock.group !== 0) return this.overrun();
    if ((sock.truncatedBytes ?? 0) < NLMSG_HDRLEN) return;
    const seq = view.getUint32(8, true);
    const entry = view.getUint32(12, true) === sock.portId ? this.pending.get(seq) : undefined;
    if (!entry) return;
    if (entry.dump && !entry.stream) {
      entry.interrupted = true;
      entry.truncated = true;
    } else this.complete(entry, new ProtocolError(`${entry.label ?? 'reply'}: ${what}; retry the request`));
  }

  private failLost(): void {
    // Most drains end with nothing marked: no walk (a batch's chunk has ~100 requests pending at each drain).
    if (!this.mayHaveLost) return;
    this.mayHaveLost = false;
    for (const e of [...this.pending.values()]) {
      if (e.maybeLost) this.complete(e, new ProtocolError(`the reply to ${e.label ?? `request ${e.seq}`} was dropped: receive queue overrun (ENOBUFS); raise the receive buffer size`));
    }
  }

  private failAll(err: Error): void {
    for (const e of [...this.pending.values()]) this.complete(e, err);
  }

  /**
   * close ends every pending call with ClosedError, ends notification
   * streams, and closes the socket. Idempotent.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const closed = new ClosedError('netlink connection closed');
    this.failAll(closed);
    for (const w of this.dumpQueue.splice(0)) w.fail(closed);
    for (const s of this.subscribers) {
      s.ended = true;
      s.queue.length = 0;
      wakeSubscriber(s);
    }
    this.subscribers.clear();
    this.endPause();
    this.socket.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** completion returns a promise of the entry's outcome, made on first use (most entries complete before anyone waits). */
function completion(entry: Pending): Promise<void> {
  if (entry.done) return entry.error ? Promise.reject(entry.error) : Promise.resolve();
  if (!entry.promise) {
    entry.promise = new Promise<void>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    entry.promise.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  }
  return entry.promise;
}

/** finish records an entry's outcome and settles its promise, if one was made. */
function finish(entry: Pending, err: Error | undefined): void {
  if (entry.done) return;
  entry.done = true;
  entry.error = err;
  if (err) entry.reject?.(err);
  else entry.resolve?.();
}

/** wakeSubscriber resumes a waiting `next()`; cleared first, so the stream no longer counts as waiting. */
function wakeSubscriber(sub: Subscriber): void {
  const wake = sub.wake;
  sub.wake = undefined;
  wake?.();
}
