/**
 * subscribe: typed rtnetlink notifications — links, addresses, routes,
 * neighbours, rules, nexthops, tc qdiscs, classes and filters — as
 * `{ type: 'new' | 'del', kind, object }` events,
 * with `{ type: 'overrun' }` when the kernel dropped some.
 *
 * Each subscription has its own socket, opened in the handle's namespace
 * (with no setns when that is the caller's own, so no capability is
 * needed), so replies and notifications never mix; waiting goes through the
 * shared poller (one thread for every socket). Like fs.watch, a
 * subscription whose `next()` is awaited keeps the process alive (`unref()`
 * opts out); one nobody waits on never does.
 *
 * Backpressure is explicit: at most `maxQueued` decoded events wait in
 * process; past that the socket is not read, the kernel's receive buffer
 * fills, the kernel drops notifications and the stream says `overrun`
 * (drop-and-resync). Memory never grows with the consumer's lag.
 */
import type { Connection, DumpOptions, MessageDecoder } from '../netlink/connection.js';
import { ArgumentError, ClosedError, DumpInterruptedError, type DecodeError } from '../netlink/errors.js';
import { checkPositiveInteger, checkSignal } from '../netlink/options.js';
import { NLM_F_REPLACE } from '../netlink/constants.js';
import type { NetNsLike } from '../netns/index.js';
import { KIND_BY_TYPE, convertWhole, dumpRequests, kindRequest, loadKind, type ObjectKind } from '../registry/index.js';
import { groupInfo, type RtnlChange, type RtnlGroupName } from './kinds.js';
import { NotificationSource, pinNetns } from './source.js';
import { eventStream } from './stream.js';

/** What `subscribe` and `watch` need from an Rtnl handle. */
export interface EventContext {
  /** The handle's request connection: dumps for `existing` and resyncs go through it. */
  readonly conn: Connection;
  /** The handle's namespace; subscription sockets are opened in it. */
  readonly netns: NetNsLike | undefined;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /**
   * SO_RCVBUF of the subscription socket in bytes, an integer from 16384
   * (SO_RCVBUFFORCE as root, so rmem_max does not cap it).
   */
  receiveBufferSize?: number;
  /**
   * Decoded events held in process before the socket stops being read
   * (then the kernel drops and the stream reports `overrun`): a positive
   * integer, default 4096.
   */
  maxQueued?: number;
  /** First yield a `new` event for every object that exists now, then the changes. Default false. */
  existing?: boolean;
  /** Ends the stream (and closes its socket) when aborted. */
  signal?: AbortSignal;
  /** Options of the dumps `existing` makes (timeout, signal, DUMP_INTR policy). */
  dump?: DumpOptions;
  /**
   * Whether a pending `next()` (a `for await` loop waiting for the next
   * event) keeps the process alive, as fs.watch does. Default true; false
   * is `unref()` from the start. A subscription nobody waits on never holds
   * the process.
   */
  keepAlive?: boolean;
}

const SUBSCRIBE_KEYS = new Set(['receiveBufferSize', 'maxQueued', 'existing', 'signal', 'dump', 'keepAlive']);

/**
 * checkStreamOptions validates the options subscribe and watch share and
 * refuses unknown keys. Throws ArgumentError. @internal
 */
export function checkStreamOptions(options: unknown, keys: ReadonlySet<string>): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new ArgumentError('options', { expected: 'an options object', received: options });
  for (const key of Object.keys(options)) {
    if (!keys.has(key)) throw new ArgumentError(`options.${key}`, { reason: `unknown option (known: ${[...keys].join(', ')})` });
  }
  const o = options as Record<string, unknown>;
  checkPositiveInteger(o.maxQueued, 'options.maxQueued', 1, 1 << 24);
  checkSignal(o.signal);
  for (const key of ['existing', 'keepAlive'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new ArgumentError(`options.${key}`, { expected: 'a boolean', received: o[key] });
  }
}

/**
 * RtnlEvent: what a subscription yields. `overrun`: the kernel dropped
 * notifications; everything after this event was sent after it, so re-read
 * the state (or use `watch`, which does) and apply what follows. `error`: one
 * notification could not be decoded (its change is lost: treat it like an
 * overrun); the stream goes on.
 */
export type RtnlEvent = RtnlChange | { type: 'overrun' } | { type: 'error'; messageType: number; error: DecodeError };

/** Counters of a subscription. */
export interface SubscriptionStats {
  /** Overruns reported (each replaced the socket). */
  overruns: number;
  /** Notifications received (including ones skipped, such as bridge-port link messages). */
  received: number;
}

/**
 * Subscription is an async iterable of RtnlEvent that never ends by itself
 * and never throws because of an overrun. Breaking out of `for await`,
 * `close()`, `using`/`await using` or the signal end it and close its socket.
 */
export interface Subscription extends AsyncIterableIterator<RtnlEvent>, AsyncDisposable, Disposable {
  /** close ends the stream: every pending `next()` resolves done. Idempotent. */
  close(): void;
  /** ref makes a pending `next()` keep the process alive (the default). Returns the subscription. */
  ref(): this;
  /** unref lets the process exit while a `next()` waits, like an unref'd timer. Returns the subscription. */
  unref(): this;
  /** Counters, live. */
  readonly stats: SubscriptionStats;
}

/** A decoded notification with its object's key (the kernel's identity). @internal */
export interface KeyedChange {
  /** The object's key: for views ('' for subscriptions, which need none). */
  key: string;
  change: RtnlChange;
  /** Routes, for views: the identity objects that may replace one another share. */
  group: string | undefined;
  /** The notification carried NLM_F_REPLACE: it replaced another object of its group. */
  replace: boolean;
}

/**
 * changeDecoder decodes the messages of the kinds in `accept`, in the
 * families listed for each, to a KeyedChange; undefined for anything else,
 * and for messages `list()` would not show. With `forView`, an object the
 * kernel changes silently comes as `del` (views leave them out), and the
 * change carries its key and group (a subscription needs neither: building
 * a route's key costs about a microsecond). @internal
 */
export function changeDecoder(accept: ReadonlyMap<ObjectKind, ReadonlySet<number>>, forView = false): MessageDecoder<KeyedChange | undefined> {
  return (view, start, end, type, flags) => {
    const c = KIND_BY_TYPE.get(type);
    if (!c) return undefined;
    const families = accept.get(c);
    if (!families || (end > start && !c.anyFamily && !families.has(view.getUint8(start))) || (c.accept !== undefined && !c.accept(view, start, end))) return undefined;
    const m = c.decode(view, start, end);
    // A view leaves silent objects out: one that turns silent leaves the view.
    const type_ = type === c.types.new && !(forView && c.silent?.(m)) ? 'new' : 'del';
    const replace = type === c.types.new && (flags & NLM_F_REPLACE) !== 0;
    // As list() makes them: a route keeps a copy of its message (or nothing) instead of its decoded `attrs`.
    const object = convertWhole(c, m, view, start, end, flags);
    return { key: forView ? c.key(m) : '', change: { type: type_, kind: c.kind, object } as RtnlChange, group: forView ? c.groupKey?.(m) : undefined, replace };
  };
}

/** The groups a list of group names stands for, and the families of each kind they carry. @internal */
export function resolveGroups(names: readonly RtnlGroupName[]): { groups: number[]; families: Map<ObjectKind, Set<number>> } {
  if (!Array.isArray(names) || names.length === 0) throw new ArgumentError('groups', { expected: 'a non-empty array of group names', received: names });
  const groups = new Set<number>();
  const families = new Map<ObjectKind, Set<number>>();
  for (const name of names) {
    const info = groupInfo(name);
    groups.add(info.group);
    for (const { kind, families: fams } of info.kinds) {
      const set = families.get(kind) ?? new Set<number>();
      for (const f of fams) set.add(f);
      families.set(kind, set);
    }
  }
  return { groups: [...groups], families };
}

/**
 * subscribe opens a subscription socket in `ctx`'s namespace joined to
 * `groups` and returns its typed events. Throws ArgumentError for an
 * unknown group or a bad option, ClosedError when the handle is closed
 * (nothing is opened then), SyscallError / NetNsError when the socket
 * cannot be opened.
 */
export function subscribe(ctx: EventContext, groups: readonly RtnlGroupName[], options: SubscribeOptions = {}): Subscription {
  checkStreamOptions(options, SUBSCRIBE_KEYS);
  const { groups: numbers, families } = resolveGroups(groups);
  if (ctx.conn.closed) throw new ClosedError('subscribe: the Rtnl handle is closed');
  const pin = pinNetns(ctx.netns);
  let source: NotificationSource<KeyedChange | undefined>;
  try {
    source = new NotificationSource(
      { open: { netns: pin.ns, receiveBufferSize: options.receiveBufferSize }, groups: numbers, maxQueued: options.maxQueued ?? 4096, ref: options.keepAlive ?? true, coalesce: true },
      changeDecoder(families),
    );
  } catch (err) {
    pin.release();
    throw err;
  }
  let existing: RtnlEvent[] | undefined;
  let listed = !options.existing;
  // Kinds whose codec loads on first use (tc) load before the socket is first read: nothing is decoded, or lost, before.
  let loaded = [...families.keys()].every((k) => k.load === undefined);
  const signal = options.signal;

  const listExisting = async (): Promise<RtnlEvent[]> => {
    const out: RtnlEvent[] = [];
    let inconsistent = false;
    const decode = changeDecoder(families);
    for (const [kind, fams] of families) {
      const dumpOptions = { ...options.dump, signal: options.dump?.signal ?? signal };
      for (const family of fams) {
        for (const request of await dumpRequests(ctx.conn, kind, kind.dump(family), dumpOptions)) {
          let items: (KeyedChange | undefined)[];
          try {
            const r = await ctx.conn.dump(kindRequest(kind, 'get', request), decode, dumpOptions);
            items = r.items;
            if (r.interrupted) inconsistent = true;
          } catch (err) {
            // Retries ran out: what arrived is still worth showing, followed by the overrun that says it may be off.
            if (!(err instanceof DumpInterruptedError)) throw err;
            items = err.received as (KeyedChange | undefined)[];
            inconsistent = true;
          }
          for (const item of items) if (item) out.push({ ...item.change, type: 'new' });
        }
      }
    }
    // Still inconsistent after the retries: say so the way a lost notification would.
    if (inconsistent) out.push({ type: 'overrun' });
    return out;
  };

  return eventStream<KeyedChange, RtnlEvent>(source, {
    toEvent: (value) => value.change,
    release: pin.release,
    signal,
    // With `existing`, the listing comes first, then the notifications queued meanwhile.
    before: async () => {
      if (!loaded) {
        for (const kind of families.keys()) await loadKind(kind);
        loaded = true;
      }
      if (!listed) {
        listed = true;
        existing = await listExisting();
      }
      const first = existing?.shift();
      if (first === undefined) existing = undefined;
      return first;
    },
  }) as Subscription;
}
