/**
 * What every handle on a netlink protocol shares — Rtnl (NETLINK_ROUTE),
 * Conntrack (NETLINK_NETFILTER), Xfrm (NETLINK_XFRM) and the spec-driven
 * NetlinkFamily: the options `open` takes and how they are checked, the
 * connection it opens in the namespace they name, the checks of `over`, and
 * closing (`close`, `using`, `await using`). One place, so that a typo in an
 * option (`{ netnss: 'blue' }`, which would otherwise open the current
 * namespace) is refused by every handle alike. It knows no family: the
 * protocol and the attribute-path walker come from the caller.
 */
import { Connection, type ConnectionOptions } from './connection.js';
import { checkOptions } from './args.js';
import { ArgumentError } from './errors.js';
import { checkNetNsLike, type NetNsLike } from '../netns/index.js';

/** Options of every handle's `open`. */
export interface HandleOptions {
  /** The namespace: a NetNs, a name under /run/netns, an absolute path, or a pid. Default: the current one. */
  netns?: NetNsLike;
  /** SO_RCVBUF for the socket, in bytes (large dumps read faster with a bigger one). */
  receiveBufferSize?: number;
}

const HANDLE_OPTION_KEYS: readonly (keyof HandleOptions)[] = ['netns', 'receiveBufferSize'];

/** AttributePathAt: the path of the attribute at `offset` bytes into `request` (from its nlmsghdr), e.g. `linkinfo.data(vxlan).port` — what a generated codec's `attributePathAt` gives. */
export type AttributePathAt = (request: Uint8Array, messageType: number, offset: number) => string | undefined;

/**
 * byMessageType adapts a generated `attributePathAt` to Connection's
 * `attributePath` option, reading the message type from the request's
 * nlmsghdr (bytes 4–5).
 */
export function byMessageType(attributePathAt: AttributePathAt): NonNullable<ConnectionOptions['attributePath']> {
  return (request, offset) => attributePathAt(request, new DataView(request.buffer, request.byteOffset, request.byteLength).getUint16(4, true), offset);
}

/**
 * checkHandleOptions checks a handle's `open` options: an object or nothing
 * (then `{}`), with no key but `netns`, `receiveBufferSize` and the handle's
 * own `more`, and a namespace that can name one. Throws ArgumentError naming
 * the option (`options.netnss`).
 */
export function checkHandleOptions(options: unknown, more: readonly string[] = []): HandleOptions {
  // `open('blue')` must not open the current namespace: options are an object or nothing.
  const o = checkOptions(options, 'options', [...HANDLE_OPTION_KEYS, ...more]) as HandleOptions;
  if (o.netns !== undefined) checkNetNsLike(o.netns, 'options.netns');
  return o;
}

/**
 * openConnection checks a handle's `open` options (see checkHandleOptions)
 * and opens a connection of `protocol` in the namespace they name. Returns
 * the connection and the namespace as given. Throws ArgumentError for a bad
 * option (nothing is opened), NetNsError when the namespace cannot be
 * opened, SyscallError when the socket cannot be made.
 */
export function openConnection(options: unknown, protocol: number, attributePath: ConnectionOptions['attributePath']): { conn: Connection; netns: NetNsLike | undefined } {
  const o = checkHandleOptions(options);
  const conn = Connection.open({ protocol, netns: o.netns, receiveBufferSize: o.receiveBufferSize, attributePath });
  return { conn, netns: o.netns };
}

/** checkOver checks what a handle's `over` takes: a Connection (the parameter named `argument`), and a namespace or nothing. Throws ArgumentError. */
export function checkOver(conn: unknown, netns: unknown, argument = 'conn'): asserts conn is Connection {
  if (!(conn instanceof Connection)) throw new ArgumentError(argument, { expected: 'a Connection', received: conn });
  if (netns !== undefined) checkNetNsLike(netns, 'netns');
}

/**
 * NetlinkHandle is a handle that owns one connection on one network
 * namespace. Close it (or `using` / `await using`): pending calls reject
 * with ClosedError, and so does every later call.
 */
export abstract class NetlinkHandle implements Disposable, AsyncDisposable {
  /** The connection every call of this handle uses; the handle owns it. */
  readonly conn: Connection;
  /** The namespace this handle talks to (as given to `open`), undefined for the current one. */
  readonly netns: NetNsLike | undefined;

  protected constructor(conn: Connection, netns: NetNsLike | undefined) {
    this.conn = conn;
    this.netns = netns;
  }

  /** close closes the socket; pending calls reject with ClosedError, and so does every later call. Idempotent. */
  close(): void {
    this.conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
