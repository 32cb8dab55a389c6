/**
 * The object commands of `nlkit` (`links`, `addresses`, `routes`, …): one
 * per kind in the registry, each listing through the Rtnl service of the
 * kind's plural, so what it prints is the library's plain objects.
 */
import type { DumpOptions } from '../netlink/connection.js';
import { KINDS } from '../registry/index.js';
import type { Rtnl } from '../rtnl/rtnl.js';

/** ObjectCommand: one object command: its name, what it lists, and how. */
export interface ObjectCommand {
  readonly name: string;
  readonly doc: string;
  readonly list: (rt: Rtnl, filter: Record<string, unknown>, options?: DumpOptions) => Promise<readonly unknown[]>;
}

/** The part of a service an object command uses. */
interface Lister {
  list(filter: Record<string, unknown>, options?: DumpOptions): Promise<readonly unknown[]>;
}

/** OBJECT_COMMANDS: the object commands, in the registry's order (the order help lists them). */
export const OBJECT_COMMANDS: readonly ObjectCommand[] = KINDS.map((kind) => ({
  name: kind.plural,
  doc: kind.doc,
  list: (rt, filter, options) => (rt[kind.plural] as unknown as Lister).list(filter, options),
}));
