/**
 * What every rtnl service shares: the connection to one namespace's
 * rtnetlink, the namespace itself, and turning a link name into an index.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import type { NetNsLike } from '../netns/index.js';

/** A link named by its interface name (`'veth0'`) or index (`3`). */
export type LinkRef = string | number;

/** RtnlContext: the handle's state that the services (links, addresses, …) use. */
export interface RtnlContext {
  /** The NETLINK_ROUTE connection, opened in `netns`. */
  readonly conn: Connection;
  /** The namespace this handle talks to (undefined: the one current at open). */
  readonly netns: NetNsLike | undefined;
  /**
   * linkIndex resolves a LinkRef to an interface index with one RTM_GETLINK by
   * name (an index is returned as is), under the caller's `timeout`/`signal`.
   * Throws ArgumentError for a bad reference (index 0, a NUL in a name)
   * before sending, KernelError `ENODEV` naming the link.
   */
  linkIndex(ref: LinkRef, options?: CallOptions): Promise<number>;
}
