/**
 * nlkit: a pure-TypeScript Linux netlink toolkit for Node.js.
 *
 * - `src/netlink`: the protocol core (sockets, framing, requests, dumps, batches, multicast).
 * - `src/netns`: network namespace handles; create, open, delete, run code inside.
 * - `src/generated`: codecs generated from the kernel's YAML specs. The root re-exports only the
 *   rtnetlink ones `Rtnl` uses (`rtLink`, `rtAddr`, `rtRoute`, `rtNeigh`, `rtRule`); every other
 *   family (`tc`, `ethtool`, `netdev`, `devlink`, …) is a subpath, `nlkit/<family>`, so that
 *   importing nlkit loads none of them.
 * - `src/family`: the family runtime: any family (rt-link, tc, rt-nexthop, ethtool, …) by its descriptor.
 * - `src/genl`: generic netlink families resolved through nlctrl and driven by name.
 * - `src/rtnl`: rtnetlink by intent: links, addresses, routes, neighbours, rules, links.move.
 * - `src/conntrack`: the connection-tracking table over ctnetlink.
 * - `src/xfrm`: IPsec states and policies over NETLINK_XFRM.
 */
export * from './netlink/index.js';
export * from './netns/index.js';
export * from './generated/index.js';
export * from './family/index.js';
export * from './genl/index.js';
export * from './rtnl/index.js';
export * from './events/index.js';
export * from './conntrack/index.js';
export * from './xfrm/index.js';
