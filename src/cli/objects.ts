/**
 * The object commands of `nlkit` (`links`, `addresses`, `routes`,
 * `neighbors`, `rules`): each lists through the Rtnl service of that name,
 * so what it prints is the library's plain objects.
 */
import type { DumpOptions } from '../netlink/connection.js';
import type { Rtnl } from '../rtnl/rtnl.js';

/** ObjectCommand: one object command: its name, what it lists, and how. */
export interface ObjectCommand {
  readonly name: string;
  readonly doc: string;
  readonly list: (rt: Rtnl, filter: Record<string, unknown>, options?: DumpOptions) => Promise<readonly unknown[]>;
}

/** OBJECT_COMMANDS: the object commands, in the order help lists them. */
export const OBJECT_COMMANDS: readonly ObjectCommand[] = [
  { name: 'links', doc: 'network interfaces (rt.links.list)', list: (rt, f, o) => rt.links.list(f, o) },
  { name: 'addresses', doc: 'IP addresses (rt.addresses.list)', list: (rt, f, o) => rt.addresses.list(f, o) },
  { name: 'routes', doc: 'routes (rt.routes.list)', list: (rt, f, o) => rt.routes.list(f, o) },
  { name: 'neighbors', doc: 'neighbour (ARP/NDP) entries (rt.neighbors.list)', list: (rt, f, o) => rt.neighbors.list(f, o) },
  { name: 'rules', doc: 'policy routing rules (rt.rules.list)', list: (rt, f, o) => rt.rules.list(f, o) },
];
