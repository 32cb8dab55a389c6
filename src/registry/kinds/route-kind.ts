/**
 * The route kind's declaration: its static facts here, and what needs the
 * generated rt-route codec (decoding, keys, dumps, filters) in route.ts,
 * imported on first use (deferred.ts). A program that reads only links and
 * addresses never loads it.
 */
import type * as rtRoute from '../../generated/rt-route.js';
import { deferredKind } from '../deferred.js';
import type { ObjectKind } from '../kind.js';
import { Family } from '../vocabulary.js';
import type { Route } from './route.js';

/**
 * RTM_*ROUTE and the route groups: the generated codec's RequestType and
 * McastGroup (rt_route.yaml lists no groups: RTNLGRP_IPV4_ROUTE and
 * RTNLGRP_IPV6_ROUTE from include/uapi/linux/rtnetlink.h), written out so
 * that declaring the kind does not load it (test/rtnl/deferred-kinds.test.ts
 * checks they agree).
 */
export const RouteTypes = { newroute: 24, delroute: 25, getroute: 26, ipv4Group: 7, ipv6Group: 11 } as const;

/** routeKind declares routes to the registry. */
export const routeKind: ObjectKind<{ kind: 'route'; plural: 'routes'; groups: 'ipv4-route' | 'ipv6-route' }, rtRoute.RouteMessage, rtRoute.RouteMessageInput, Route> = deferredKind(
  {
    kind: 'route',
    plural: 'routes',
    doc: 'routes (rt.routes.list)',
    types: { new: RouteTypes.newroute, del: RouteTypes.delroute, get: RouteTypes.getroute },
    names: { new: 'RTM_NEWROUTE', del: 'RTM_DELROUTE', get: 'RTM_GETROUTE' },
    families: [Family.inet, Family.inet6],
    defaultFamilies: [Family.inet, Family.inet6],
    groups: [
      { name: 'ipv4-route', group: RouteTypes.ipv4Group, family: Family.inet },
      { name: 'ipv6-route', group: RouteTypes.ipv6Group, family: Family.inet6 },
    ],
    volatile: new Set(['rtaCacheinfo', 'rtaExpires', 'order']),
  },
  () => import('./route.js').then((m) => m.routeCodec),
);
