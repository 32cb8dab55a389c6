/**
 * nlkit: a pure-TypeScript Linux netlink toolkit for Node.js.
 *
 * - `src/netlink`: the protocol core (sockets, framing, requests, dumps, batches, multicast).
 * - `src/netns`: network namespace handles; create, open, delete, run code inside.
 * - `src/generated`: codecs generated from the kernel's YAML specs, each a subpath
 *   (`nlkit/rt-link`, `nlkit/tc`, `nlkit/ethtool`, …): importing nlkit loads none of them. The
 *   root exports their types only (`rtLink.LinkMessage`).
 * - `src/family`: the family runtime: any family (rt-link, tc, rt-nexthop, ethtool, …) by its descriptor.
 * - `src/genl`: generic netlink families resolved through nlctrl and driven by name.
 * - `src/rtnl`: rtnetlink by intent: links, addresses, routes, neighbours, rules, links.move.
 *   The root exports `Rtnl`, its errors and constants, and the types of the rest; `Rtnl.open`
 *   loads the services and codecs. The whole rtnetlink API as values (the services' classes,
 *   `linkFromMessage`, `subscribe`, …) is the subpath `nlkit/rtnl`.
 * - `src/conntrack`: the connection-tracking table over ctnetlink.
 * - `src/xfrm`: IPsec states and policies over NETLINK_XFRM.
 *
 * Node's builtins come through `process.getBuiltinModule` (Node 20.16+), not `import`. An
 * ES import of a builtin costs a fresh process ~1.5 ms each (a module job and a facade that
 * reads every export: fs's getters load the streams stack, util's load modules nlkit never
 * uses), and `createRequire` loads Node's `module` package; getBuiltinModule is ~0.2 ms.
 */
export * from './netlink/index.js';
export * from './netns/index.js';
export type * from './generated/index.js';
export * from './family/index.js';
export * from './genl/index.js';
// rtnetlink: the handle, its errors and vocabulary as values; everything else of nlkit/rtnl as types.
export type * from './rtnl/index.js';
export { Rtnl } from './rtnl/rtnl.js';
export * from './rtnl/errors.js';
export { parsePrefix, ipFamily } from './registry/prefix.js';
export { Family, familyName, familyNumber, ScopeNumber, scopeName, scopeNumber, RouteTable, RouteProtocol, RouteFlag, RuleActions } from './registry/vocabulary.js';
export { toJSONValue } from './codec/json.js';
export * from './conntrack/index.js';
export * from './xfrm/index.js';
