/**
 * The nexthop kind's declaration: its static facts here, and what needs the
 * generated rt-nexthop codec (decoding, keys, filters, the generic
 * service's request builders) in nexthop.ts, imported on first use
 * (deferred.ts).
 */
import type * as rtNexthop from '../../generated/rt-nexthop.js';
import { deferredServiceKind } from '../deferred.js';
import type { ServiceKind } from '../kind.js';
import { Family } from '../vocabulary.js';
import type { NexthopEntry, NexthopEntryFilter, NexthopEntrySpec, NexthopKey } from './nexthop.js';

/**
 * RTM_*NEXTHOP and RTNLGRP_NEXTHOP: the generated codec's RequestType and
 * McastGroup, written out so that declaring the kind does not load it
 * (test/rtnl/deferred-kinds.test.ts checks they agree).
 */
export const NexthopTypes = { newnexthop: 104, delnexthop: 105, getnexthop: 106, group: 32 } as const;

/** nexthopKind declares nexthop objects to the registry, with the requests of the generic service (`rt.nexthops`). */
export const nexthopKind: ServiceKind<
  { kind: 'nexthop'; plural: 'nexthops'; groups: 'nexthop' },
  rtNexthop.NexthopMessage,
  rtNexthop.NexthopMessageInput,
  NexthopEntry,
  NexthopEntrySpec,
  NexthopKey,
  NexthopEntryFilter
> = deferredServiceKind(
  {
    kind: 'nexthop',
    plural: 'nexthops',
    doc: 'nexthop objects (rt.nexthops.list)',
    types: { new: NexthopTypes.newnexthop, del: NexthopTypes.delnexthop, get: NexthopTypes.getnexthop },
    names: { new: 'RTM_NEWNEXTHOP', del: 'RTM_DELNEXTHOP', get: 'RTM_GETNEXTHOP' },
    families: [Family.all],
    defaultFamilies: [Family.all],
    anyFamily: true,
    groups: [{ name: 'nexthop', group: NexthopTypes.group, family: 0 }],
    volatile: new Set(['order']),
  },
  () => import('./nexthop.js').then((m) => m.nexthopCodec),
);
