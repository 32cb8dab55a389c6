/**
 * The traffic control kinds: qdiscs, classes and filters (`tc qdisc`,
 * `tc class`, `tc filter`; RTM_*QDISC, RTM_*TCLASS, RTM_*TFILTER of the tc
 * spec). Their conversion, keys, dumps and filters need the generated tc
 * codec (19,000 lines), so they are declared in two parts (deferred.ts):
 * the static facts here, known when nlkit is imported, and the rest in
 * ../tc/parts.ts, imported on first use — by `rt.qdiscs`, `rt.classes`,
 * `rt.filters`, `watch('qdiscs' | 'classes' | 'filters')` or a
 * subscription to 'tc'.
 *
 * All three share one multicast group (RTNLGRP_TC) and have no address
 * family (tcm_family is AF_UNSPEC).
 */
import type * as tc from '../../generated/tc.js';
import { deferredKind, type KindStatics } from '../deferred.js';
import type { KindNames, ObjectKind } from '../kind.js';
import type { Qdisc } from '../tc/qdisc.js';
import type { TcClass } from '../tc/class.js';
import type { Filter } from '../tc/filter.js';

type TcModule = typeof import('../tc/index.js');

/** The tc module, imported once, on first use of any of the three kinds. */
const loadTc = (): Promise<TcModule> => import('../tc/index.js');

/**
 * RTM_* numbers of tc and RTNLGRP_TC: the generated codec's RequestType and
 * McastGroup, written out so that declaring the kinds does not load it
 * (test/tc/lazy.test.ts checks they agree).
 */
export const TcTypes = {
  newqdisc: 36,
  delqdisc: 37,
  getqdisc: 38,
  newtclass: 40,
  deltclass: 41,
  gettclass: 42,
  newtfilter: 44,
  deltfilter: 45,
  gettfilter: 46,
} as const;

/** RTNLGRP_TC: every qdisc, class and filter notification. */
export const RTNLGRP_TC = 4;

/** The group all three kinds' notifications come on, by the name `subscribe` takes. */
const groups = [{ name: 'tc', group: RTNLGRP_TC, family: 0 }] as const;

/**
 * Counters, rate estimates, htb's tokens and ctokens (xstats), htb's count
 * of directly sent packets, u32's hit counters, actions' timestamps and
 * reference counts: they change without notifications and are never a
 * change on their own.
 */
const volatile = new Set(['stats', 'stats2', 'xstats', 'directPkts', 'pcnt', 'success', 'tm', 'refcnt', 'bindcnt']);

const statics = {
  families: [0],
  defaultFamilies: [0],
  groups,
  volatile,
} as const;

/** The static part of a tc kind's declaration. */
function tcStatics<N extends KindNames>(part: Omit<KindStatics<N>, keyof typeof statics>): KindStatics<N> {
  return { ...statics, ...part } as KindStatics<N>;
}

/** qdiscKind declares qdiscs to the registry: one RTM_GETQDISC dump lists every device's. */
export const qdiscKind: ObjectKind<{ kind: 'qdisc'; plural: 'qdiscs'; groups: 'tc' }, tc.TcMessage, tc.TcMessageInput, Qdisc> = deferredKind(
  tcStatics({
    kind: 'qdisc',
    plural: 'qdiscs',
    doc: 'queueing disciplines (rt.qdiscs.list)',
    types: { new: TcTypes.newqdisc, del: TcTypes.delqdisc, get: TcTypes.getqdisc },
    names: { new: 'RTM_NEWQDISC', del: 'RTM_DELQDISC', get: 'RTM_GETQDISC' },
    // Deleting a qdisc takes the qdiscs under it along with one RTM_DELQDISC (and brings the device's
    // default qdisc back with none); deleting a class takes its leaf qdisc along, and so does a class's
    // first child (the class is no leaf any more).
    resyncOn: [TcTypes.delqdisc, TcTypes.newtclass, TcTypes.deltclass],
  }),
  async () => (await loadTc()).qdiscParts,
);

/** classKind declares tc classes: dumped one device at a time. */
export const classKind: ObjectKind<{ kind: 'class'; plural: 'classes'; groups: 'tc' }, tc.TcMessage, tc.TcMessageInput, TcClass> = deferredKind(
  tcStatics({
    kind: 'class',
    plural: 'classes',
    doc: 'traffic control classes (rt.classes.list)',
    types: { new: TcTypes.newtclass, del: TcTypes.deltclass, get: TcTypes.gettclass },
    names: { new: 'RTM_NEWTCLASS', del: 'RTM_DELTCLASS', get: 'RTM_GETTCLASS' },
    // A qdisc put in a class or removed changes its `leaf`; a deleted qdisc takes its classes along; a
    // class gaining its first child or losing its last changes (leaf qdisc, level) unannounced.
    resyncOn: [TcTypes.newqdisc, TcTypes.delqdisc, TcTypes.newtclass, TcTypes.deltclass],
  }),
  async () => (await loadTc()).classParts,
);

/** filterKind declares tc filters: dumped one block (a qdisc's or class's filters) at a time. */
export const filterKind: ObjectKind<{ kind: 'filter'; plural: 'filters'; groups: 'tc' }, tc.TcMessage, tc.TcMessageInput, Filter> = deferredKind(
  tcStatics({
    kind: 'filter',
    plural: 'filters',
    doc: 'traffic control filters (rt.filters.list)',
    types: { new: TcTypes.newtfilter, del: TcTypes.deltfilter, get: TcTypes.gettfilter },
    names: { new: 'RTM_NEWTFILTER', del: 'RTM_DELTFILTER', get: 'RTM_GETTFILTER' },
    // A u32 filter's first node brings its priority and hash-table entries with one RTM_NEWTFILTER;
    // deleting a priority takes every node; a deleted qdisc or class takes its block's filters along.
    resyncOn: [TcTypes.newtfilter, TcTypes.deltfilter, TcTypes.delqdisc, TcTypes.deltclass],
  }),
  async () => (await loadTc()).filterParts,
);
