/**
 * Rtnl: one rtnetlink handle on one network namespace, grouping the
 * services by object — `links`, `addresses`, `routes`, `neighbors`, `rules`.
 * Each service is a thin layer of intent over the generated codecs and the
 * core connection.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import { NetlinkProtocol } from '../netlink/constants.js';
import type { NetNs, NetNsLike } from '../netns/index.js';
import { listNetnsIds, namespaceOfId, netnsIdOf, setNetnsId, type NetnsIdEntry } from './nsid.js';
import { rtnlAttributePathAt } from '../generated/index.js';
import * as rtLinkBridge from '../generated/rt-link-bridge.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { NetlinkHandle, checkOver, openConnection, type HandleOptions } from '../netlink/handle.js';
import { Family } from '../registry/vocabulary.js';
import { Links } from './link.js';
import { getLink } from '../registry/kinds/link.js';
import { checkLinkRef } from '../registry/validate.js';
import { Addresses } from './address.js';
import { Routes } from './route.js';
import { Neighbors } from './neighbor.js';
import { Rules } from './rule.js';
import { BridgeVlans } from './bridge-vlan.js';
import { SERVED_KINDS, type RtnlGroupName, type ServedKind, type ServiceKind } from '../registry/index.js';
import { KindService } from './kind-service.js';
import { Classes, Filters, Qdiscs } from './tc.js';
import { subscribe, type SubscribeOptions, type Subscription } from '../events/subscribe.js';
import { watch, type View, type WatchObject, type WatchOptions, type WatchTarget } from '../events/watch.js';

/** Options for Rtnl.open: `netns`, `receiveBufferSize` (as every handle's). */
export type RtnlOptions = HandleOptions;

/** The generic service of a registry kind. */
type ServiceOf<K> = K extends ServiceKind<any, any, any, infer O, infer Spec, infer Key, infer F> ? KindService<O, Spec, Key, F> : never;

/** The services Rtnl makes from the registry, one per kind with request builders, under the kind's plural (`nexthops`). */
export type KindServices = { readonly [K in ServedKind as K['plural']]: ServiceOf<K> };

// The registry's generic services are members too, made in the constructor from SERVED_KINDS.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Rtnl extends KindServices {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Rtnl extends NetlinkHandle implements RtnlContext {
  /** Links: list, get, add, set, delete, move to another namespace. */
  readonly links: Links;
  /** IPv4 and IPv6 addresses. */
  readonly addresses: Addresses;
  /** Routes of every table, both families. */
  readonly routes: Routes;
  /** Neighbours (ARP/NDP) and bridge FDB entries. */
  readonly neighbors: Neighbors;
  /** Policy-routing rules. */
  readonly rules: Rules;
  /** VLANs of bridge ports (pvid, untagged, ranges) and bridges' vlan_filtering. */
  readonly bridgeVlans: BridgeVlans;
  /** Traffic control: queueing disciplines (`tc qdisc`). */
  readonly qdiscs: Qdiscs;
  /** Traffic control: classes of classful qdiscs (`tc class`). */
  readonly classes: Classes;
  /** Traffic control: filters and their actions (`tc filter`). */
  readonly filters: Filters;

  private constructor(conn: Connection, netns: NetNsLike | undefined) {
    super(conn, netns);
    this.links = new Links(this);
    this.addresses = new Addresses(this);
    this.routes = new Routes(this);
    this.neighbors = new Neighbors(this);
    this.rules = new Rules(this);
    this.bridgeVlans = new BridgeVlans(this);
    for (const kind of SERVED_KINDS as readonly ServiceKind[]) (this as unknown as Record<string, unknown>)[kind.plural] = new KindService(this, kind);
    this.qdiscs = new Qdiscs(this);
    this.classes = new Classes(this);
    this.filters = new Filters(this);
  }

  /**
   * open makes a handle on the current namespace or the one named by
   * `options.netns`. Throws ArgumentError for a bad option (nothing is
   * opened), NetNsError when the namespace cannot be opened, SyscallError
   * when the socket cannot be made. Close it (or `await using`).
   */
  static async open(options: RtnlOptions = {}): Promise<Rtnl> {
    const { conn, netns } = openConnection(options, NetlinkProtocol.route, rtnlRequestAttributePath);
    return new Rtnl(conn, netns);
  }

  /**
   * over makes a handle on an existing connection (a NETLINK_ROUTE
   * connection, or a test's fake kernel through Connection.over). The
   * handle owns it and closes it.
   */
  static over(conn: Connection, netns?: NetNsLike): Rtnl {
    checkOver(conn, netns);
    return new Rtnl(conn, netns);
  }

  /** linkIndex resolves a name to its index with one RTM_GETLINK (see RtnlContext). */
  async linkIndex(ref: LinkRef, options?: CallOptions): Promise<number> {
    checkLinkRef(ref);
    if (typeof ref === 'number') return ref;
    return (await getLink(this.conn, ref, options)).index;
  }

  /**
   * netnsId returns the id this handle's namespace has given `ns` (what a
   * veth peer's `link.parent.netnsId` holds), or undefined when it has none;
   * asking never assigns one. See nsid.ts. Throws ArgumentError, NetNsError,
   * KernelError.
   */
  netnsId(ns: NetNsLike, options?: CallOptions): Promise<number | undefined> {
    return netnsIdOf(this, ns, options);
  }

  /**
   * setNetnsId pins the id of `ns` in this handle's namespace, as
   * `ip netns set NAME ID` (`'auto'`: the kernel picks). Returns the id.
   * Throws ArgumentError, NetNsError, KernelError `EEXIST` when `ns` has an
   * id already or the id is taken.
   */
  setNetnsId(ns: NetNsLike, id: number | 'auto', options?: CallOptions): Promise<number> {
    return setNetnsId(this, ns, id, options);
  }

  /** netnsIds lists the ids this handle's namespace has assigned, named from /run/netns, as `ip netns list-id`. Throws KernelError, NetNsError. */
  netnsIds(options?: CallOptions): Promise<NetnsIdEntry[]> {
    return listNetnsIds(this, options);
  }

  /**
   * namespaceOfId opens the namespace an id of this handle's namespace
   * stands for (`link.parent.netnsId` → NetNs), searching the named
   * namespaces under /run/netns; undefined when none has it. The caller owns
   * (closes) the result. Throws ArgumentError, KernelError, NetNsError.
   */
  namespaceOfId(id: number, options?: CallOptions): Promise<NetNs | undefined> {
    return namespaceOfId(this, id, options);
  }

  /**
   * subscribe streams typed notifications of `groups` ('link', 'ipv4-addr',
   * 'ipv6-route', 'neigh', 'ipv4-rule', 'tc', …) from this handle's namespace, on
   * a socket of their own; see src/events/subscribe.ts. Throws
   * ArgumentError for an unknown group or bad option, ClosedError on a
   * closed handle (nothing is opened), SyscallError when the socket cannot
   * be opened.
   */
  subscribe(groups: readonly RtnlGroupName[], options?: SubscribeOptions): Subscription {
    return subscribe(this, groups, options);
  }

  /**
   * watch opens a live view of 'links', 'addresses', 'routes', 'neighbors',
   * 'rules', 'nexthops', 'qdiscs', 'classes' or 'filters' that always
   * converges to what a fresh dump returns; see
   * src/events/watch.ts. Rejects with ArgumentError for a bad target or
   * option, ClosedError on a closed handle (nothing is opened), or what the
   * first dump throws.
   */
  watch<T extends WatchTarget>(target: T, filter?: (object: WatchObject<T>) => boolean, options?: WatchOptions): Promise<View<WatchObject<T>>> {
    return watch(this, target, filter, options);
  }
}

/**
 * rtnlRequestAttributePath names the attribute at an extended-ACK offset of
 * an rtnetlink request (its bytes from the nlmsghdr), for Connection's
 * `attributePath` option; undefined when it falls on none. Link requests of family AF_BRIDGE (bridge VLANs) carry
 * IFLA_BRIDGE_* in IFLA_AF_SPEC, which only rt-link-bridge's spec
 * describes; every other request goes by its type alone.
 */
export function rtnlRequestAttributePath(request: Uint8Array, offset: number): string | undefined {
  const type = new DataView(request.buffer, request.byteOffset).getUint16(4, true);
  // ifi_family is the first byte after the 16-byte nlmsghdr.
  if (request.length > 16 && request[16] === Family.bridge && (Object.values(rtLinkBridge.RequestType) as number[]).includes(type)) {
    return rtLinkBridge.attributePathAt(request, type, offset);
  }
  return rtnlAttributePathAt(request, type, offset);
}
