/**
 * The neighbour kind's declaration: its static facts here, and what needs
 * the generated rt-neigh codec in neighbor.ts, imported on first use
 * (deferred.ts).
 */
import type * as rtNeigh from '../../generated/rt-neigh.js';
import { deferredKind } from '../deferred.js';
import type { ObjectKind } from '../kind.js';
import { Family } from '../vocabulary.js';
import type { NeighMessage, Neighbor } from './neighbor.js';

/**
 * RTM_*NEIGH and RTNLGRP_NEIGH: the generated codec's RequestType and
 * McastGroup, written out so that declaring the kind does not load it
 * (test/rtnl/deferred-kinds.test.ts checks they agree).
 */
export const NeighborTypes = { newneigh: 28, delneigh: 29, getneigh: 30, group: 3 } as const;

/** neighborKind declares neighbours to the registry. */
export const neighborKind: ObjectKind<{ kind: 'neighbor'; plural: 'neighbors'; groups: 'neigh' }, NeighMessage, rtNeigh.NeighMessageInput, Neighbor> = deferredKind(
  {
    kind: 'neighbor',
    plural: 'neighbors',
    doc: 'neighbour (ARP/NDP) entries (rt.neighbors.list)',
    types: { new: NeighborTypes.newneigh, del: NeighborTypes.delneigh, get: NeighborTypes.getneigh },
    names: { new: 'RTM_NEWNEIGH', del: 'RTM_DELNEIGH', get: 'RTM_GETNEIGH' },
    families: [Family.inet, Family.inet6, Family.bridge],
    defaultFamilies: [Family.inet, Family.inet6],
    groups: [{ name: 'neigh', group: NeighborTypes.group, family: 0 }],
    volatile: new Set(['cacheinfo', 'probes', 'order']),
  },
  () => import('./neighbor.js').then((m) => m.neighborCodec),
);
