/**
 * Conntrack: the connection-tracking table of one network namespace over
 * ctnetlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK) — list, get,
 * add, update, delete, flush, count, statistics and events. Requests are
 * built with the generated `conntrack` codecs (codegen/overlays/conntrack.yaml);
 * what comes back is a plain `ConntrackEntry`.
 */
import type { BodyWriter, CallOptions, Connection, DumpOptions, MessageDecoder } from '../netlink/connection.js';
import { NLM_F_CREATE, NLM_F_EXCL, NetlinkProtocol } from '../netlink/constants.js';
import { ArgumentError, type DecodeError } from '../netlink/errors.js';
import { checkObject } from '../netlink/args.js';
import type { NetNsLike } from '../netns/index.js';
import type * as conntrack from '../generated/conntrack.js';
import { NetlinkHandle, byMessageType, checkOver, openConnection, type HandleOptions } from '../netlink/handle.js';
import { NotificationSource, pinNetns } from '../events/source.js';
import { eventStream } from '../events/stream.js';
import {
  checkFilter,
  createMessage,
  entryFromMessage,
  keyMessage,
  updateMessage,
  type ConntrackChanges,
  type ConntrackCodec,
  type ConntrackEntry,
  type ConntrackFilter,
  type ConntrackKey,
  type ConntrackSpec,
} from './entry.js';

/** Options for Conntrack.open: `netns`, `receiveBufferSize` (of the request socket; as every handle's). */
export type ConntrackOptions = HandleOptions;

/** Per-CPU counters of the conntrack core (`conntrack -S`), one object per CPU. */
export interface ConntrackCpuStats {
  cpu: number;
  found: number;
  invalid: number;
  insert: number;
  insertFailed: number;
  drop: number;
  earlyDrop: number;
  error: number;
  searchRestart: number;
  clashResolve: number;
  chainTooLong: number;
  /** Every attribute the kernel sent. */
  attrs: conntrack.StatsCpuAttrs;
}

/** The event kinds a subscription can ask for: a new entry, a change, an entry's end. */
export type ConntrackEventType = 'new' | 'update' | 'destroy';

/** The spec's multicast group (NFNLGRP_CONNTRACK_NEW / _UPDATE / _DESTROY) of each event kind. */
const GROUPS = { new: 'nfnlgrp-conntrack-new', update: 'nfnlgrp-conntrack-update', destroy: 'nfnlgrp-conntrack-destroy' } as const satisfies Record<ConntrackEventType, keyof typeof conntrack.McastGroup>;

/**
 * ConntrackEvent: what a subscription yields. `overrun`: the kernel dropped
 * events (its socket buffer was full); what follows was sent after it, so
 * re-list to resynchronise. `error`: one event could not be decoded.
 */
export type ConntrackEvent =
  | { type: ConntrackEventType; entry: ConntrackEntry }
  | { type: 'overrun' }
  | { type: 'error'; messageType: number; error: DecodeError };

/** Options of `subscribe`. */
export interface ConntrackSubscribeOptions {
  /** SO_RCVBUF of the subscription socket in bytes (forced as root). */
  receiveBufferSize?: number;
  /** Decoded events held in process before the socket stops being read (then the kernel drops: `overrun`). Default 4096. */
  maxQueued?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /**
   * Whether a pending `next()` keeps the process alive, as with rtnl's
   * subscribe (and fs.watch). Default true; `false` is `unref()` from the start.
   */
  keepAlive?: boolean;
}

/** An async iterable of ConntrackEvent; breaking out of `for await`, `close()` or the signal end it. */
export interface ConntrackSubscription extends AsyncIterableIterator<ConntrackEvent>, AsyncDisposable, Disposable {
  /** close ends the stream and closes its socket. Idempotent. */
  close(): void;
  /** ref makes a pending `next()` keep the process alive (the default). Returns the subscription. */
  ref(): this;
  /** unref lets the process exit while a `next()` waits, like an unref'd timer. Returns the subscription. */
  unref(): this;
  /** Counters, live: overruns reported, events received. */
  readonly stats: { readonly overruns: number; readonly received: number };
}


/** Conntrack is one ctnetlink handle on one network namespace. Close it (or `await using`). */
export class Conntrack extends NetlinkHandle {
  /** The generated codec, loaded on the first open. */
  private readonly codec: ConntrackCodec;
  private readonly decodeEntry: MessageDecoder<ConntrackEntry>;

  private constructor(conn: Connection, netns: NetNsLike | undefined, codec: ConntrackCodec) {
    super(conn, netns);
    this.codec = codec;
    this.decodeEntry = (view, start, end) => entryFromMessage(codec.decodeCtMessage(view, start, end));
  }

  /** ctBody returns the request body writer of a ctnetlink message. */
  private ctBody(m: conntrack.CtMessageInput): BodyWriter {
    return (w) => this.codec.encodeCtMessage(w, m);
  }

  /**
   * open makes a handle on the current namespace or `options.netns`. Throws
   * ArgumentError for bad options, NetNsError when the namespace cannot be
   * opened, SyscallError when the socket cannot be made.
   */
  static async open(options: ConntrackOptions = {}): Promise<Conntrack> {
    const codec = await import('../generated/conntrack.js');
    const { conn, netns } = openConnection(options, NetlinkProtocol.netfilter, byMessageType(codec.attributePathAt));
    return new Conntrack(conn, netns, codec);
  }

  /** over makes a handle on an existing NETLINK_NETFILTER connection (a test's fake kernel); the handle owns it. Throws ArgumentError. */
  static async over(conn: Connection, netns?: NetNsLike): Promise<Conntrack> {
    checkOver(conn, netns);
    return new Conntrack(conn, netns, await import('../generated/conntrack.js'));
  }

  /**
   * list dumps the table (`conntrack -L`). The kernel filters by family and
   * mark; protocol, zone and addresses are filtered here. Throws
   * ArgumentError for a bad filter (nothing sent), KernelError.
   */
  async list(filter: ConntrackFilter = {}, options: DumpOptions = {}): Promise<ConntrackEntry[]> {
    const f = checkFilter(filter);
    const r = await this.conn.dump({ type: this.codec.RequestType['ct-get'], label: 'IPCTNL_MSG_CT_GET', body: this.ctBody({ header: { nfgenFamily: f.family }, attrs: f.attrs }) }, this.decodeEntry, options);
    return f.match ? r.items.filter(f.match) : r.items;
  }

  /**
   * get reads one entry by its original tuple (`conntrack -G`). Throws
   * ArgumentError for a bad key, KernelError `ENOENT` when there is none.
   */
  async get(key: ConntrackKey, options: CallOptions = {}): Promise<ConntrackEntry> {
    const m = keyMessage(key);
    const r = await this.conn.request({ type: this.codec.RequestType['ct-get'], label: 'IPCTNL_MSG_CT_GET', body: this.ctBody(m) }, this.decodeEntry, options);
    const e = r.replies[0];
    if (!e) throw new Error('conntrack get: the kernel answered without an entry');
    return e;
  }

  /**
   * add creates an entry (`conntrack -I`); the reply tuple defaults to the
   * original reversed. Throws ArgumentError for a bad spec (nothing sent),
   * KernelError `EEXIST` when the tuple is tracked already.
   */
  async add(spec: ConntrackSpec, options: CallOptions = {}): Promise<void> {
    const m = createMessage(this.codec, spec);
    await this.conn.request({ type: this.codec.RequestType['ct-new'], flags: NLM_F_CREATE | NLM_F_EXCL, label: 'IPCTNL_MSG_CT_NEW', body: this.ctBody(m) }, undefined, options);
  }

  /**
   * update changes an existing entry's timeout, mark, status, TCP state or
   * labels (`conntrack -U`). Throws ArgumentError (nothing sent), KernelError
   * `ENOENT` when there is no such entry.
   */
  async update(key: ConntrackKey, changes: ConntrackChanges, options: CallOptions = {}): Promise<void> {
    const m = updateMessage(this.codec, key, changes);
    await this.conn.request({ type: this.codec.RequestType['ct-new'], label: 'IPCTNL_MSG_CT_NEW', body: this.ctBody(m) }, undefined, options);
  }

  /**
   * delete removes one entry by its original tuple (`conntrack -D`). Throws
   * ArgumentError for a bad key, KernelError `ENOENT` when there is none.
   */
  async delete(key: ConntrackKey, options: CallOptions = {}): Promise<void> {
    const m = keyMessage(key);
    await this.conn.request({ type: this.codec.RequestType['ct-delete'], label: 'IPCTNL_MSG_CT_DELETE', body: this.ctBody(m) }, undefined, options);
  }

  /**
   * flush removes every entry (`conntrack -F`), or only those of one family
   * and/or whose mark matches (the kernel filters). Throws ArgumentError,
   * KernelError.
   */
  async flush(filter: Pick<ConntrackFilter, 'family' | 'mark'> = {}, options: CallOptions = {}): Promise<void> {
    const f = checkObject(filter, 'filter', true);
    for (const k of Object.keys(f)) if (k !== 'family' && k !== 'mark') throw new ArgumentError(`filter.${k}`, { reason: 'flush filters by family and mark only' });
    const c = checkFilter(f);
    // The kernel ignores nfgen_family on a flush unless the message says
    // NFNETLINK_V1 (a V0 flush of one family removed every family's entries).
    const header = { nfgenFamily: c.family, version: c.family === 0 ? 0 : 1 };
    await this.conn.request({ type: this.codec.RequestType['ct-delete'], label: 'IPCTNL_MSG_CT_DELETE', body: this.ctBody({ header, attrs: c.attrs }) }, undefined, options);
  }

  /** count returns how many entries the table holds (`conntrack -C`). Throws KernelError. */
  async count(options: CallOptions = {}): Promise<number> {
    const r = await this.conn.request(
      { type: this.codec.RequestType['ct-get-stats'], label: 'IPCTNL_MSG_CT_GET_STATS', body: (w) => this.codec.encodeStatsGlobalMessage(w, { header: {}, attrs: {} }) },
      (view, start, end) => this.codec.decodeStatsGlobalMessage(view, start, end),
      options,
    );
    const entries = r.replies[0]?.attrs.entries;
    if (entries === undefined) throw new Error('conntrack count: the kernel answered without CTA_STATS_GLOBAL_ENTRIES');
    return entries;
  }

  /** stats returns the per-CPU counters of the conntrack core (`conntrack -S`). Throws KernelError. */
  async stats(options: DumpOptions = {}): Promise<ConntrackCpuStats[]> {
    const r = await this.conn.dump(
      { type: this.codec.RequestType['ct-get-stats-cpu'], label: 'IPCTNL_MSG_CT_GET_STATS_CPU', body: (w) => this.codec.encodeStatsCpuMessage(w, { header: {}, attrs: {} }) },
      (view, start, end): ConntrackCpuStats => {
        const m = this.codec.decodeStatsCpuMessage(view, start, end);
        const a = m.attrs;
        return {
          cpu: m.header.resId,
          found: a.found ?? 0,
          invalid: a.invalid ?? 0,
          insert: a.insert ?? 0,
          insertFailed: a.insertFailed ?? 0,
          drop: a.drop ?? 0,
          earlyDrop: a.earlyDrop ?? 0,
          error: a.error ?? 0,
          searchRestart: a.searchRestart ?? 0,
          clashResolve: a.clashResolve ?? 0,
          chainTooLong: a.chainToolong ?? 0,
          attrs: a,
        };
      },
      options,
    );
    return r.items;
  }

  /**
   * subscribe streams conntrack events of this namespace (`conntrack -E`):
   * `new`, `update` and `destroy` (default: all three), each on its
   * multicast group, over a socket of its own that is replaced after an
   * overrun (then `{ type: 'overrun' }` comes and the stream goes on).
   * Throws ArgumentError for unknown kinds, SyscallError / NetNsError when the
   * socket cannot be opened.
   */
  subscribe(events: readonly ConntrackEventType[] = ['new', 'update', 'destroy'], options: ConntrackSubscribeOptions = {}): ConntrackSubscription {
    if (!Array.isArray(events) || events.length === 0) throw new ArgumentError('events', { expected: "a non-empty array of 'new', 'update', 'destroy'", received: events });
    const groups = events.map((e, i) => {
      if (typeof e !== 'string' || !Object.hasOwn(GROUPS, e)) throw new ArgumentError(`events[${i}]`, { expected: "'new', 'update' or 'destroy'", received: e });
      return this.codec.McastGroup[GROUPS[e as ConntrackEventType]];
    });
    const o = checkObject(options, 'options', true) as ConntrackSubscribeOptions;
    return subscribeEvents(this.netns, groups, o, eventDecoder(this.codec, this.decodeEntry));
  }
}

/**
 * The kernel sends a new entry as IPCTNL_MSG_CT_NEW with NLM_F_CREATE |
 * NLM_F_EXCL, a change as IPCTNL_MSG_CT_NEW without them, an entry's end as
 * IPCTNL_MSG_CT_DELETE (ctnetlink_conntrack_event).
 */
function eventDecoder(codec: ConntrackCodec, decodeEntry: MessageDecoder<ConntrackEntry>): MessageDecoder<{ type: ConntrackEventType; entry: ConntrackEntry } | undefined> {
  const T = codec.RequestType;
  return (view, start, end, type, flags) => {
    if (type === T['ct-delete']) return { type: 'destroy', entry: decodeEntry(view, start, end, type, flags) };
    if (type !== T['ct-new']) return undefined;
    return { type: (flags & (NLM_F_CREATE | NLM_F_EXCL)) !== 0 ? 'new' : 'update', entry: decodeEntry(view, start, end, type, flags) };
  };
}

function subscribeEvents(
  netns: NetNsLike | undefined,
  groups: number[],
  options: ConntrackSubscribeOptions,
  decode: MessageDecoder<{ type: ConntrackEventType; entry: ConntrackEntry } | undefined>,
): ConntrackSubscription {
  const pin = pinNetns(netns);
  let source: NotificationSource<{ type: ConntrackEventType; entry: ConntrackEntry } | undefined>;
  try {
    source = new NotificationSource(
      { protocol: NetlinkProtocol.netfilter, open: { netns: pin.ns, receiveBufferSize: options.receiveBufferSize }, groups, maxQueued: options.maxQueued ?? 4096, ref: options.keepAlive ?? true },
      decode,
    );
  } catch (err) {
    pin.release();
    throw err;
  }
  return eventStream<{ type: ConntrackEventType; entry: ConntrackEntry }, ConntrackEvent>(source, {
    toEvent: (value) => value,
    release: pin.release,
    signal: options.signal,
  }) as ConntrackSubscription;
}
