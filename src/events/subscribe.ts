/**
 * subscribe: typed rtnetlink notifications — links, addresses, routes,
 * neighbours, rules — as `{ type: 'new' | 'del', kind, object }` events,
 * with `{ type: 'overrun' }` when the kernel dropped some.
 *
 * Each subscription has its own socket, opened in the handle's namespace,
 * so replies and notifications never mix; waiting goes through the shared
 * poller (one thread for every socket) and an idle subscription does not
 * keep the process alive.
 *
 * Backpressure is explicit: at most `maxQueued` decoded events wait in
 * process; past that the socket is not read, the kernel's receive buffer
 * fills, the kernel drops notifications and the stream says `overrun`
 * (drop-and-resync). Memory never grows with the consumer's lag.
 */
import type { Connection, DumpOptions, MessageDecoder } from '../netlink/connection.js';
import type { DecodeError } from '../netlink/errors.js';
import { NLM_F_REPLACE } from '../netlink/constants.js';
import { NetNs, openNetNs, type NetNsLike } from '../netns/index.js';
import { KIND_BY_TYPE, groupInfo, type KindCodec, type RtnlChange, type RtnlGroupName } from './kinds.js';
import { NotificationSource } from './source.js';

/** What `subscribe` and `watch` need from an Rtnl handle. */
export interface EventContext {
  /** The handle's request connection: dumps for `existing` and resyncs go through it. */
  readonly conn: Connection;
  /** The handle's namespace; subscription sockets are opened in it. */
  readonly netns: NetNsLike | undefined;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** SO_RCVBUF of the subscription socket in bytes (SO_RCVBUFFORCE as root, so rmem_max does not cap it). */
  receiveBufferSize?: number;
  /**
   * Decoded events held in process before the socket stops being read
   * (then the kernel drops and the stream reports `overrun`). Default 4096.
   */
  maxQueued?: number;
  /** First yield a `new` event for every object that exists now, then the changes. Default false. */
  existing?: boolean;
  /** Ends the stream (and closes its socket) when aborted. */
  signal?: AbortSignal;
  /** Options of the dumps `existing` makes (timeout, signal, DUMP_INTR policy). */
  dump?: DumpOptions;
  /**
   * Keep the process alive while the subscription is open (a monitor whose
   * only work is this stream). Default false: an idle subscription lets the
   * process exit, like an unref'd timer.
   */
  keepAlive?: boolean;
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
  /** close ends the stream: a pending `next()` resolves done. Idempotent. */
  close(): void;
  /** Counters, live. */
  readonly stats: SubscriptionStats;
}

/** A decoded notification with its object's key (the kernel's identity). @internal */
export interface KeyedChange {
  key: string;
  change: RtnlChange;
  /** Routes: the identity objects that may replace one another share. */
  group: string | undefined;
  /** The notification carried NLM_F_REPLACE: it replaced another object of its group. */
  replace: boolean;
}

/**
 * changeDecoder decodes the messages of the kinds in `accept`, in the
 * families listed for each, to a KeyedChange; undefined for anything else,
 * and for messages `list()` would not show. With `forView`, an object the
 * kernel changes silently comes as `del` (views leave them out). @internal
 */
export function changeDecoder(accept: ReadonlyMap<KindCodec, ReadonlySet<number>>, forView = false): MessageDecoder<KeyedChange | undefined> {
  return (view, start, end, type, flags) => {
    const c = KIND_BY_TYPE.get(type);
    if (!c) return undefined;
    const families = accept.get(c);
    if (!families || (end > start && !families.has(view.getUint8(start))) || !c.accept(view, start, end)) return undefined;
    const m = c.decode(view, start, end);
    // A view leaves silent objects out: one that turns silent leaves the view.
    const type_ = type === c.newType && !(forView && c.silent?.(m)) ? 'new' : 'del';
    const replace = type === c.newType && (flags & NLM_F_REPLACE) !== 0;
    return { key: c.key(m), change: { type: type_, kind: c.kind, object: c.convert(m) } as RtnlChange, group: c.groupKey?.(m), replace };
  };
}

/**
 * pinNetns holds the namespace a context names for as long as a stream
 * lives, so a socket reopened after an overrun lands in the same one (even
 * if a name was deleted and made again, or the thread moved). @internal
 */
export function pinNetns(netns: NetNsLike | undefined): { ns: NetNs; release: () => void } {
  if (netns === undefined) {
    const ns = NetNs.current();
    return { ns, release: () => ns.close() };
  }
  const { ns, owned } = openNetNs(netns);
  return { ns, release: () => (owned ? ns.close() : undefined) };
}

/** keepAlive holds the event loop open (a timer that never fires in practice) when asked to. @internal */
export function keepAlive(on: boolean | undefined): NodeJS.Timeout | undefined {
  return on ? setInterval(() => undefined, 0x7fffffff) : undefined;
}

/** The groups a list of group names stands for, and the families of each kind they carry. @internal */
export function resolveGroups(names: readonly RtnlGroupName[]): { groups: number[]; families: Map<KindCodec, Set<number>> } {
  if (names.length === 0) throw new TypeError('subscribe: name at least one group');
  const groups = new Set<number>();
  const families = new Map<KindCodec, Set<number>>();
  for (const name of names) {
    const info = groupInfo(name);
    groups.add(info.group);
    const set = families.get(info.codec) ?? new Set<number>();
    for (const f of info.families) set.add(f);
    families.set(info.codec, set);
  }
  return { groups: [...groups], families };
}

/**
 * subscribe opens a subscription socket in `ctx`'s namespace joined to
 * `groups` and returns its typed events. Throws TypeError for an unknown
 * group, SyscallError / NetNsError when the socket cannot be opened.
 */
export function subscribe(ctx: EventContext, groups: readonly RtnlGroupName[], options: SubscribeOptions = {}): Subscription {
  const { groups: numbers, families } = resolveGroups(groups);
  const pin = pinNetns(ctx.netns);
  let source: NotificationSource<KeyedChange | undefined>;
  try {
    source = new NotificationSource(
      { open: { netns: pin.ns, receiveBufferSize: options.receiveBufferSize }, groups: numbers, maxQueued: options.maxQueued ?? 4096 },
      changeDecoder(families),
    );
  } catch (err) {
    pin.release();
    throw err;
  }
  let existing: RtnlEvent[] | undefined;
  let listed = !options.existing;
  let done = false;
  const signal = options.signal;
  const alive = keepAlive(options.keepAlive);
  const close = () => {
    if (done) return;
    done = true;
    clearInterval(alive);
    source.close();
    pin.release();
    signal?.removeEventListener('abort', close);
  };
  signal?.addEventListener('abort', close, { once: true });
  if (signal?.aborted) close();

  const listExisting = async (): Promise<RtnlEvent[]> => {
    const out: RtnlEvent[] = [];
    let inconsistent = false;
    const decode = changeDecoder(families);
    for (const [codec, fams] of families) {
      for (const req of codec.dumps([...fams])) {
        const r = await ctx.conn.dump(req, decode, { ...options.dump, signal: options.dump?.signal ?? signal });
        for (const item of r.items) if (item) out.push({ ...item.change, type: 'new' });
        if (r.interrupted) inconsistent = true;
      }
    }
    // Still inconsistent after the retries: say so the way a lost notification would.
    if (inconsistent) out.push({ type: 'overrun' });
    return out;
  };

  const sub: Subscription = {
    stats: {
      get overruns() {
        return source.overruns;
      },
      get received() {
        return source.received;
      },
    },
    async next(): Promise<IteratorResult<RtnlEvent>> {
      if (!listed) {
        listed = true;
        existing = await listExisting();
      }
      for (;;) {
        if (done) return { done: true, value: undefined };
        const first = existing?.shift();
        if (first) return { done: false, value: first };
        existing = undefined;
        const ev = await source.next();
        if (!ev) {
          close();
          return { done: true, value: undefined };
        }
        if (ev.kind === 'overrun') return { done: false, value: { type: 'overrun' } };
        if (ev.kind === 'decode-error') return { done: false, value: { type: 'error', messageType: ev.type, error: ev.error } };
        if (ev.value) return { done: false, value: ev.value.change };
      }
    },
    async return(): Promise<IteratorResult<RtnlEvent>> {
      close();
      return { done: true, value: undefined };
    },
    close,
    [Symbol.asyncIterator]() {
      return sub;
    },
    [Symbol.dispose]: close,
    async [Symbol.asyncDispose]() {
      close();
    },
  };
  return sub;
}
