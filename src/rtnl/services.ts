/**
 * The part of an Rtnl handle that needs the rtnetlink codecs: its services,
 * link lookup, events and the extended-ACK attribute walker. Rtnl loads
 * this module when the first handle opens (a dynamic import), so that
 * importing nlkit, and a program that uses only generic netlink, conntrack
 * or xfrm, loads no rtnetlink codec. It holds the link and address services
 * and codecs, which nearly every program uses; the rest (routes, neighbours,
 * rules, nexthops, bridge VLANs, views, namespace ids) loads on first use.
 */
import type { RtnlContext } from '../registry/context.js';
import { SERVED_KINDS, type ServiceKind } from '../registry/index.js';
import { Links } from './link.js';
import { Addresses } from './address.js';
import type { Routes } from './route.js';
import type { Neighbors } from './neighbor.js';
import type { Rules } from './rule.js';
import type { BridgeVlans } from './bridge-vlan.js';
import { KindService } from './kind-service.js';
import { Classes, Filters, Qdiscs } from './tc.js';
import { deferredService, type ServiceMethods } from './deferred-service.js';
import { loadKind, type ObjectKind } from '../registry/kind.js';
import { routeKind } from '../registry/kinds/route-kind.js';
import { neighborKind } from '../registry/kinds/neighbor-kind.js';
import { ruleKind } from '../registry/kinds/rule-kind.js';

export { getLink } from '../registry/kinds/link.js';
export { checkLinkRef } from '../registry/validate.js';
export { subscribe } from '../events/subscribe.js';
export { loadedAttributePaths } from '../registry/attribute-paths.js';

// Parts few programs use load on first use, not with the services: live views (watch) and
// namespace ids (nsid). Both are behind asynchronous calls.
export const loadWatch = (): Promise<typeof import('../events/watch.js')> => import('../events/watch.js');
export const loadNsid = (): Promise<typeof import('./nsid.js')> => import('./nsid.js');

// The methods of the services that load on first use (deferred-service.ts): a method added to
// one of them and not here fails to compile.
const ROUTE_METHODS: ServiceMethods<Routes> = { list: true, get: true, add: true, replace: true, append: true, delete: true, addMany: true };
const NEIGHBOR_METHODS: ServiceMethods<Neighbors> = { list: true, add: true, replace: true, delete: true };
const RULE_METHODS: ServiceMethods<Rules> = { list: true, add: true, delete: true };
const BRIDGE_VLAN_METHODS: ServiceMethods<BridgeVlans> = { list: true, add: true, delete: true, setFiltering: true };

/** withKind imports a service's module and, side by side, completes its kind (the kind's codec is in the same file). */
async function withKind<M>(kind: ObjectKind, load: () => Promise<M>): Promise<M> {
  const [module] = await Promise.all([load(), loadKind(kind)]);
  return module;
}

/** makeServices builds a handle's services over its context: the named ones and one KindService per served registry kind, under its plural. */
export function makeServices(ctx: RtnlContext) {
  return {
    links: new Links(ctx),
    addresses: new Addresses(ctx),
    // Routes, neighbours, rules and bridge VLANs, with their codecs, load on first use.
    routes: deferredService(ROUTE_METHODS, async () => new (await withKind(routeKind, () => import('./route.js'))).Routes(ctx)),
    neighbors: deferredService(NEIGHBOR_METHODS, async () => new (await withKind(neighborKind, () => import('./neighbor.js'))).Neighbors(ctx)),
    rules: deferredService(RULE_METHODS, async () => new (await withKind(ruleKind, () => import('./rule.js'))).Rules(ctx)),
    bridgeVlans: deferredService(BRIDGE_VLAN_METHODS, async () => new (await import('./bridge-vlan.js')).BridgeVlans(ctx)),
    qdiscs: new Qdiscs(ctx),
    classes: new Classes(ctx),
    filters: new Filters(ctx),
    kindServices: Object.fromEntries((SERVED_KINDS as readonly ServiceKind[]).map((kind) => [kind.plural, new KindService(ctx, kind)])),
  };
}
