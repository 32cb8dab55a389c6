/** rtnetlink: links, addresses, routes, neighbours and rules of a network namespace. */
export { Rtnl, type RtnlOptions, type KindServices } from './rtnl.js';
export { rtnlRequestAttributePath } from './attribute-path.js';
export * from './errors.js';
export { KindService } from './kind-service.js';
export type { LinkRef, RtnlContext } from '../registry/context.js';
export { parsePrefix, ipFamily, type Prefix } from '../registry/prefix.js';
export {
  Family,
  familyName,
  familyNumber,
  type FamilyName,
  ScopeNumber,
  scopeName,
  scopeNumber,
  type Scope,
  type ScopeInput,
  RouteTable,
  type RouteTableName,
  RouteProtocol,
  type RouteProtocolName,
  RouteFlag,
  RuleActions,
  type RuleAction,
  type NeighborFamily,
  type OperState,
} from '../registry/vocabulary.js';
export { linkFromMessage, getLink, setLinkUp, type Link, type LinkBase, type LinkDetails, type LinkFilter, type LinkKind, type LinkKindDetails, type LinkPortDetails, type PortKind } from '../registry/kinds/link.js';
export { addressFromMessage, type Address, type AddressFilter } from '../registry/kinds/address.js';
export { routeFromMessage, decodeMultipath, type Route, type RouteFilter, type RouteMetrics, type LockableMetric, type Nexthop } from '../registry/kinds/route.js';
export { neighborFromMessage, type Neighbor, type NeighborFilter, type NeighborState } from '../registry/kinds/neighbor.js';
export { ruleFromMessage, type Rule, type RuleFilter, type RuleFamily, type MulticastRuleFamily } from '../registry/kinds/rule.js';
export {
  nexthopFromMessage,
  type NexthopEntry,
  type NexthopEntrySpec,
  type NexthopEntryFilter,
  type NexthopKey,
  type NexthopGroupMember,
  type NexthopGroupType,
  type NexthopResilient,
  type NexthopResilientSpec,
} from '../registry/kinds/nexthop.js';
export * from './link.js';
export * from './move.js';
export * from './address.js';
export type { AddressFlushFilter } from './address-flush.js';
export * from './route.js';
export * from './neighbor.js';
export * from './rule.js';
export type { NetnsIdEntry } from './nsid.js';
export { BridgeVlans, type BridgeVlan, type BridgeVlanFilter, type BridgeVlanRef, type BridgeVlanSpec } from './bridge-vlan.js';
export { toJSONValue } from '../codec/json.js';
export { Qdiscs, Classes, Filters, type QdiscFilter, type ClassFilter, type FilterFilter } from './tc.js';
export type * from '../registry/tc/types.js';
export * from '../events/index.js';
