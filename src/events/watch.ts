/**
 * watch: a live view of one kind of object — links, addresses, routes,
 * neighbours, rules, nexthops, tc qdiscs, classes or filters — whose
 * contents always converge to what a fresh dump returns.
 *
 * How it stays exact:
 *
 * 1. It subscribes FIRST, then dumps (retrying NLM_F_DUMP_INTR), then
 *    applies the notifications that queued meanwhile, in order. Each
 *    notification carries the whole object, so for every object the last
 *    event applied is its current state, and an object with no event since
 *    the subscription began is as the dump shows it. The source reads in
 *    batches (up to 1 ms late, see Connection.coalesceNotifications), so
 *    before every re-dump, and before handing out the first, the view reads
 *    its socket at once and applies everything queued: a notification the
 *    kernel sent before a dump, applied after it, would set an object back
 *    to an older state and tell that as a change.
 * 2. On an overrun the source has already replaced its socket (its backlog
 *    was older than what was lost, see source.ts); the view dumps again,
 *    replaces its contents and emits the differences as synthetic `new` /
 *    `del` events. A notification that cannot be decoded is treated the same.
 * 3. Some changes come with no notification about the object itself, but
 *    another message gives them away; the view then re-dumps after
 *    `resyncDelay` ms (coalescing bursts):
 *    - routes: IPv4 routes through a device that goes down or away, or that
 *      use a deleted address as source, are flushed silently; nexthops get
 *      'linkdown' when the carrier drops; IPv6 routes' MTU follows their
 *      device's MTU; routes over a deleted or replaced nexthop object go or
 *      change. A route view also listens to links, addresses and nexthops.
 *    - links: a veth peer (or any link this one names as its parent) that
 *      leaves for another namespace or comes back changes the remaining
 *      end's parent silently; a bridge port's STP state moves with only an
 *      AF_BRIDGE message.
 *    - tc (the kind's `resyncOn`): a deleted qdisc takes its classes,
 *      filters and leaf qdiscs along with one message; a u32 filter's first
 *      node brings entries of its own; every tc message re-dumps.
 * 4. What nothing gives away (a neighbour going from reachable to delay or
 *    probe, STP flags of a bridge, a veth peer moving between two other
 *    namespaces) is caught by re-dumping every `refreshInterval` ms. Fields
 *    that change by themselves all the time (counters, timers: the kind's
 *    `volatile` list) are as of the last notification or dump and are never
 *    a change on their own: a re-dump that finds only those emits nothing.
 *
 * Memory is bounded: at most `maxQueued` notifications wait in the source
 * and at most `maxQueued` change events (plus one resync's differences,
 * which reference objects the view holds anyway) wait for a consumer. The
 * view applies every notification as it arrives, whatever the consumer
 * does, so `snapshot()` is never behind. When the consumer falls
 * `maxQueued` events behind, the view stops queuing events, remembers the
 * contents the consumer will know once it has drained its queue, and then
 * hands it the differences to the contents now, as synthetic events.
 *
 * Like fs.watch, a view whose iterator's `next()` is awaited keeps the
 * process alive (`unref()` opts out); a view nobody waits on never does.
 */
import { Connection, type MessageDecoder, type NotificationEvent } from '../netlink/connection.js';
import { ArgumentError, ClosedError, DumpInterruptedError } from '../netlink/errors.js';
import { serialized } from '../netlink/serial.js';
import { NetlinkProtocol } from '../netlink/constants.js';
import { KIND_BY_NAME, RtnlGroup, WatchTargets, dumpRequests, kindRequest, loadKind, type KindPlural, type ObjectKind, type RtnlKind, type RtnlObjects } from '../registry/index.js';
import { addressKind } from '../registry/kinds/address.js';
import { linkKind, type Link } from '../registry/kinds/link.js';
import { Family, familyNumber, type FamilyName } from '../registry/vocabulary.js';
import * as rtLink from '../generated/rt-link.js';
import * as rtNexthop from '../generated/rt-nexthop.js';
import { TIMER_MAX_MS } from '../netlink/options.js';
import { attrType, attrsDone, checkAttr, nextAttr, readU32 } from '../netlink/reader.js';
import { sameObject } from './kinds.js';
import { GroupedContents, KeyedContents, type Contents } from './contents.js';
import { changeDecoder, checkStreamOptions, type EventContext, type KeyedChange } from './subscribe.js';
import { NotificationSource, pinNetns } from './source.js';

export { WatchTargets } from '../registry/index.js';
/** What `watch` takes: a kind's plural, 'links', 'addresses', 'routes', 'neighbors', 'rules', … */
export type WatchTarget = KindPlural;
/** The object type a target's view holds. */
export type WatchObject<T extends WatchTarget> = RtnlObjects[(typeof WatchTargets)[T]];

/** A change a view made: `synthetic` when it comes from a resync's differences rather than a notification. */
export interface WatchEvent<O> {
  type: 'new' | 'del';
  kind: string;
  object: O;
  synthetic: boolean;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Only these families ('inet', 'inet6'; 'bridge' for the FDB in a neighbour view). Default: as `list()`. */
  families?: Array<FamilyName | number>;
  /** SO_RCVBUF of the subscription socket in bytes, an integer from 16384 (FORCE as root). */
  receiveBufferSize?: number;
  /** Bound on notifications waiting in process and on change events waiting for the consumer: a positive integer, default 4096. */
  maxQueued?: number;
  /** Iteration starts with a `new` event for every object in the view. Default false. */
  existing?: boolean;
  /** Ends the view when aborted. */
  signal?: AbortSignal;
  /**
   * Whether a loop waiting for the view's next change keeps the process
   * alive, as fs.watch does. Default true; false is `unref()` from the
   * start. A view nobody waits on never holds the process.
   */
  keepAlive?: boolean;
  /** Milliseconds between a message that gives away a silent change and the re-dump (default 20). */
  resyncDelay?: number;
  /**
   * Milliseconds between re-dumps that catch what the kernel changes with no
   * message at all: the longest a view can differ from a fresh `list()`
   * (plus one dump). Default 5000 for neighbours (their NUD state moves on
   * timers), 30000 for links (STP flags, a veth peer moving between other
   * namespaces), Infinity (never) for addresses, routes, rules and tc, whose
   * silent changes nlkit knows of all come with a hint (see `resyncDelay`).
   * At least 100.
   */
  refreshInterval?: number;
}

const WATCH_KEYS = new Set(['families', 'receiveBufferSize', 'maxQueued', 'existing', 'signal', 'keepAlive', 'resyncDelay', 'refreshInterval']);

/** The default `refreshInterval` of each kind of view, in milliseconds. */
const REFRESH_INTERVAL: Readonly<Partial<Record<RtnlKind, number>>> = {
  neighbor: 5000,
  link: 30_000,
};

/** The shortest `refreshInterval` taken, in milliseconds. */
const MIN_REFRESH_INTERVAL = 100;

/** Counters of a view. */
export interface WatchStats {
  /** Dumps made after the first one (overruns, decode errors, hints of silent changes, `refreshInterval`, `resync()`). */
  resyncs: number;
  /** Overruns the kernel reported. */
  overruns: number;
  /** Notifications applied. */
  applied: number;
  /** Change events waiting for the consumer now. */
  queued: number;
  /** The most change events that ever waited. */
  peakQueued: number;
  /** Synthetic events emitted by resyncs. */
  synthetic: number;
  /** Dumps that stayed interrupted after a retry (each schedules another resync). */
  inconsistentDumps: number;
}

/**
 * View is a live, consistent set of objects. `snapshot()` returns them;
 * iterating yields its changes (one loop at a time; breaking out of the loop
 * closes the view); `close()` ends it and releases its sockets.
 */
export interface View<O> extends AsyncIterable<WatchEvent<O>>, Disposable, AsyncDisposable {
  /** snapshot returns the objects now in the view (a new array; the objects are shared, do not change them). */
  snapshot(): O[];
  /** size is how many objects the view holds. */
  readonly size: number;
  /** stats are live counters. */
  readonly stats: Readonly<WatchStats>;
  /**
   * resync re-dumps now and emits the differences, as the view does on its
   * own after an overrun, a hint of a silent change or `refreshInterval`.
   * Resolves once the dump is applied (at once when the view is closed);
   * rejects with the view's `error` if it fails meanwhile.
   */
  resync(): Promise<void>;
  /** close ends the view: iteration ends (every pending `next()` settles done), sockets are closed. Idempotent. */
  close(): void;
  /** ref makes a loop waiting for the next change keep the process alive (the default). Returns the view. */
  ref(): this;
  /** unref lets the process exit while a loop waits for the next change. Returns the view. */
  unref(): this;
  /** closed tells whether the view has ended (closed, aborted, or failed: see `error`). */
  readonly closed: boolean;
  /** error is why the view ended on its own (a dump failed), if it did. */
  readonly error: Error | undefined;
}

/** What the source yields to a view: a change, a hint that routes may have changed silently, or nothing of interest. */
type ViewMessage = KeyedChange | { trigger: true } | undefined;

/** A FIFO that does not shift arrays (O(1) per take). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** IFF_UP | IFF_RUNNING | IFF_LOWER_UP: the link flags whose change can flush or mark routes silently. */
const ROUTE_RELEVANT_FLAGS = rtLink.IfinfoFlags.up | rtLink.IfinfoFlags.running | rtLink.IfinfoFlags['lower-up'];

/** What a route view remembers of a link: the flags and MTU whose change can change routes silently. */
function routeRelevant(view: DataView, start: number, end: number): string {
  return `${view.getUint32(start + 8, true) & ROUTE_RELEVANT_FLAGS} ${linkMtu(view, start, end) ?? ''}`;
}

/** IFLA_MTU of a link message, read straight from its attributes (undefined when absent). Throws DecodeError on a malformed one. */
function linkMtu(view: DataView, start: number, end: number): number | undefined {
  for (let p = start + rtLink.IfinfomsgSize; !attrsDone(p, end); ) {
    const len = checkAttr(view, p, end);
    if (attrType(view, p) === rtLink.LinkAttr.mtu) return readU32(view, p + 4, p + len);
    p = nextAttr(p, len);
  }
  return undefined;
}

/** Links: an AF_BRIDGE RTM_NEWLINK is a bridge port's state changing (STP), which its AF_UNSPEC message may never show. */
function bridgePortHint(view: DataView, start: number, end: number, type: number): ViewMessage {
  return type === rtLink.RequestType.newlink && end - start >= rtLink.IfinfomsgSize && view.getUint8(start) === Family.bridge ? { trigger: true } : undefined;
}

class LiveView<O> implements View<O> {
  readonly stats: WatchStats = { resyncs: 0, overruns: 0, applied: 0, queued: 0, peakQueued: 0, synthetic: 0, inconsistentDumps: 0 };
  error: Error | undefined;
  closed = false;

  /** The objects by key (routes: by identity group, see contents.ts). */
  private state: Contents<O>;
  private readonly out = new Fifo<WatchEvent<O>>();
  private iterating = false;
  private consumerWake: (() => void) | undefined;
  private pumpWake: (() => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncDue = false;
  /** Milliseconds before re-dumping after an interrupted dump (doubles while dumps stay interrupted). */
  private backoff = 0;
  /** Milliseconds waited after an overrun before re-dumping (doubles while overruns follow resyncs closely). */
  private overrunBackoff = 0;
  /** When the last resync finished (ms since the epoch). */
  private lastResyncAt = 0;
  /** Route views: the last IFF_UP/RUNNING/LOWER_UP and MTU of each link, to spot changes that change routes silently. */
  private readonly linkState = new Map<number, string>();
  /** The periodic re-dump (refreshInterval), re-armed after every dump. */
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly refreshInterval: number;
  /** Callers of resync() waiting for the next dump. */
  private resyncWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private readonly source: NotificationSource<ViewMessage>;
  private readonly dumpConn: Connection;
  private readonly release: () => void;
  private readonly maxQueued: number;
  private readonly onAbort = () => this.close();
  /** Whether a waiting consumer holds the process (keepAlive, ref/unref). */
  private refOn: boolean;
  private consumerWaiting = false;
  /** The timer of an overrun back-off, ref'd while a consumer waits. */
  private pauseTimer: NodeJS.Timeout | undefined;
  /**
   * Set while the consumer lags (its queue reached maxQueued): the contents
   * it will know once it has taken every queued event. Events are not
   * queued meanwhile; the differences to the live contents are, when it
   * catches up.
   */
  private lagBase: Contents<O> | undefined;

  constructor(
    private readonly codec: ObjectKind,
    private readonly families: readonly number[],
    private readonly filter: ((o: O) => boolean) | undefined,
    private readonly options: WatchOptions,
    ctx: EventContext,
  ) {
    this.maxQueued = Math.max(1, options.maxQueued ?? 4096);
    this.refreshInterval = options.refreshInterval ?? REFRESH_INTERVAL[codec.kind as RtnlKind] ?? Infinity;
    this.state = this.emptyContents();
    const pin = pinNetns(ctx.netns);
    try {
      const routes = codec.kind === 'route';
      const groups = new Set<number>();
      for (const g of codec.groups) if (g.family === 0 || families.includes(g.family)) groups.add(g.group);
      if (routes) {
        groups.add(RtnlGroup.link);
        groups.add(RtnlGroup['ipv4-addr']);
        groups.add(RtnlGroup['ipv6-addr']);
        groups.add(rtNexthop.McastGroup['rtnlgrp-nexthop']);
      }
      const decodeChange = changeDecoder(new Map([[codec, new Set(families)]]), true);
      const hint: ((view: DataView, start: number, end: number, type: number) => ViewMessage) | undefined = routes
        ? (view, start, end, type) => this.routeHint(view, start, end, type)
        : codec.kind === 'link'
          ? bridgePortHint
          : undefined;
      const decode: MessageDecoder<ViewMessage> = hint ? (view, start, end, type, flags) => hint(view, start, end, type) ?? decodeChange(view, start, end, type, flags) : decodeChange;
      // The subscription first: everything from here on is caught.
      // Not ref'd until a consumer waits: a view nobody iterates never holds the process.
      this.source = new NotificationSource(
        { open: { netns: pin.ns, receiveBufferSize: options.receiveBufferSize }, groups: [...groups], maxQueued: this.maxQueued, reopenOnOverrun: false, ref: false, coalesce: true },
        decode,
      );
      try {
        this.dumpConn = Connection.open({ protocol: NetlinkProtocol.route, netns: pin.ns });
      } catch (err) {
        this.source.close();
        throw err;
      }
    } catch (err) {
      pin.release();
      throw err;
    }
    this.release = pin.release;
    this.refOn = options.keepAlive ?? true;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Apply the ref rule: hold the process while a consumer waits, the view is open and not unref'd. */
  private updateHold(): void {
    const hold = this.refOn && this.consumerWaiting && !this.closed;
    this.source.setRef(hold);
    if (hold) this.pauseTimer?.ref();
    else this.pauseTimer?.unref();
  }

  ref(): this {
    this.refOn = true;
    this.updateHold();
    return this;
  }

  unref(): this {
    this.refOn = false;
    this.updateHold();
    return this;
  }

  /** Links, addresses and nexthops in a route view: a hint to re-dump when routes may have changed without notice. */
  private routeHint(view: DataView, start: number, end: number, type: number): ViewMessage {
    if (type === linkKind.types.new || type === linkKind.types.del) {
      if (end - start < rtLink.IfinfomsgSize || view.getUint8(start) !== 0) return undefined;
      const index = view.getInt32(start + 4, true);
      if (type === linkKind.types.del) {
        this.linkState.delete(index);
        return { trigger: true };
      }
      // Up/down and carrier flush or mark routes; an MTU change moves IPv6 routes' MTU (rt6_mtu_change).
      const now = routeRelevant(view, start, end);
      const before = this.linkState.get(index);
      this.linkState.set(index, now);
      return before === undefined || before !== now ? { trigger: true } : undefined;
    }
    if (type === addressKind.types.del) return { trigger: true };
    // Deleting a nexthop object deletes the routes over it, replacing one changes them: with no RTM_*ROUTE.
    if (type === rtNexthop.RequestType.newnexthop || type === rtNexthop.RequestType.delnexthop) return { trigger: true };
    return undefined;
  }

  /**
   * Links: a link that leaves for another namespace (its RTM_DELLINK carries
   * IFLA_NEW_NETNSID) or arrives from one changes what its peer in this
   * namespace says about it (IFLA_LINK, IFLA_LINK_NETNSID), and the peer is
   * often not notified. Re-dump when the link the view holds as its peer
   * does not point back the same way any more.
   */
  private peerHint(change: KeyedChange['change'], old: O | undefined): void {
    const link = change.object as Link;
    const parent = link.parent;
    if (parent === undefined || parent.netnsId !== undefined) return;
    const peer = this.state.find(String(parent.index), undefined) as Link | undefined;
    if (peer === undefined) return;
    const pointsBack = peer.parent !== undefined && peer.parent.index === link.index && peer.parent.netnsId === undefined;
    if (change.type === 'del' ? link.attrs.newNetnsid !== undefined && pointsBack : old === undefined && !pointsBack) this.scheduleResync();
  }

  /** start makes the first dump, applies what queued meanwhile, and starts the pump. */
  async start(): Promise<void> {
    if (this.options.signal?.aborted) throw new ClosedError('watch: aborted before it started');
    await this.sync(false);
    // Apply every notification sent while the dump ran before handing the view out: read from
    // the socket now, not left to a batching pause or the poller (then applied after the view
    // was handed out, each would be an event about a state the dump already showed). An
    // overrun among them re-dumps; what came meanwhile is applied the same way.
    while (!this.closed && !(await this.applyQueued()));
    void this.pump();
  }

  /**
   * Apply every notification the kernel has sent up to now, reading the
   * socket at once (Connection.readQueued): the source reads in batches, so
   * some may still wait in the socket for the end of a pause, others in the
   * source's queue. Returns false when the view closed, or when one of them
   * was an overrun or decode error (handled: the view has re-dumped since).
   */
  private async applyQueued(): Promise<boolean> {
    this.source.readQueued();
    for (;;) {
      if (this.closed) return false;
      const ev = this.source.take();
      if (ev === undefined) return true;
      if (ev.kind === 'message') this.handleMessage(ev);
      else {
        await this.handleLoss(ev);
        return false;
      }
    }
  }

  /** Wait `ms` (ended early by close()). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((res) => {
      const t = setTimeout(() => {
        this.pumpWake = undefined;
        this.pauseTimer = undefined;
        res();
      }, ms);
      this.pauseTimer = t;
      this.updateHold();
      this.pumpWake = () => {
        clearTimeout(t);
        this.pauseTimer = undefined;
        res();
      };
    });
  }

  private wake(): void {
    const w = this.pumpWake;
    this.pumpWake = undefined;
    w?.();
  }

  private wakeConsumer(): void {
    const w = this.consumerWake;
    this.consumerWake = undefined;
    w?.();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed) {
        if (this.resyncDue) {
          this.resyncDue = false;
          // Those who called resync() before this dump began; a failure settles them in close().
          const waiting = this.resyncWaiters.length;
          await this.sync(true);
          this.settleWaiters(this.resyncWaiters.splice(0, waiting));
          continue;
        }
        // What is queued is taken at once: a burst costs one wake-up, not a promise per event.
        const ev = this.source.take();
        if (ev !== undefined) {
          if (ev.kind === 'message') this.handleMessage(ev);
          else await this.handleLoss(ev);
          continue;
        }
        if (this.source.isClosed) {
          this.close();
          break;
        }
        await new Promise<void>((res) => {
          this.pumpWake = res;
          this.source.whenReady(res);
        });
        this.pumpWake = undefined;
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** An overrun or an undecodable notification: its change is lost; re-dump (after a back-off, for overruns). */
  private async handleLoss(ev: Exclude<NotificationEvent<ViewMessage>, { kind: 'message' }>): Promise<void> {
    if (ev.kind === 'overrun') {
      // The source's socket is closed now. In a storm every resync would
      // overrun again at once: back off (doubling while overruns follow
      // closely) before opening a new one and dumping.
      this.stats.overruns++;
      const now = Date.now();
      this.overrunBackoff = now - this.lastResyncAt < 1000 ? Math.min(Math.max(this.overrunBackoff * 2, 20), 2000) : 0;
      if (this.overrunBackoff > 0) await this.pause(this.overrunBackoff);
      if (this.closed) return;
      this.source.reopen();
    }
    await this.sync(true);
  }

  /** Apply one notification. */
  private handleMessage(ev: Extract<NotificationEvent<ViewMessage>, { kind: 'message' }>): void {
    // A message after which the kernel may have changed this kind's objects silently (tc): re-dump shortly.
    if (this.codec.resyncOn?.includes(ev.type)) this.scheduleResync();
    const m = ev.value;
    if (!m) return;
    if ('trigger' in m) {
      this.scheduleResync();
      return;
    }
    this.apply(m);
    this.checkLag();
  }

  /** (Re-)arm the periodic re-dump: `refreshInterval` ms after the last dump. */
  private armRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.closed || this.refreshInterval === Infinity) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.resyncDue = true;
      this.wake();
    }, this.refreshInterval);
    this.refreshTimer.unref();
  }

  resync(): Promise<void> {
    if (this.closed) return this.error ? Promise.reject(this.error) : Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.resyncWaiters.push({ resolve, reject });
      this.resyncDue = true;
      this.wake();
    });
  }

  /** Settle the resync() callers in `waiters`: with the view's error if it failed. */
  private settleWaiters(waiters: ReadonlyArray<{ resolve: () => void; reject: (err: Error) => void }>): void {
    for (const w of waiters) {
      if (this.error) w.reject(this.error);
      else w.resolve();
    }
  }

  private scheduleResync(delay = this.options.resyncDelay ?? 20): void {
    if (this.resyncTimer || this.closed) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      this.resyncDue = true;
      this.wake();
    }, delay);
    this.resyncTimer.unref();
  }

  private apply({ key, change, group, replace }: KeyedChange): void {
    this.stats.applied++;
    const object = change.object as O;
    const state = this.state;
    const old = state.find(key, group);
    // Routes: the others of its identity group (see groupChange).
    if (state.others.length > 0) this.groupChange(key, group, change.type, replace);
    if (this.codec.kind === 'link') this.peerHint(change, old);
    if (change.type === 'new') {
      if (this.filter && !this.filter(object)) {
        // Changed so that it no longer matches: it leaves the view.
        if (old !== undefined) {
          state.remove(key, group, old);
          this.emit('del', old, false);
        }
        return;
      }
      state.put(key, group, object, old);
      this.emit('new', object, false);
    } else if (old !== undefined) {
      state.remove(key, group, old);
      this.emit('del', object, false);
    }
  }

  /**
   * Routes: a change to an identity group that holds other routes. A replace
   * removes them; otherwise (an append, or a deletion, of a route the view
   * holds or not: an IPv6 multipath sibling leaving) what the kernel did to
   * the rest is not spelled out: re-dump.
   */
  private groupChange(key: string, group: string | undefined, type: 'new' | 'del', replace: boolean): void {
    if (type === 'new' && replace) {
      for (const o of this.state.others) {
        this.state.remove(key, group, o);
        this.emit('del', o, false);
      }
      return;
    }
    this.scheduleResync();
  }

  private emit(type: 'new' | 'del', object: O, synthetic: boolean): void {
    if (synthetic) this.stats.synthetic++;
    if (!this.iterating || this.lagBase) return;
    this.out.push({ type, kind: this.codec.kind, object, synthetic });
    this.stats.queued = this.out.length;
    if (this.out.length > this.stats.peakQueued) this.stats.peakQueued = this.out.length;
    this.wakeConsumer();
  }

  /** After a notification or resync was applied: if the consumer's queue is full, it lags from here on. */
  private checkLag(): void {
    if (this.iterating && !this.lagBase && this.out.length >= this.maxQueued) this.lagBase = this.state.copy();
  }

  /** The lagging consumer took its whole queue: give it the differences to what the view holds now. */
  private catchUp(): void {
    const base = this.lagBase;
    if (!base) return;
    this.lagBase = undefined;
    this.emitDifferences(base, this.state);
    this.checkLag();
  }

  private emitDifferences(before: Contents<O>, after: Contents<O>): void {
    before.differences(
      after,
      (a, b) => sameObject(a, b, this.codec.volatile),
      (o) => this.emit('del', o, true),
      (o) => this.emit('new', o, true),
    );
  }

  /** An empty Contents for this view's kind. */
  private emptyContents(): Contents<O> {
    const keyOf = this.codec.objectKey;
    if (this.codec.groupKey === undefined) return new KeyedContents<O>();
    if (keyOf === undefined) throw new Error(`the ${this.codec.kind} kind has groupKey but no objectKey`);
    return new GroupedContents<O & object>(keyOf as (o: O & object) => string) as Contents<O>;
  }

  /**
   * Dump, replace the contents, and (after the first time) emit the
   * differences. A dump still marked NLM_F_DUMP_INTR after a retry may have
   * skipped objects that did not change, which no notification would bring
   * back: it is used (it is the best there is) and another resync is
   * scheduled, backing off while the churn goes on, until one comes out clean.
   */
  private async sync(resync: boolean): Promise<void> {
    // First every notification the kernel sent before this dump: applied after it, one would put
    // an older state over the dump's and tell it as a change. An overrun or decode error among
    // them re-dumps on its own (a nested sync), which then stands for this one.
    if (resync && !(await this.applyQueued())) return;
    if (resync) this.stats.resyncs++;
    const decode = changeDecoder(new Map([[this.codec, new Set(this.families)]]), true);
    const items: KeyedChange[] = [];
    let interrupted = false;
    if (this.codec.kind === 'route') await this.seedLinkState();
    for (const family of this.families) {
      // Kinds dumped a device or block at a time (tc): the devices and blocks as they are now; a change to them since is a notification that resyncs again.
      let requests: unknown[];
      try {
        requests = await dumpRequests(this.dumpConn, this.codec, this.codec.dump(family), { interrupted: 'retry', maxAttempts: 2 });
      } catch (err) {
        if (!(err instanceof DumpInterruptedError)) throw err;
        requests = await dumpRequests(this.dumpConn, this.codec, this.codec.dump(family), { interrupted: 'partial' });
        interrupted = true;
      }
      for (const request of requests) {
        let received: (KeyedChange | undefined)[];
        try {
          received = (await this.dumpConn.dump(kindRequest(this.codec, 'get', request), decode, { interrupted: 'retry', maxAttempts: 2 })).items;
        } catch (err) {
          // Still interrupted after a retry: use what arrived (the best there is) and resync again below.
          if (!(err instanceof DumpInterruptedError)) throw err;
          received = err.received as (KeyedChange | undefined)[];
          interrupted = true;
        }
        for (const it of received) if (it && it.change.type === 'new') items.push(it);
      }
    }
    if (this.closed) return;
    if (interrupted) {
      this.stats.inconsistentDumps++;
      this.backoff = Math.min(Math.max(this.backoff * 2, 25), 1000);
      this.scheduleResync(this.backoff);
    } else this.backoff = 0;
    const next = this.emptyContents();
    for (const { key, change, group } of items) {
      const o = change.object as O;
      if (this.filter && !this.filter(o)) continue;
      next.put(key, group, o, next.find(key, group));
    }
    const before = this.state;
    this.state = next;
    this.lastResyncAt = Date.now();
    this.armRefresh();
    if (!resync) return;
    this.emitDifferences(before, next);
    this.checkLag();
  }

  /** Route views: learn every link's flags and MTU, so later link notifications can be compared. */
  private async seedLinkState(): Promise<void> {
    const decode: MessageDecoder<readonly [number, string]> = (view, start, end) => [view.getInt32(start + 4, true), routeRelevant(view, start, end)] as const;
    // Interrupted or not, this only decides which later link messages hint at silent route changes.
    const r = await this.dumpConn.dump(kindRequest(linkKind, 'get', linkKind.dump(0)), decode, { interrupted: 'partial' });
    this.linkState.clear();
    for (const [index, state] of r.items) this.linkState.set(index, state);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.error = err;
    this.close();
  }

  snapshot(): O[] {
    return [...this.state.values()];
  }

  get size(): number {
    return this.state.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const waiters = this.resyncWaiters;
    this.resyncWaiters = [];
    this.lagBase = undefined;
    this.updateHold();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.source.close();
    this.dumpConn.close();
    this.release();
    this.wake();
    this.wakeConsumer();
    this.settleWaiters(waiters);
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<O>> {
    if (this.iterating) throw new Error('watch: a view is iterated by one loop at a time');
    this.iterating = true;
    if (this.options.existing) for (const o of this.state.values()) this.out.push({ type: 'new', kind: this.codec.kind, object: o, synthetic: true });
    const self = this;
    /** Calls of next() not yet settled: while there are none, a queued event is handed out at once. */
    let unsettled = 0;
    const settled = () => void unsettled--;
    const wait = serialized(async (): Promise<IteratorResult<WatchEvent<O>>> => {
      for (;;) {
        let ev = self.out.take();
        if (!ev && self.lagBase && !self.closed) {
          self.catchUp();
          ev = self.out.take();
        }
        if (ev) {
          self.stats.queued = self.out.length;
          return { done: false, value: ev };
        }
        if (self.closed) {
          if (self.error) throw self.error;
          return { done: true, value: undefined };
        }
        self.consumerWaiting = true;
        self.updateHold();
        await new Promise<void>((res) => (self.consumerWake = res));
        self.consumerWaiting = false;
        self.updateHold();
      }
    });
    return {
      next(): Promise<IteratorResult<WatchEvent<O>>> {
        // The burst the pump applied is handed out with one resolved promise per event, not a
        // chain of them; in order, since no earlier call is still waiting.
        if (unsettled === 0) {
          const ev = self.out.take();
          if (ev) {
            self.stats.queued = self.out.length;
            return Promise.resolve({ done: false, value: ev });
          }
        }
        unsettled++;
        const result = wait();
        // Counted until it settles for the caller (this runs before the caller's own continuation).
        result.then(settled, settled);
        return result;
      },
      async return(): Promise<IteratorResult<WatchEvent<O>>> {
        self.close();
        self.out.clear();
        return { done: true, value: undefined };
      },
    };
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/**
 * watch opens a live view of `target` in `ctx`'s namespace and resolves once
 * it holds what a dump returns (see the module comment for how it stays
 * so). `filter` keeps only matching objects (an object that stops matching
 * leaves the view with a `del`). Throws ArgumentError for an unknown target
 * or family or a bad option, ClosedError when the handle is closed (nothing
 * is opened then), SyscallError / NetNsError when a socket cannot be
 * opened, KernelError when the first dump fails.
 */
export async function watch<T extends WatchTarget>(
  ctx: EventContext,
  target: T,
  filter?: (object: WatchObject<T>) => boolean,
  options: WatchOptions = {},
): Promise<View<WatchObject<T>>> {
  const kind = typeof target === 'string' && Object.hasOwn(WatchTargets, target) ? WatchTargets[target] : undefined;
  if (kind === undefined) throw new ArgumentError('target', { expected: Object.keys(WatchTargets).map((t) => `'${t}'`).join(', '), received: target });
  if (filter !== undefined && typeof filter !== 'function') throw new ArgumentError('filter', { expected: 'a function (object) => boolean', received: filter });
  checkStreamOptions(options, WATCH_KEYS);
  const delay = options.resyncDelay;
  if (delay !== undefined && (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > 60_000)) {
    throw new ArgumentError('options.resyncDelay', { expected: 'a number of milliseconds from 0 to 60000', received: delay });
  }
  const every = options.refreshInterval;
  if (every !== undefined && every !== Infinity && (typeof every !== 'number' || !(every >= MIN_REFRESH_INTERVAL && every <= TIMER_MAX_MS))) {
    throw new ArgumentError('options.refreshInterval', { expected: `a number of milliseconds from ${MIN_REFRESH_INTERVAL} to ${TIMER_MAX_MS}, or Infinity for never`, received: every });
  }
  if (options.families !== undefined && !Array.isArray(options.families)) throw new ArgumentError('options.families', { expected: 'an array of family names', received: options.families });
  const codec = KIND_BY_NAME[kind] as ObjectKind;
  const families = options.families?.map((f) => familyNumber(f)) ?? [...codec.defaultFamilies];
  for (const f of families) {
    if (!codec.families.includes(f)) throw new ArgumentError('options.families', { reason: `${target} have no family ${f} (use ${codec.families.join(', ')})` });
  }
  if (ctx.conn.closed) throw new ClosedError('watch: the Rtnl handle is closed');
  await loadKind(codec);
  const view = new LiveView<WatchObject<T>>(codec, families, filter, options, ctx);
  try {
    await view.start();
  } catch (err) {
    view.close();
    throw err;
  }
  return view;
}
