/**
 * What every rtnl service shares: the connection to one namespace's
 * rtnetlink, the namespace itself, and turning a link name into an index.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import type { NetNsLike } from '../netns/index.js';
import { checkInteger, lookupName } from '../netlink/args.js';

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

/** Address families by name, as `ip -4` / `ip -6` and the kernel's AF_* numbers. */
export const Family = {
  /** AF_UNSPEC */
  all: 0,
  /** AF_INET */
  inet: 2,
  /** AF_INET6 */
  inet6: 10,
  /** AF_BRIDGE (bridge FDB, bridge ports) */
  bridge: 7,
  /** AF_MPLS */
  mpls: 28,
} as const;
/** A family name: 'inet', 'inet6', … */
export type FamilyName = keyof typeof Family;

/**
 * familyNumber maps a FamilyName (or an AF_* number 0-255) to AF_*; throws
 * ArgumentError naming `argument` on anything else (`toString` is not a
 * family).
 */
export function familyNumber(family: FamilyName | number | undefined, argument = 'family'): number {
  if (family === undefined) return 0;
  if (typeof family === 'number') return checkInteger(family, argument, 0, 255);
  return lookupName(Family, family, argument, 'or an AF_* number');
}

const FAMILY_NAMES: Readonly<Record<number, FamilyName>> = Object.fromEntries(Object.entries(Family).map(([k, v]) => [v, k as FamilyName]));

/** familyName maps AF_* to its name ('inet', 'inet6', …), or keeps the number. */
export function familyName(af: number): FamilyName | number {
  return FAMILY_NAMES[af] ?? af;
}
