/**
 * nlkit: a pure-TypeScript Linux netlink toolkit for Node.js.
 *
 * - `src/netlink`: the protocol core (sockets, framing, requests, dumps, batches, multicast).
 * - `src/netns`: network namespace handles; create, open, delete, run code inside.
 */
export * from './netlink/index.js';
export * from './netns/index.js';
