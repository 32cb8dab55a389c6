/**
 * What events are about, as the registry of object kinds declares it
 * (src/registry): the groups `subscribe` takes by name, the objects events
 * carry, and the comparison a view's resync uses.
 */
import { ArgumentError } from '../netlink/errors.js';
import { KeptObject, peek } from '../codec/lazy.js';
import { KIND_GROUPS, RtnlGroup, type ObjectKind, type RtnlGroupName, type RtnlKind, type RtnlObjects } from '../registry/index.js';

export { RtnlGroup, type RtnlGroupName, type RtnlKind, type RtnlObjects } from '../registry/index.js';

/** A change to one object: it appeared or changed (`new`), or went away (`del`). */
export type RtnlChange = { [K in RtnlKind]: { type: 'new' | 'del'; kind: K; object: RtnlObjects[K] } }[RtnlKind];

/** The kinds a group carries (tc's one group carries three) with the families of each, and its number. @internal */
export function groupInfo(name: RtnlGroupName): { kinds: Array<{ kind: ObjectKind; families: readonly number[] }>; group: number } {
  const found = typeof name === 'string' && Object.hasOwn(RtnlGroup, name) ? KIND_GROUPS.filter((g) => g.group.name === name) : [];
  if (found.length === 0) throw new ArgumentError('groups', { expected: `rtnetlink group names (${Object.keys(RtnlGroup).join(', ')})`, received: name });
  return {
    kinds: found.map(({ kind, group }) => ({ kind, families: group.family === 0 ? kind.families : [group.family] })),
    group: found[0]!.group.group,
  };
}

/**
 * sameObject compares two objects of one kind field by field, skipping the
 * kind's volatile fields (counters, remaining lifetimes) at any depth. Lazy
 * objects (links, routes) keeping identical message bytes are equal at once;
 * otherwise their lazy parts are decoded for the comparison only (`peek`):
 * a resync compares every object of a view, and keeping each decode would
 * grow them all to their eager size.
 * @internal
 */
export function sameObject(a: unknown, b: unknown, skip: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a instanceof KeptObject && b instanceof KeptObject && KeptObject.sameMessage(a, b)) return true;
  return peek(() => sameValue(a, b, skip));
}

function sameValue(a: unknown, b: unknown, skip: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], bb[i], skip)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(ao)) if (!skip.has(k) && !sameValue(ao[k], bo[k], skip)) return false;
  for (const k of Object.keys(bo)) if (!skip.has(k) && !(k in ao) && bo[k] !== undefined) return false;
  return true;
}
