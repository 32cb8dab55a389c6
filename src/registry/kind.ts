/**
 * An object kind: everything nlkit knows about one kind of rtnetlink object
 * (links, addresses, routes, …), declared once, in one file per kind under
 * `kinds/`. The services' `list`/`get`/requests, `subscribe`'s groups,
 * `watch`'s targets and resyncs and the `nlkit` command's object commands
 * are all derived from these declarations (see index.ts for the list).
 *
 * This module holds the declaration type and the backbone the services
 * share: the dump a `list()` sends with its filters (applied by the kernel
 * where it can, and re-checked on what comes back), a single GET, and the
 * requests that create, replace and delete.
 *
 * A kind may be declared in two parts (tc: its codec is large and most
 * programs never use it): the static facts the registry's tables are built
 * from, and the codec-dependent members that load on first use (`load`).
 */
import type { CallOptions, Connection, DumpOptions, MessageDecoder, Request } from '../netlink/connection.js';
import { checkOptions } from '../netlink/args.js';
import { keepMessage, splitMessage, type KeptMessage } from '../codec/lazy.js';
import { NLM_F_MULTI } from '../netlink/constants.js';
import type { MessageWriter } from '../netlink/writer.js';
import type { LinkRef, RtnlContext } from './context.js';
import { checkLinkRef, dumpOptions } from './validate.js';

/** A multicast group that carries a kind's notifications. */
export interface KindGroup<N extends string = string> {
  /** The name `subscribe` takes: 'link', 'ipv4-addr', … */
  readonly name: N;
  /** RTNLGRP_* */
  readonly group: number;
  /** The address family (first header byte) of the messages it carries; 0: every family of the kind. */
  readonly family: number;
}

/**
 * A filter of `list()` on a plain value. `check` validates what the caller
 * gave (undefined when absent) and returns the value `kernel` and `holds`
 * use, or undefined to skip the filter; it may return a default for an
 * absent value. Throws ArgumentError naming `argument` (`filter.table`).
 */
export interface ValueFilter<MI, O, V> {
  readonly link?: undefined;
  check(value: unknown, argument: string): V | undefined;
  /** Writes the filter into the dump request, for the kernel to apply (strict checking). Absent: the kernel cannot filter by it. */
  kernel?(request: MI, value: V): void;
  /** The re-check on each object that comes back, so the filter holds even where a kernel ignores it. */
  holds?(object: O, value: V): boolean;
}

/** The names of a kind: singular, plural, and its groups' names. */
export interface KindNames {
  readonly kind: string;
  readonly plural: string;
  readonly groups: string;
}

/** A filter that names a link (a LinkRef, checked and resolved to its index before the dump). */
export interface LinkFilter<MI, O> {
  readonly link: true;
  kernel?(request: MI, index: number): void;
  holds?(object: O, index: number): boolean;
}

/** One filter key of a kind's `list()`. */
export type FilterField<MI, O> = ValueFilter<MI, O, any> | LinkFilter<MI, O>;

/**
 * ObjectKind declares one kind of rtnetlink object. `M` is the generated
 * decoded message, `MI` what its encoder takes, `O` the plain object the
 * services return and events carry, `N` its names (as literal types, so
 * the tables derived from the registry are typed by them).
 */
export interface ObjectKind<N extends KindNames = KindNames, M = any, MI = any, O = any> {
  /** The singular name, as events carry it: 'link', 'address', … */
  readonly kind: N['kind'];
  /** The plural: the service, the `watch` target and the `nlkit` command ('links', 'addresses', …). */
  readonly plural: N['plural'];
  /** One line for `nlkit --help`. */
  readonly doc: string;
  /** Message types: RTM_NEW…, RTM_DEL…, RTM_GET… */
  readonly types: { readonly new: number; readonly del: number; readonly get: number };
  /** The kernel's names of those types, for request labels and errors. */
  readonly names: { readonly new: string; readonly del: string; readonly get: string };
  /** The generated decoder of a whole message (fixed header and attributes). */
  decode(view: DataView, start: number, end: number): M;
  /** The generated encoder of a whole message. */
  encode(w: MessageWriter, m: MI): void;
  /**
   * The conversion of a decoded message to the plain object: one function per
   * kind. With `kept` (kinds declaring `lazy`), `m` holds only the eager
   * attributes and the parts built from the others (`attrs`, statistics) are
   * getters that decode `kept`, where a copy of the whole message after its
   * nlmsghdr is (a record reused by the next message: read it at once), on
   * first use; a number `kept` (what `lazy.derive` returned) means nothing
   * is kept: the lazy parts are rebuilt from the object's own fields.
   */
  convert(m: M, kept?: KeptMessage | number): O;
  /**
   * Lazy decoding (src/codec/lazy.ts): the fixed header's size and the
   * attributes (eagerTypes) the object's own fields read. list() and get()
   * then decode only those up front; an object keeps a copy of its message
   * and decodes the rest when first read. Without `eager`, the fields read
   * every attribute: the message is decoded whole up front, and the object
   * keeps the copy instead of the decoded `attrs` tree (a few dozen bytes
   * against a few hundred). Absent: every message is decoded whole and kept so.
   */
  readonly lazy?: {
    readonly headerSize: number;
    readonly eager?: Uint8Array;
    /**
     * Without `eager`: a tag (0 or more) when the object's own fields hold
     * everything `attrs` would decode from the message `m` at `[start, end)`
     * of `view`, so nothing needs keeping; -1 when a copy must be kept.
     */
    derive?(m: M, view: DataView, start: number, end: number): number;
  };
  /**
   * The kind's wire converter: the object of the message at `[start, end)`
   * of `view`, built from the bytes without the generated decoder's
   * message object (a kind declaring `lazy` keeps its copy as that says;
   * `shared` as keepMessage takes it). Undefined when it cannot: the
   * message then goes the generated way, which also reports what is wrong
   * with it. list(), get() and a view's dumps use it (a notification is
   * decoded whole: a view needs its key).
   */
  fromWire?(view: DataView, start: number, end: number, shared: boolean): O | undefined;
  /** The kernel's identity of the object (what a view keys it by), from the message. */
  key(m: M): string;
  /**
   * Objects sharing this identity may replace one another (NLM_F_REPLACE) or
   * merge (IPv6 multipath siblings): routes. `key(m)` must start with it and
   * a space (a view tells a key's group by that; it keeps no group strings).
   */
  groupKey?(m: M): string;
  /**
   * `key(m)` of the message the object `o` was made from, worked out from the
   * object. Required with `groupKey`: a view holds such objects by a hash of
   * their group, keeping no key per object, and asks an object's key only to
   * tell apart the objects of one group (or of groups whose hashes collide).
   */
  objectKey?(o: O): string;
  /** A peek before decoding (the family is checked already): false for messages `list()` never shows. */
  accept?(view: DataView, start: number, end: number): boolean;
  /** Objects the kernel creates or changes without notifying: views leave them out; subscriptions still carry them. */
  silent?(m: M): boolean;
  /** The address families (first header byte) the kind's messages may have; [0] when it has none. */
  readonly families: readonly number[];
  /** The families dumped when none is asked for. */
  readonly defaultFamilies: readonly number[];
  /**
   * The header's family is no filter: one dump of family 0 lists every
   * object, and messages of any family are this kind's (nexthops: groups
   * are AF_UNSPEC, gateways AF_INET or AF_INET6). `families` is then [0].
   */
  readonly anyFamily?: boolean;
  /** The multicast groups that carry its notifications. */
  readonly groups: ReadonlyArray<KindGroup<N['groups']>>;
  /** Fields that change without a notification (counters, timers): ignored when comparing for a resync. */
  readonly volatile: ReadonlySet<string>;
  /** The dump request of every object in one family (no filter). */
  dump(family: number): MI;
  /** The filters `list()` takes, by key, in the order they are checked and resolved. */
  readonly filters: Readonly<Record<string, FilterField<MI, O>>>;
  /** Checks between filter keys (the keys themselves are checked already). Throws ArgumentError. */
  checkFilter?(filter: Readonly<Record<string, unknown>>): void;
  /**
   * Kinds the kernel dumps a part at a time (tc classes: one device per
   * dump; tc filters: one block): the dumps that together cover `request`,
   * asking `conn` for the devices and blocks there are. Absent: `request`
   * is one dump.
   */
  expand?(conn: Connection, request: MI, options: DumpOptions): Promise<MI[]>;
  /**
   * Message types (of the kind's groups) after which the kernel may have
   * changed objects of this kind without a notification of their own (tc:
   * deleting a qdisc takes its classes, filters and leaf qdiscs along
   * silently): a view re-dumps shortly after.
   */
  readonly resyncOn?: readonly number[];
  /**
   * Kinds whose codec loads on first use (tc, declared with `deferredKind`,
   * deferred.ts) hold only their static members (names, types, groups,
   * families, volatile) until this resolves; `list`, `watch` and
   * `subscribe` await it (`loadKind`) before they read. Absent: the kind is
   * whole from the start.
   */
  load?(): Promise<void>;
}

/** loadKind resolves once every member of `kind` is there: at once for a kind declared whole, after its codec's import for a deferred one. */
export async function loadKind(kind: ObjectKind): Promise<void> {
  if (kind.load) await kind.load();
}

/** dumpRequests returns the dump requests that together list what `request` asks for (see ObjectKind.expand). */
export function dumpRequests<MI>(conn: Connection, kind: ObjectKind<KindNames, any, MI>, request: MI, options: DumpOptions): Promise<MI[]> | MI[] {
  return kind.expand ? kind.expand(conn, request, options) : [request];
}

/** Turns a link reference into its index (asking the kernel for a name); `argument` names it in errors. */
export type ResolveLink = (ref: LinkRef, argument: string) => Promise<number>;

/**
 * KindRequests: how the generic service (`KindService`, src/rtnl) builds a
 * kind's requests, for kinds without hand-written sugar. Each builder
 * validates completely and throws ArgumentError naming the field before
 * anything is sent; it is run once with placeholder link indexes (and the
 * result encoded into a scratch buffer) before any lookup, then for real.
 */
export interface KindRequests<MI, Spec, Key> {
  /** The RTM_NEW… message of `add` and `replace`. */
  create(spec: Spec, resolve: ResolveLink): Promise<MI>;
  /** The RTM_DEL… message of `delete`: from a key, or from an object `list()` returned. */
  remove(key: Key, resolve: ResolveLink): Promise<MI>;
  /** The RTM_GET… message of `get`, for one object by key. */
  get(key: Key, resolve: ResolveLink): Promise<MI>;
  /** A few words naming the object in request labels and errors (`id 7`). */
  label(specOrKey: Spec | Key): string;
}

/** A kind the generic service drives: an ObjectKind with its request builders. `F` is its filter type. */
export interface ServiceKind<N extends KindNames = KindNames, M = any, MI = any, O = any, Spec = any, Key = any, F = any> extends ObjectKind<N, M, MI, O> {
  readonly requests: KindRequests<MI, Spec, Key>;
  /** Types only: the filter `list()` takes. */
  readonly filterType?: F;
}

/** The object type of a kind. */
export type ObjectOf<T> = T extends ObjectKind<KindNames, any, any, infer O> ? O : never;

/**
 * objectDecoder is the conversion step: wire bytes of one message to the
 * plain object, for `list()`, `get()`, subscriptions and views alike. For a
 * kind declaring `lazy` it decodes the eager attributes now and hands
 * `convert` a kept copy of the whole message to decode on first use (a
 * message whose framing is off is decoded whole at once, so its
 * DecodeError comes here as always).
 */
export function objectDecoder<O>(kind: ObjectKind<KindNames, any, any, O>): MessageDecoder<O> {
  const lazy = kind.lazy;
  const fromWire = kind.fromWire;
  if (!lazy) {
    if (!fromWire) return (view, start, end) => kind.convert(kind.decode(view, start, end));
    return (view, start, end, _type, flags) => fromWire(view, start, end, (flags & NLM_F_MULTI) !== 0) ?? kind.convert(kind.decode(view, start, end));
  }
  return (view, start, end, _type, flags) => {
    // Parts of a dump (NLM_F_MULTI) may keep their copies in shared slabs: list() keeps them all anyway.
    const shared = (flags & NLM_F_MULTI) !== 0;
    if (fromWire) {
      const o = fromWire(view, start, end, shared);
      if (o !== undefined) return o;
    }
    if (!lazy.eager) return convertWhole(kind, kind.decode(view, start, end), view, start, end, flags);
    // A message the wire converter gave up on has something off: decoding it whole reports what, where it is.
    if (fromWire) return kind.convert(kind.decode(view, start, end));
    const split = splitMessage(view, start, end, lazy.headerSize, lazy.eager, shared);
    if (!split) return kind.convert(kind.decode(view, start, end));
    return kind.convert(kind.decode(split.eager, 0, split.eagerEnd), split.kept);
  };
}

/**
 * convertWhole converts `m`, the whole decoded message at `[start, end)` of
 * `view` (`flags`: its nlmsghdr's), as objectDecoder does: for a kind
 * declaring `lazy` without `eager` (every attribute read up front), the
 * object keeps what it needs to give its `attrs` later (a copy of the
 * message, or nothing when `lazy.derive` says its fields are enough). Used
 * where the decoded message is needed beside the object (a view's keys).
 * @internal
 */
export function convertWhole<M, O>(kind: ObjectKind<KindNames, M, any, O>, m: M, view: DataView, start: number, end: number, flags: number): O {
  const lazy = kind.lazy;
  if (!lazy || lazy.eager) return kind.convert(m);
  const tag = lazy.derive?.(m, view, start, end) ?? -1;
  // Parts of a dump (NLM_F_MULTI) may keep their copies in shared slabs: list() keeps them all anyway.
  return kind.convert(m, tag >= 0 ? tag : keepMessage(view, start, end, (flags & NLM_F_MULTI) !== 0));
}

/** kindRequest is the request of one message of `kind`: its type, flags, label and encoder. */
export function kindRequest<MI>(kind: ObjectKind<KindNames, any, MI>, op: 'new' | 'del' | 'get', message: MI, flags?: number, label?: string): Request {
  return { type: kind.types[op], flags, label: label === undefined ? kind.names[op] : `${kind.names[op]} ${label}`, body: (w) => kind.encode(w, message) };
}

/**
 * listObjects is `list()`: it checks `filter` against the kind's filter
 * keys, resolves the links it names, sends one dump with what the kernel
 * can apply and returns the objects for which every filter holds.
 * `options`: `timeout`, `signal`, `interrupted`, `maxAttempts`. Throws
 * ArgumentError for a bad filter or option before sending, KernelError
 * (ENODEV for a link that does not exist), DumpInterruptedError.
 */
export async function listObjects<MI, O>(ctx: RtnlContext, kind: ObjectKind<KindNames, any, MI, O>, filter: unknown, options: unknown, label?: string): Promise<O[]> {
  if (kind.load) await kind.load();
  const given = checkOptions(filter, 'filter', Object.keys(kind.filters));
  const chosen: Array<{ field: FilterField<MI, O>; value: unknown }> = [];
  for (const [key, field] of Object.entries(kind.filters)) {
    const raw = given[key];
    if ('link' in field) {
      if (raw !== undefined) chosen.push({ field, value: checkLinkRef(raw, `filter.${key}`) });
      continue;
    }
    const value = field.check(raw, `filter.${key}`);
    if (value !== undefined) chosen.push({ field, value });
  }
  kind.checkFilter?.(given);
  const dump: DumpOptions = dumpOptions(options);
  for (const c of chosen) if ('link' in c.field) c.value = await ctx.linkIndex(c.value as LinkRef, dump);
  const request = kind.dump(0);
  for (const { field, value } of chosen) field.kernel?.(request, value as never);
  let items: O[];
  if (kind.expand) {
    items = [];
    for (const r of await kind.expand(ctx.conn, request, dump)) {
      for (const o of (await ctx.conn.dump(kindRequest(kind, 'get', r, undefined, label), objectDecoder(kind), dump)).items) items.push(o);
    }
  } else items = (await ctx.conn.dump(kindRequest(kind, 'get', request, undefined, label), objectDecoder(kind), dump)).items;
  const checks = chosen.filter((c) => c.field.holds !== undefined);
  if (checks.length === 0) return items;
  // In place: the list is ours, and usually every object passes (the kernel filtered already),
  // so a second array of 100,000 would be a copy for nothing.
  let kept = 0;
  next: for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    for (const { field, value } of checks) if (!field.holds!(o, value as never)) continue next;
    items[kept++] = o;
  }
  items.length = kept;
  return items;
}

/**
 * getObject asks for one object with a single GET (no dump; one reply or
 * an error, so no separate ACK) and returns it. Throws KernelError
 * (ENODEV, ENOENT, … when there is none).
 */
export function getObject<MI, O>(conn: Connection, kind: ObjectKind<KindNames, any, MI, O>, message: MI, label?: string, options?: CallOptions): Promise<O> {
  return conn.get(kindRequest(kind, 'get', message, undefined, label), objectDecoder(kind), options);
}

/**
 * sendKind sends one RTM_NEW… (with `flags`: NLM_F_CREATE | NLM_F_EXCL to
 * add, | NLM_F_REPLACE to replace, none to change) or RTM_DEL… of `kind`
 * and waits for the ACK. Throws KernelError.
 */
export async function sendKind<MI>(conn: Connection, kind: ObjectKind<KindNames, any, MI>, op: 'new' | 'del', message: MI, flags: number, label?: string, options?: CallOptions): Promise<void> {
  await conn.request(kindRequest(kind, op, message, flags, label), undefined, options);
}
