/**
 * The family runtime: one class drives every netlink family nlkit has a
 * generated descriptor for, rtnetlink (rt-link, rt-addr, rt-route, rt-neigh,
 * rt-rule, rt-nexthop, tc) and generic netlink (ethtool, devlink, …) alike.
 *
 * ```ts
 * await using tc = await NetlinkFamily.open(tcFamily, { netns: 'ns1' });
 * await tc.do('newqdisc', { header: { tcmIfindex: 2, tcmParent: 0xffffffff, tcmHandle: 0x10000 }, attrs: { kind: 'htb', options: {} } });
 * const { items } = await tc.dump('getqdisc', { header: {}, attrs: {} });
 * ```
 *
 * Requests and replies are the generated types of the operation named, so a
 * typo in an attribute is a compile error. What differs between the two kinds
 * of family (message type, genlmsghdr, naming notifications) is a FamilyWire
 * (wire.ts); everything else is here once.
 */
import { jsonReady } from '../codec/json.js';
import { Connection, type CallOptions, type DumpOptions, type DumpResult, type NotificationEvent } from '../netlink/connection.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NetlinkProtocol } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkArray, checkFunction, checkInteger, checkOptions, checkString, hasName, isRecord } from '../netlink/args.js';
import { NetlinkHandle, byMessageType, checkHandleOptions, checkOver, type HandleOptions } from '../netlink/handle.js';
import type { MessageWriter } from '../netlink/writer.js';
import type { AttributePathAt, FamilyDescriptor, GenlFamilyDescriptor, GenlRequest, RtnlFamilyDescriptor } from '../codec/support.js';
import { resolveFamily, type ResolvedFamily } from './nlctrl.js';
import { encodeRequest } from '../codec/request-check.js';
import { genlWire, rtnlWire, type AnyRequest, type FamilyWire } from './wire.js';

export type { FamilyDescriptor } from '../codec/support.js';

/** The request type an operation's `do` (or `dump`) takes. */
export type RequestOf<R> = R extends GenlRequest<infer Req, unknown> ? Req : R extends { encode: (w: MessageWriter, v: infer V) => void } ? V : never;
/** The reply type an operation's `do` (or `dump`) gives. */
export type ReplyOf<R> = R extends { decode: (view: DataView, s: number, e: number) => infer V } ? V : never;

type OpsOf<D extends FamilyDescriptor> = D['ops'];
/** Names of the operations of D that can be called with `do`. */
export type DoOps<D extends FamilyDescriptor> = { [K in keyof OpsOf<D>]: OpsOf<D>[K] extends { do: object } ? K : never }[keyof OpsOf<D>] & string;
/** Names of the operations of D that can be dumped. */
export type DumpOps<D extends FamilyDescriptor> = { [K in keyof OpsOf<D>]: OpsOf<D>[K] extends { dump: object } ? K : never }[keyof OpsOf<D>] & string;
type DoOf<D extends FamilyDescriptor, K extends DoOps<D>> = OpsOf<D>[K] extends { do: infer R } ? R : never;
type DumpOf<D extends FamilyDescriptor, K extends DumpOps<D>> = OpsOf<D>[K] extends { dump: infer R } ? R : never;

/** The request `do(op, …)` takes for operation K of D. */
export type DoRequest<D extends FamilyDescriptor, K extends DoOps<D>> = RequestOf<DoOf<D, K>>;
/** The reply `do(op, …)` resolves with for operation K of D. */
export type DoReply<D extends FamilyDescriptor, K extends DoOps<D>> = ReplyOf<DoOf<D, K>>;
/** The request (filter) `dump(op, …)` takes for operation K of D. */
export type DumpRequest<D extends FamilyDescriptor, K extends DumpOps<D>> = RequestOf<DumpOf<D, K>>;
/** One object `dump(op, …)` gives for operation K of D. */
export type DumpReply<D extends FamilyDescriptor, K extends DumpOps<D>> = ReplyOf<DumpOf<D, K>>;

/** Options for NetlinkFamily.open: every handle's (`netns`, `receiveBufferSize`), and: */
export interface FamilyOptions extends HandleOptions {
  /** Turns an extended-ACK offset into an attribute path; the descriptor's `attributePathAt` by default. */
  attributePathAt?: AttributePathAt;
}

/**
 * RequestFlag: an nlmsg_flags modifier of a `do` that creates: `create`
 * (NLM_F_CREATE), `excl` (NLM_F_EXCL: fail with EEXIST if it exists),
 * `replace` (NLM_F_REPLACE), `append` (NLM_F_APPEND).
 */
export type RequestFlag = 'create' | 'excl' | 'replace' | 'append';

// A Map, so a flag named `constructor` or `__proto__` is refused like any other unknown one.
const FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ['create', NLM_F_CREATE],
  ['excl', NLM_F_EXCL],
  ['replace', NLM_F_REPLACE],
  ['append', NLM_F_APPEND],
]);

/** Options for `do`. */
export interface DoOptions extends CallOptions {
  /**
   * nlmsg_flags modifiers. Default: `['create', 'excl']` for an rtnetlink
   * operation named `new…` (add, as `ip … add` and `tc … add` do; pass
   * `['create', 'replace']` to add or replace, `[]` to change only), none otherwise.
   */
  flags?: readonly RequestFlag[];
}

/** A notification from a family's multicast group. */
export interface FamilyNotification {
  /** The operation whose message this is, or its number when the descriptor does not know it. */
  op: string | number;
  /** What named it: genlmsghdr.cmd (generic netlink) or nlmsg_type (rtnetlink). */
  cmd: number;
  /** The decoded message (`{ header, attrs }` for rtnetlink), or undefined when the operation has no decoder. */
  value: unknown;
}

/** Options for `subscribe`. */
export interface FamilySubscribeOptions {
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** SO_RCVBUF of the subscription's socket, in bytes. */
  receiveBufferSize?: number;
}

/** What `subscribe` returns: notifications until `return()`, close or the signal. */
export type FamilySubscription = AsyncIterableIterator<NotificationEvent<FamilyNotification>> & AsyncDisposable;

/** FamilyOf: what NetlinkFamily.open gives for a descriptor: a GenericFamily (with id and version) for generic netlink. */
export type FamilyOf<D extends FamilyDescriptor> = D extends GenlFamilyDescriptor ? GenericFamily<D> : NetlinkFamily<D>;

function isRtnl(d: FamilyDescriptor): d is RtnlFamilyDescriptor {
  return typeof (d as RtnlFamilyDescriptor).protocol === 'number';
}

/** GENL_NAMSIZ - 1: the longest generic netlink family name. */
const GENL_NAME_MAX_BYTES = 15;

/** checkDescriptor checks a descriptor from plain JavaScript: a family name, a protocol (rtnetlink) or a version nlctrl can take (generic netlink), a table of operations. */
function checkDescriptor(descriptor: unknown): asserts descriptor is FamilyDescriptor {
  if (!isRecord(descriptor)) throw new ArgumentError('descriptor', { expected: 'a generated family descriptor (rtLink.rtLinkFamily, ethtool.ethtoolFamily, …)', received: descriptor });
  if (descriptor.protocol !== undefined) {
    checkString(descriptor.name, 'descriptor.name', { minBytes: 1 });
    checkInteger(descriptor.protocol, 'descriptor.protocol', 0, 31);
  } else {
    checkString(descriptor.name, 'descriptor.name', { minBytes: 1, maxBytes: GENL_NAME_MAX_BYTES });
    checkInteger(descriptor.version, 'descriptor.version', 0, 255);
  }
  if (!isRecord(descriptor.ops)) throw new ArgumentError('descriptor.ops', { expected: 'the table of operations', received: descriptor.ops });
}

function connect(protocol: number, options: FamilyOptions, pathAt: AttributePathAt | undefined, groups?: number[], receiveBufferSize?: number): Connection {
  return Connection.open({
    protocol,
    netns: options.netns,
    receiveBufferSize: receiveBufferSize ?? options.receiveBufferSize,
    groups,
    // The request's own nlmsg_type picks the message layout to walk.
    attributePath: pathAt ? byMessageType(pathAt) : undefined,
  });
}

/**
 * NetlinkFamily drives one netlink family through its generated descriptor:
 * typed `do`, `dump` and `subscribe` for each operation and multicast group
 * the spec declares. Open it with `NetlinkFamily.open`; close it (or `await using`).
 */
export class NetlinkFamily<D extends FamilyDescriptor> extends NetlinkHandle {
  /** The descriptor (generated from the family's spec). */
  readonly descriptor: D;
  /** Multicast group name → the number joined (RTNLGRP_* or the id nlctrl assigned). */
  readonly groups: ReadonlyMap<string, number>;
  private readonly wire: FamilyWire;
  private readonly options: FamilyOptions;

  protected constructor(descriptor: D, wire: FamilyWire, connection: Connection, options: FamilyOptions) {
    super(connection, options.netns);
    this.descriptor = descriptor;
    this.wire = wire;
    this.groups = wire.groups;
    this.options = options;
  }

  /** The connection requests go through (`conn`, as every handle calls it). */
  get connection(): Connection {
    return this.conn;
  }

  /**
   * open opens a socket for the family in the chosen namespace and returns a
   * handle; for a generic netlink family it first resolves the family id and
   * groups with nlctrl. Throws FamilyNotFoundError when the kernel lacks a
   * generic family, NetNsError when the namespace cannot be entered,
   * SyscallError when the socket cannot be made.
   */
  static async open<D extends FamilyDescriptor>(descriptor: D, options: FamilyOptions = {}): Promise<FamilyOf<D>> {
    checkDescriptor(descriptor);
    checkHandleOptions(options, ['attributePathAt']);
    if (options.attributePathAt !== undefined) checkFunction(options.attributePathAt, 'options.attributePathAt');
    const pathAt = options.attributePathAt ?? descriptor.attributePathAt;
    if (isRtnl(descriptor)) return new NetlinkFamily(descriptor, rtnlWire(descriptor), connect(descriptor.protocol, options, pathAt), options) as FamilyOf<D>;
    const conn = connect(NetlinkProtocol.generic, options, pathAt);
    try {
      const resolved = await resolveFamily(conn, descriptor.name);
      return new GenericFamily(descriptor, resolved, conn, options) as FamilyOf<D>;
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  /**
   * over drives an rtnetlink family over a connection the caller opened (a
   * shared NETLINK_ROUTE socket, or a test's fake kernel). `subscribe` opens
   * its sockets in the caller's namespace. Closing the family closes the connection.
   */
  static over<D extends RtnlFamilyDescriptor>(descriptor: D, connection: Connection): NetlinkFamily<D> {
    checkDescriptor(descriptor);
    if (!isRtnl(descriptor)) throw new ArgumentError('descriptor', { expected: 'a generated rtnetlink family descriptor (rtLink.rtLinkFamily, tc.tcFamily, …)', received: descriptor });
    checkOver(connection, undefined, 'connection');
    return new NetlinkFamily(descriptor, rtnlWire(descriptor), connection, {});
  }

  /** The family's name as its spec spells it (`rt-link`, `ethtool`). */
  get name(): string {
    return this.descriptor.name;
  }

  /** entry finds an operation's `do` or `dump` by its own name (`toString` is none); throws ArgumentError otherwise, or for a request that is not an object. */
  private entry(op: string, how: 'do' | 'dump', request: unknown): AnyRequest {
    const ops = this.descriptor.ops as Readonly<Record<string, Readonly<Record<string, AnyRequest | undefined>>>>;
    const entry = hasName(ops, op) ? ops[op]![how] : undefined;
    if (entry === undefined) {
      const can = Object.keys(ops).filter((k) => ops[k]![how] !== undefined);
      throw new ArgumentError('op', { expected: `an operation of ${this.descriptor.name} with a ${how}: ${can.join(', ')}`, received: op });
    }
    if (request !== undefined && !isRecord(request)) throw new ArgumentError('request', { expected: 'a request object', received: request });
    return entry;
  }

  /** A request left out is an empty one: `{ header: {}, attrs: {} }` for rtnetlink, `{}` for generic netlink. */
  private orEmpty(request: unknown): unknown {
    return request ?? (isRtnl(this.descriptor) ? { header: {}, attrs: {} } : {});
  }

  private flags(op: string, flags: readonly RequestFlag[] | undefined): number {
    if (flags === undefined) return isRtnl(this.descriptor) && op.startsWith('new') ? NLM_F_CREATE | NLM_F_EXCL : 0;
    if (!Array.isArray(flags)) throw new ArgumentError('options.flags', { expected: "an array of 'create', 'excl', 'replace', 'append'", received: flags });
    let bits = 0;
    for (const f of flags) {
      const bit = typeof f === 'string' ? FLAG_BITS.get(f) : undefined;
      if (bit === undefined) throw new ArgumentError('options.flags', { expected: "'create', 'excl', 'replace' or 'append'", received: f });
      bits |= bit;
    }
    return bits;
  }

  private decoder(entry: AnyRequest) {
    const decode = entry.decode;
    const skip = this.wire.skip;
    // Replies print as JSON (bigint as decimal, bytes as hex): see src/codec/json.ts.
    return decode ? (view: DataView, start: number, end: number) => jsonReady(decode(view, start + skip, end)) : () => undefined;
  }

  private body(entry: AnyRequest, request: unknown) {
    return (w: MessageWriter) => {
      this.wire.writePrefix(w, entry);
      encodeRequest(entry.encode, w, request as never);
    };
  }

  /**
   * do runs an operation once and resolves with its reply (undefined when the
   * operation answers with an ACK only). `options`: `timeout`, `signal`,
   * `flags`. Throws ArgumentError for an unknown operation, a request that is
   * not an object, a key in it that the operation's spec does not have
   * (`request.header.devNmae`) or a nest given as a non-object, or options it
   * does not take; EncodeError (naming the attribute path) for a value that
   * cannot be encoded — nothing is sent then — and KernelError with the
   * kernel's extended-ACK message and the attribute path it points at.
   */
  async do<K extends DoOps<D>>(op: K, request: DoRequest<D, K>, options: DoOptions = {}): Promise<DoReply<D, K> | undefined> {
    const entry = this.entry(op, 'do', request);
    checkOptions(options, 'options', ['timeout', 'signal', 'flags']);
    const r = await this.connection.request(
      { type: this.wire.messageType(entry), flags: this.flags(op, options.flags), label: `${this.descriptor.name} ${op}`, body: this.body(entry, this.orEmpty(request)) },
      this.decoder(entry),
      options,
    );
    return r.replies[0] as DoReply<D, K> | undefined;
  }

  /**
   * dump runs an operation as a dump (NLM_F_DUMP) and resolves with every
   * object; `request` is the dump's filter (for rtnetlink the fixed header
   * and attributes the kernel filters by). See Connection.dump for
   * NLM_F_DUMP_INTR handling. Throws as `do` does.
   */
  async dump<K extends DumpOps<D>>(op: K, request: DumpRequest<D, K>, options?: DumpOptions): Promise<DumpResult<DumpReply<D, K>>> {
    const entry = this.entry(op, 'dump', request);
    checkOptions(options, 'options', ['timeout', 'signal', 'interrupted', 'maxAttempts']);
    return this.connection.dump(
      { type: this.wire.messageType(entry), label: `${this.descriptor.name} ${op} (dump)`, body: this.body(entry, this.orEmpty(request)) },
      this.decoder(entry),
      options,
    ) as Promise<DumpResult<DumpReply<D, K>>>;
  }

  /**
   * subscribe joins the named multicast groups and returns their messages,
   * each decoded by the operation of its type (`{ op: 'newroute', value }`).
   * An overrun is an event; the stream goes on. Ends on break/return, close
   * or the signal. Uses its own socket, so replies and notifications never
   * mix. Throws ArgumentError for a group the family does not have.
   */
  async subscribe(groups: readonly string[], options: FamilySubscribeOptions = {}): Promise<FamilySubscription> {
    checkArray(groups, 'groups');
    checkOptions(options, 'options', ['signal', 'receiveBufferSize']);
    if (groups.length === 0) throw new ArgumentError('groups', { expected: `at least one multicast group of ${this.descriptor.name} (${[...this.groups.keys()].join(', ') || 'none'})`, received: groups });
    const ids = groups.map((g) => {
      const id = typeof g === 'string' ? this.groups.get(g) : undefined;
      if (id === undefined) throw new ArgumentError('groups', { expected: `multicast groups of ${this.descriptor.name} (${[...this.groups.keys()].join(', ') || 'none'})`, received: g });
      return id;
    });
    const conn = connect(this.wire.protocol, this.options, undefined, ids, options.receiveBufferSize);
    const wire = this.wire;
    const inner = conn.notifications<FamilyNotification>(
      (view, start, end, type) => {
        const n = wire.notification(view, start, type);
        return jsonReady({ op: n.op, cmd: n.cmd, value: n.decode ? n.decode(view, start + wire.skip, end) : undefined });
      },
      { signal: options.signal },
    );
    // Once ended (return, abort), next() is done even if notifications were still queued.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      options.signal?.removeEventListener('abort', end);
      conn.close();
    };
    const it = {
      next: async (): Promise<IteratorResult<NotificationEvent<FamilyNotification>>> => (ended ? { done: true, value: undefined } : inner.next()),
      return: async (): Promise<IteratorResult<NotificationEvent<FamilyNotification>>> => {
        await inner.return!();
        end();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
      async [Symbol.asyncDispose]() {
        await it.return();
      },
    };
    options.signal?.addEventListener('abort', end, { once: true });
    if (options.signal?.aborted) end();
    return it as FamilySubscription;
  }
}

/**
 * GenericFamily is the NetlinkFamily of a generic netlink family, plus the id and
 * version nlctrl reported: `await GenericFamily.open(ethtool.ethtoolFamily)`
 * (or NetlinkFamily.open), then `family.do('linkinfo-get', { header: { devName: 'veth0' } })`.
 */
export class GenericFamily<D extends GenlFamilyDescriptor> extends NetlinkFamily<D> {
  /** The family id this kernel assigned. */
  readonly id: number;
  /** The version the kernel reports. */
  readonly version: number;

  /** Use NetlinkFamily.open or GenericFamily.open. */
  constructor(descriptor: D, resolved: ResolvedFamily, connection: Connection, options: FamilyOptions) {
    super(descriptor, genlWire(descriptor, resolved.id, resolved.groups), connection, options);
    this.id = resolved.id;
    this.version = resolved.version;
  }
}
