/**
 * The part of an Rtnl handle that needs the rtnetlink codecs: its services,
 * link lookup, namespace ids, events and the extended-ACK attribute walker.
 * Rtnl loads this module when the first handle opens (a dynamic import), so
 * that importing nlkit, and a program that uses only generic netlink,
 * conntrack or xfrm, loads no rtnetlink codec.
 */
import type { RtnlContext } from '../registry/context.js';
import { SERVED_KINDS, type ServiceKind } from '../registry/index.js';
import { Links } from './link.js';
import { Addresses } from './address.js';
import { Routes } from './route.js';
import { Neighbors } from './neighbor.js';
import { Rules } from './rule.js';
import { BridgeVlans } from './bridge-vlan.js';
import { KindService } from './kind-service.js';
import { Classes, Filters, Qdiscs } from './tc.js';

export { getLink } from '../registry/kinds/link.js';
export { checkLinkRef } from '../registry/validate.js';
export { subscribe } from '../events/subscribe.js';
export { rtnlRequestAttributePath } from './attribute-path.js';

// Parts few programs use load on first use, not with the services: live views (watch) and
// namespace ids (nsid). Both are behind asynchronous calls.
export const loadWatch = (): Promise<typeof import('../events/watch.js')> => import('../events/watch.js');
export const loadNsid = (): Promise<typeof import('./nsid.js')> => import('./nsid.js');

/** makeServices builds a handle's services over its context: the named ones and one KindService per served registry kind, under its plural. */
export function makeServices(ctx: RtnlContext) {
  return {
    links: new Links(ctx),
    addresses: new Addresses(ctx),
    routes: new Routes(ctx),
    neighbors: new Neighbors(ctx),
    rules: new Rules(ctx),
    bridgeVlans: new BridgeVlans(ctx),
    qdiscs: new Qdiscs(ctx),
    classes: new Classes(ctx),
    filters: new Filters(ctx),
    kindServices: Object.fromEntries((SERVED_KINDS as readonly ServiceKind[]).map((kind) => [kind.plural, new KindService(ctx, kind)])),
  };
}
