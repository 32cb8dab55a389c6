/**
 * The registry of object kinds: every rtnetlink object kind nlkit knows,
 * one line each. Adding a kind is one file under `kinds/` and one line
 * here; the tables below — which message type is which kind, the groups
 * `subscribe` takes by name, the targets `watch` takes — follow from it.
 */
import type { KindGroup, ObjectKind, ObjectOf, ServiceKind } from './kind.js';
import { linkKind } from './kinds/link.js';
import { addressKind } from './kinds/address.js';
import { routeKind } from './kinds/route-kind.js';
import { neighborKind } from './kinds/neighbor-kind.js';
import { ruleKind } from './kinds/rule-kind.js';
import { nexthopKind } from './kinds/nexthop-kind.js';
import { classKind, filterKind, qdiscKind } from './kinds/tc.js';

/** KINDS: every object kind, in the order help and tables list them. */
export const KINDS = [
  linkKind,
  addressKind,
  routeKind,
  neighborKind,
  ruleKind,
  nexthopKind,
  qdiscKind,
  classKind,
  filterKind,
] as const;

/** A kind of the registry. */
export type RegisteredKind = (typeof KINDS)[number];

/** The kinds the generic service (`KindService`) serves: those declared with request builders. */
export type ServedKind = Extract<RegisteredKind, ServiceKind>;

/** SERVED_KINDS: the kinds the Rtnl facade makes a generic service for, under their plural. */
export const SERVED_KINDS: readonly ServedKind[] = KINDS.filter((k): k is ServedKind => 'requests' in k);

/** The objects events carry, by kind name ('link' → Link, …). */
export type RtnlObjects = { [K in RegisteredKind as K['kind']]: ObjectOf<K> };

/** An object kind name: 'link', 'address', … */
export type RtnlKind = keyof RtnlObjects;

/** The names of a kind. */
type NamesOf<T> = T extends ObjectKind<infer N> ? N : never;

/** A group name `subscribe` takes: 'link', 'ipv4-addr', … */
export type RtnlGroupName = NamesOf<RegisteredKind>['groups'];

/** A plural: what `watch` takes and the `nlkit` command lists ('links', 'addresses', …). */
export type KindPlural = RegisteredKind['plural'];

/** KIND_BY_NAME: each kind by its singular name. */
export const KIND_BY_NAME: { readonly [K in RegisteredKind as K['kind']]: K } = Object.fromEntries(KINDS.map((k) => [k.kind, k])) as never;

/** KIND_BY_TYPE: the kind each RTM_NEW… / RTM_DEL… message type carries. */
export const KIND_BY_TYPE: ReadonlyMap<number, ObjectKind> = new Map(
  KINDS.flatMap((k: ObjectKind) => [
    [k.types.new, k],
    [k.types.del, k],
  ]),
);

/** Every multicast group of every kind, with its kind. */
export const KIND_GROUPS: ReadonlyArray<{ kind: ObjectKind; group: KindGroup }> = KINDS.flatMap((k: ObjectKind) => k.groups.map((group) => ({ kind: k, group })));

/**
 * RtnlGroup: rtnetlink multicast groups by the name `subscribe` takes, with
 * their RTNLGRP_* numbers, from every kind's groups.
 */
export const RtnlGroup: { readonly [N in RtnlGroupName]: number } = Object.fromEntries(KIND_GROUPS.map(({ group }) => [group.name, group.group])) as never;

/** WatchTargets: what `watch` can watch (each kind's plural) and the kind each holds. */
export const WatchTargets: { readonly [K in RegisteredKind as K['plural']]: K['kind'] } = Object.fromEntries(KINDS.map((k) => [k.plural, k.kind])) as never;

export { type KindGroup, type KindNames, type KindRequests, type ResolveLink, type ServiceKind, type ObjectKind, type ObjectOf, type FilterField, type LinkFilter, type ValueFilter, objectDecoder, convertWhole, kindRequest, listObjects, getObject, sendKind, loadKind, dumpRequests } from './kind.js';
