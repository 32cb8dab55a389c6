/**
 * GenericFamily: one generic netlink family, opened by its generated
 * descriptor, driven by name. `open` resolves the family id and multicast
 * group ids through nlctrl (CTRL_CMD_GETFAMILY); then `do`, `dump` and
 * `subscribe` encode and decode with the generated codecs.
 *
 * A generic netlink message is an nlmsghdr whose type is the family id,
 * then `struct genlmsghdr`, then the family's attributes:
 * ```
 * +----------+-----+---------+----------+----------------+
 * | nlmsghdr | cmd | version | reserved | attributes ... |
 * | 16 bytes | u8  |   u8    |   u16    |                |
 * +----------+-----+---------+----------+----------------+
 * ```
 */
import { Connection, type CallOptions, type DumpOptions, type DumpResult, type NotificationEvent } from '../netlink/connection.js';
import { NetlinkProtocol } from '../netlink/constants.js';
import { ArgumentError, NetlinkError } from '../netlink/errors.js';
import { checkArray, checkFunction, checkInteger, checkOptions, checkString, hasName, isRecord } from '../netlink/args.js';
import type { MessageWriter } from '../netlink/writer.js';
import { checkNetNsLike, type NetNsLike } from '../netns/index.js';
import type { GenlFamilyDescriptor, GenlRequest } from '../codec/support.js';
import type { CtrlAttrs } from '../generated/nlctrl.js';

/** Size of `struct genlmsghdr`. */
export const GENL_HDRLEN = 4;
/** GENL_ID_CTRL: nlctrl's fixed family id. */
export const GENL_ID_CTRL = 0x10;

/** The request type an operation's `do` (or `dump`) takes. */
export type RequestOf<R> = R extends GenlRequest<infer Req, unknown> ? Req : R extends { encode: (w: MessageWriter, v: infer V) => void } ? V : never;
/** The reply type an operation's `do` (or `dump`) gives. */
export type ReplyOf<R> = R extends { decode: (view: DataView, s: number, e: number) => infer V } ? V : never;

type OpsOf<D extends GenlFamilyDescriptor> = D['ops'];
/** Names of the operations of D that can be called with `do`. */
export type DoOps<D extends GenlFamilyDescriptor> = { [K in keyof OpsOf<D>]: OpsOf<D>[K] extends { do: object } ? K : never }[keyof OpsOf<D>] & string;
/** Names of the operations of D that can be dumped. */
export type DumpOps<D extends GenlFamilyDescriptor> = { [K in keyof OpsOf<D>]: OpsOf<D>[K] extends { dump: object } ? K : never }[keyof OpsOf<D>] & string;
type DoOf<D extends GenlFamilyDescriptor, K extends DoOps<D>> = OpsOf<D>[K] extends { do: infer R } ? R : never;
type DumpOf<D extends GenlFamilyDescriptor, K extends DumpOps<D>> = OpsOf<D>[K] extends { dump: infer R } ? R : never;

/** FamilyNotFoundError: nlctrl does not know the family (module not loaded, or not in this kernel). */
export class FamilyNotFoundError extends NetlinkError {
  override name = 'FamilyNotFoundError';
  readonly family: string;
  readonly code = 'ENOENT';
  constructor(family: string, options?: { cause?: unknown }) {
    super(`generic netlink family ${JSON.stringify(family)} is not available in this kernel (nlctrl: no such family)`, options);
    this.family = family;
  }
}

/** Options for GenericFamily.open. */
export interface FamilyOptions {
  /** The network namespace to talk to (NetNs, name, path or pid). */
  netns?: NetNsLike;
  /** SO_RCVBUF for the socket. */
  receiveBufferSize?: number;
  /** Turns an extended-ACK offset into an attribute path (the family module's `attributePathAt`). */
  attributePathAt?: (request: Uint8Array, messageType: number, offset: number) => string | undefined;
}

/** A notification from a family's multicast group. */
export interface FamilyNotification {
  /** The operation whose message this is (by genlmsghdr.cmd), or the command number when unknown. */
  op: string | number;
  cmd: number;
  value: unknown;
}

/** What nlctrl says about a family. */
export interface ResolvedFamily {
  id: number;
  version: number;
  /** Multicast group name → id. */
  groups: Map<string, number>;
}

function writeGenlHeader(w: MessageWriter, cmd: number, version: number): void {
  const at = w.reserve(GENL_HDRLEN);
  w.view.setUint8(at, cmd);
  w.view.setUint8(at + 1, version);
}

/**
 * resolveFamily asks nlctrl for a family's id, version and multicast groups
 * over `conn` (a NETLINK_GENERIC connection). Throws FamilyNotFoundError.
 */
export async function resolveFamily(conn: Connection, name: string, options?: CallOptions): Promise<ResolvedFamily> {
  checkString(name, 'name', { minBytes: 1, maxBytes: GENL_NAME_MAX_BYTES });
  // Loaded on first use: a program that never opens a generic family never loads a genl codec.
  const { nlctrlFamily } = await import('../generated/nlctrl.js');
  const op = nlctrlFamily.ops.getfamily.do;
  let reply: CtrlAttrs | undefined;
  try {
    const r = await conn.request(
      {
        type: GENL_ID_CTRL,
        label: `nlctrl getfamily ${name}`,
        body: (w) => {
          writeGenlHeader(w, op.cmd, nlctrlFamily.version);
          op.encode(w, { familyName: name });
        },
      },
      (view, start, end) => op.decode(view, start + GENL_HDRLEN, end),
      options,
    );
    reply = r.replies[0];
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new FamilyNotFoundError(name, { cause: err });
    throw err;
  }
  if (!reply || reply.familyId === undefined) throw new FamilyNotFoundError(name);
  const groups = new Map<string, number>();
  for (const g of reply.mcastGroups ?? []) {
    if (g.value.name !== undefined && g.value.id !== undefined) groups.set(g.value.name, g.value.id);
  }
  return { id: reply.familyId, version: reply.version ?? 1, groups };
}

/** GENL_NAMSIZ - 1: the longest generic netlink family name. */
const GENL_NAME_MAX_BYTES = 15;

/** checkDescriptor checks a family descriptor from plain JavaScript: an object with a family name nlctrl can take and a table of operations. */
function checkDescriptor(descriptor: unknown): asserts descriptor is GenlFamilyDescriptor {
  if (!isRecord(descriptor)) throw new ArgumentError('descriptor', { expected: 'a generated family descriptor (e.g. ethtool.ethtoolFamily)', received: descriptor });
  checkString(descriptor.name, 'descriptor.name', { minBytes: 1, maxBytes: GENL_NAME_MAX_BYTES });
  checkInteger(descriptor.version, 'descriptor.version', 0, 255);
  if (!isRecord(descriptor.ops)) throw new ArgumentError('descriptor.ops', { expected: 'the table of operations', received: descriptor.ops });
}

/**
 * GenericFamily drives one generic netlink family through its generated
 * descriptor: `await GenericFamily.open(ethtool.ethtoolFamily)`, then
 * `family.do('linkinfo-get', { header: { devName: 'veth0' } })`.
 */
export class GenericFamily<D extends GenlFamilyDescriptor> implements Disposable, AsyncDisposable {
  /** The descriptor (generated from the family's spec). */
  readonly descriptor: D;
  /** The family id this kernel assigned. */
  readonly id: number;
  /** The version the kernel reports. */
  readonly version: number;
  /** Multicast group name → id. */
  readonly groups: ReadonlyMap<string, number>;
  /** The connection (NETLINK_GENERIC) requests go through. */
  readonly connection: Connection;
  private readonly options: FamilyOptions;

  private constructor(descriptor: D, resolved: ResolvedFamily, connection: Connection, options: FamilyOptions) {
    this.descriptor = descriptor;
    this.id = resolved.id;
    this.version = resolved.version;
    this.groups = resolved.groups;
    this.connection = connection;
    this.options = options;
  }

  /**
   * open resolves the family in the chosen namespace and returns a handle.
   * Throws ArgumentError for a descriptor or options that are not what
   * they should be (`{ name: 5 }`, a NUL in a namespace path) before
   * opening anything, FamilyNotFoundError when the kernel lacks it, SyscallError when
   * the socket cannot be made. Close it (or `using`) when done.
   */
  static async open<D extends GenlFamilyDescriptor>(descriptor: D, options: FamilyOptions = {}): Promise<GenericFamily<D>> {
    checkDescriptor(descriptor);
    checkOptions(options, 'options', ['netns', 'receiveBufferSize', 'attributePathAt']);
    if (options.netns !== undefined) checkNetNsLike(options.netns, 'options.netns');
    if (options.attributePathAt !== undefined) checkFunction(options.attributePathAt, 'options.attributePathAt');
    const pathAt = options.attributePathAt;
    const conn = Connection.open({
      protocol: NetlinkProtocol.generic,
      netns: options.netns,
      receiveBufferSize: options.receiveBufferSize,
      attributePath: pathAt ? (req, offset) => pathAt(req, 0, offset) : undefined,
    });
    try {
      const resolved = await resolveFamily(conn, descriptor.name);
      return new GenericFamily(descriptor, resolved, conn, options);
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  /** call finds an operation's `do` or `dump` by its own name; throws ArgumentError for any other name (`toString` included) or a request that is not an object. */
  private call<R extends GenlRequest<never, unknown>>(op: string, how: 'do' | 'dump', request: unknown): R {
    const ops = this.descriptor.ops;
    const entry = hasName(ops, op) ? (ops[op]![how] as R | undefined) : undefined;
    if (!entry) {
      const names = Object.keys(ops).filter((k) => ops[k]![how] !== undefined);
      throw new ArgumentError('op', { expected: `an operation of ${this.descriptor.name} with a ${how}: ${names.join(', ')}`, received: op });
    }
    if (request !== undefined && !isRecord(request)) throw new ArgumentError('request', { expected: 'a request object', received: request });
    return entry;
  }

  private decoder(entry: GenlRequest<never, unknown>) {
    const decode = entry.decode;
    return decode ? (view: DataView, start: number, end: number) => decode(view, start + GENL_HDRLEN, end) : () => undefined;
  }

  /**
   * do runs an operation once and resolves with its reply (undefined when the
   * operation answers with an ACK only). `options`: `timeout`, `signal`.
   * Throws ArgumentError for an operation the family has no `do` for, a
   * request that is not an object or a value its codec refuses (a string
   * with a NUL, a number out of range) before sending; KernelError with the
   * kernel's extended-ACK message.
   */
  async do<K extends DoOps<D>>(op: K, request: RequestOf<DoOf<D, K>>, options?: CallOptions): Promise<ReplyOf<DoOf<D, K>> | undefined> {
    const entry = this.call<GenlRequest<never, unknown>>(op, 'do', request);
    const r = await this.connection.request(
      {
        type: this.id,
        label: `${this.descriptor.name} ${op}`,
        body: (w) => {
          writeGenlHeader(w, entry.cmd, this.descriptor.version);
          entry.encode(w, (request ?? {}) as never);
        },
      },
      this.decoder(entry),
      options,
    );
    return r.replies[0] as ReplyOf<DoOf<D, K>> | undefined;
  }

  /**
   * dump runs an operation as a dump and resolves with every object (see
   * Connection.dump for DUMP_INTR handling). Throws ArgumentError as `do`
   * does, KernelError.
   */
  async dump<K extends DumpOps<D>>(op: K, request: RequestOf<DumpOf<D, K>>, options?: DumpOptions): Promise<DumpResult<ReplyOf<DumpOf<D, K>>>> {
    const entry = this.call<GenlRequest<never, unknown>>(op, 'dump', request);
    return this.connection.dump(
      {
        type: this.id,
        label: `${this.descriptor.name} ${op} (dump)`,
        body: (w) => {
          writeGenlHeader(w, entry.cmd, this.descriptor.version);
          entry.encode(w, (request ?? {}) as never);
        },
      },
      this.decoder(entry),
      options,
    ) as Promise<DumpResult<ReplyOf<DumpOf<D, K>>>>;
  }

  /**
   * subscribe joins the named multicast groups and returns their messages,
   * decoded by the operation whose command they carry. An overrun is an
   * event; the stream goes on. Ends on break/return, close, or the signal.
   * Uses its own socket, so replies and notifications never mix. Throws
   * ArgumentError for a group the family does not have or options it does
   * not take, before opening anything.
   */
  async subscribe(groups: readonly string[], options: { signal?: AbortSignal; receiveBufferSize?: number } = {}): Promise<AsyncIterableIterator<NotificationEvent<FamilyNotification>> & AsyncDisposable> {
    checkArray(groups, 'groups');
    checkOptions(options, 'options', ['signal', 'receiveBufferSize']);
    const ids = groups.map((g) => {
      const id = this.groups.get(g);
      if (id === undefined) throw new ArgumentError('groups', { expected: `multicast groups of ${this.descriptor.name} (${[...this.groups.keys()].join(', ') || 'none'})`, received: g });
      return id;
    });
    const conn = Connection.open({
      protocol: NetlinkProtocol.generic,
      netns: this.options.netns,
      receiveBufferSize: options.receiveBufferSize ?? this.options.receiveBufferSize,
      groups: ids,
    });
    const byCmd = new Map<number, [string, GenlRequest<never, unknown>['decode']]>();
    for (const [name, op] of Object.entries(this.descriptor.ops)) {
      const n = op.notify ?? op.do ?? op.dump;
      const cmd = op.notify?.cmd ?? op.do?.replyCmd ?? op.dump?.replyCmd;
      if (n && cmd !== undefined && !byCmd.has(cmd)) byCmd.set(cmd, [name, n.decode]);
    }
    const inner = conn.notifications<FamilyNotification>(
      (view, start, end) => {
        const cmd = view.getUint8(start);
        const known = byCmd.get(cmd);
        return { op: known ? known[0] : cmd, cmd, value: known?.[1] ? known[1](view, start + GENL_HDRLEN, end) : undefined };
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
    return it as AsyncIterableIterator<NotificationEvent<FamilyNotification>> & AsyncDisposable;
  }

  /** close closes the family's socket. Idempotent. */
  close(): void {
    this.connection.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
