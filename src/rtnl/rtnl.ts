/**
 * Rtnl: one rtnetlink handle on one network namespace, grouping the
 * services by object — `links`, `addresses`, `routes`, `neighbors`, `rules`.
 * Each service is a thin layer of intent over the generated codecs and the
 * core connection.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import { NetlinkProtocol } from '../netlink/constants.js';
import type { NetNs, NetNsLike } from '../netns/index.js';
import type { NetnsIdEntry } from './nsid.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { NetlinkHandle, checkOver, openConnection, type HandleOptions } from '../netlink/handle.js';
import type { Links } from './link.js';
import type { Addresses } from './address.js';
import type { Routes } from './route.js';
import type { Neighbors } from './neighbor.js';
import type { Rules } from './rule.js';
import type { BridgeVlans } from './bridge-vlan.js';
import type { RtnlGroupName, ServedKind, ServiceKind } from '../registry/index.js';
import type { KindService } from './kind-service.js';
import type { Classes, Filters, Qdiscs } from './tc.js';
import type { SubscribeOptions, Subscription } from '../events/subscribe.js';
import type { View, WatchObject, WatchOptions, WatchTarget } from '../events/watch.js';

/** The module with everything of a handle that needs the rtnetlink codecs (services.ts). */
type Services = typeof import('./services.js');

let services: Promise<Services> | undefined;

/**
 * loadServices imports services.ts once, when the first handle opens: the
 * rtnetlink codecs and services are about half of nlkit's code, which
 * `import { Rtnl } from 'nlkit'` alone should not pay for.
 */
function loadServices(): Promise<Services> {
  return (services ??= import('./services.js').catch((err: unknown) => {
    // A failed import may succeed later (a transient file system error): try again next time.
    services = undefined;
    throw err;
  }));
}

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

  /** The loaded services module: what the methods below delegate to. */
  readonly #services: Services;

  private constructor(conn: Connection, netns: NetNsLike | undefined, services: Services) {
    super(conn, netns);
    this.#services = services;
    const made = services.makeServices(this);
    this.links = made.links;
    this.addresses = made.addresses;
    this.routes = made.routes;
    this.neighbors = made.neighbors;
    this.rules = made.rules;
    this.bridgeVlans = made.bridgeVlans;
    Object.assign(this, made.kindServices);
    this.qdiscs = made.qdiscs;
    this.classes = made.classes;
    this.filters = made.filters;
  }

  /**
   * open makes a handle on the current namespace or the one named by
   * `options.netns`. Throws ArgumentError for a bad option (nothing is
   * opened), NetNsError when the namespace cannot be opened, SyscallError
   * when the socket cannot be made. Close it (or `await using`).
   */
  static async open(options: RtnlOptions = {}): Promise<Rtnl> {
    const services = await loadServices();
    const { conn, netns } = openConnection(options, NetlinkProtocol.route, (request, offset) => services.loadedAttributePaths.at(request, offset));
    return new Rtnl(conn, netns, services);
  }

  /**
   * over makes a handle on an existing connection (a NETLINK_ROUTE
   * connection, or a test's fake kernel through Connection.over). The
   * handle owns it and closes it. Asynchronous because the first handle
   * loads the services (see loadServices); throws ArgumentError for a bad
   * argument before loading anything.
   */
  static async over(conn: Connection, netns?: NetNsLike): Promise<Rtnl> {
    checkOver(conn, netns);
    return new Rtnl(conn, netns, await loadServices());
  }

  /** linkIndex resolves a name to its index with one RTM_GETLINK (see RtnlContext). */
  async linkIndex(ref: LinkRef, options?: CallOptions): Promise<number> {
    this.#services.checkLinkRef(ref);
    if (typeof ref === 'number') return ref;
    return (await this.#services.getLink(this.conn, ref, options)).index;
  }

  /**
   * netnsId returns the id this handle's namespace has given `ns` (what a
   * veth peer's `link.parent.netnsId` holds), or undefined when it has none;
   * asking never assigns one. See nsid.ts. Throws ArgumentError, NetNsError,
   * KernelError.
   */
  netnsId(ns: NetNsLike, options?: CallOptions): Promise<number | undefined> {
    return this.#services.loadNsid().then((nsid) => nsid.netnsIdOf(this, ns, options));
  }

  /**
   * setNetnsId pins the id of `ns` in this handle's namespace, as
   * `ip netns set NAME ID` (`'auto'`: the kernel picks). Returns the id.
   * Throws ArgumentError, NetNsError, KernelError `EEXIST` when `ns` has an
   * id already or the id is taken.
   */
  setNetnsId(ns: NetNsLike, id: number | 'auto', options?: CallOptions): Promise<number> {
    return this.#services.loadNsid().then((nsid) => nsid.setNetnsId(this, ns, id, options));
  }

  /** netnsIds lists the ids this handle's namespace has assigned, named from /run/netns, as `ip netns list-id`. Throws KernelError, NetNsError. */
  netnsIds(options?: CallOptions): Promise<NetnsIdEntry[]> {
    return this.#services.loadNsid().then((nsid) => nsid.listNetnsIds(this, options));
  }

  /**
   * namespaceOfId opens the namespace an id of this handle's namespace
   * stands for (`link.parent.netnsId` → NetNs), searching the named
   * namespaces under /run/netns; undefined when none has it. The caller owns
   * (closes) the result. Throws ArgumentError, KernelError, NetNsError.
   */
  namespaceOfId(id: number, options?: CallOptions): Promise<NetNs | undefined> {
    return this.#services.loadNsid().then((nsid) => nsid.namespaceOfId(this, id, options));
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
    return this.#services.subscribe(this, groups, options);
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
    return this.#services.loadWatch().then((m) => m.watch(this, target, filter, options));
  }
}
