/** rtnetlink: links, addresses, routes, neighbours and rules of a network namespace. */
export { Rtnl, rtnlRequestAttributePath, type RtnlOptions } from './rtnl.js';
export { Family, familyName, familyNumber, type FamilyName, type LinkRef, type RtnlContext } from './context.js';
export { parsePrefix, ipFamily, type Prefix } from './prefix.js';
export * from './link.js';
export * from './move.js';
export * from './address.js';
export { FlushIncompleteError, type AddressFlushFilter } from './address-flush.js';
export * from './route.js';
export * from './neighbor.js';
export * from './rule.js';
export type { NetnsIdEntry } from './nsid.js';
export { BridgeVlans, type BridgeVlan, type BridgeVlanFilter, type BridgeVlanRef, type BridgeVlanSpec } from './bridge-vlan.js';
export { toJSONValue } from '../codec/json.js';
