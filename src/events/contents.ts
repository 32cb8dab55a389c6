/**
 * What a view holds: its objects by the kernel's identity (the kind's key).
 *
 * Most kinds are held in one Map by key string. Routes, the kind with
 * identity groups (routes that may replace one another: same table,
 * destination, TOS, metric and type; ObjectKind.groupKey), are held by a
 * 30-bit hash of their group and keep no string at all: a view of 100,000
 * routes would otherwise keep a 40-character key per route and a second
 * map for the groups. An entry holds its group's one route, or a Bucket
 * when it holds several (several routes of one group, or groups whose
 * hashes collide); the key of a held route is worked out from the route
 * (ObjectKind.objectKey) only to tell the routes of one entry apart.
 *
 * ```
 *  hash(group) ──► Route                    the usual entry: one route
 *  hash(group) ──► Bucket [Route, Route]    `ip route append`, or a collision
 * ```
 */

/** Contents are a view's objects by key; `group` is the key's identity group for kinds that have them (undefined otherwise). */
export interface Contents<O> {
  readonly size: number;
  /**
   * find returns the object held under `key`, and sets `others` to the
   * objects held in `group` under other keys (none for kinds without groups).
   */
  find(key: string, group: string | undefined): O | undefined;
  /** The objects of the group the last `find` looked in, held under other keys; valid until the next call. */
  readonly others: readonly O[];
  /** put holds `object` under `key`, in place of `old` (what `find` returned for that key). */
  put(key: string, group: string | undefined, object: O, old: O | undefined): void;
  /** remove drops `old`, held under `key` (what `find` returned). */
  remove(key: string, group: string | undefined, old: O): void;
  values(): IterableIterator<O>;
  /** copy is an independent copy (the objects are shared). */
  copy(): Contents<O>;
  /**
   * differences calls `removed` for every object whose key `after` does not
   * hold, then `added` for every object of `after` that is new or not `same`
   * as the one held under its key here.
   */
  differences(after: Contents<O>, same: (a: O, b: O) => boolean, removed: (o: O) => void, added: (o: O) => void): void;
}

const NONE: readonly never[] = Object.freeze([]);

/** KeyedContents holds objects in one Map by key string (kinds without identity groups). */
export class KeyedContents<O> implements Contents<O> {
  readonly others = NONE;
  private readonly map: Map<string, O>;

  constructor(from?: Map<string, O>) {
    this.map = new Map(from);
  }

  get size(): number {
    return this.map.size;
  }

  find(key: string): O | undefined {
    return this.map.get(key);
  }

  put(key: string, _group: string | undefined, object: O): void {
    this.map.set(key, object);
  }

  remove(key: string): void {
    this.map.delete(key);
  }

  values(): IterableIterator<O> {
    return this.map.values();
  }

  copy(): KeyedContents<O> {
    return new KeyedContents(this.map);
  }

  differences(after: Contents<O>, same: (a: O, b: O) => boolean, removed: (o: O) => void, added: (o: O) => void): void {
    const next = (after as KeyedContents<O>).map;
    for (const [k, o] of this.map) if (!next.has(k)) removed(o);
    for (const [k, o] of next) {
      const old = this.map.get(k);
      if (old === undefined || !same(old, o)) added(o);
    }
  }
}

/** Several objects under one hash; never changed once made (a copy of the contents shares it). */
class Bucket<O> {
  constructor(readonly objects: readonly O[]) {}
}

/** GroupedContents holds objects by a hash of their identity group; `keyOf` is the kind's objectKey. */
export class GroupedContents<O extends object> implements Contents<O> {
  others: readonly O[] = NONE;
  size = 0;
  private readonly slots: Map<number, O | Bucket<O>>;

  constructor(
    private readonly keyOf: (o: O) => string,
    from?: GroupedContents<O>,
  ) {
    this.slots = new Map(from?.slots);
    this.size = from?.size ?? 0;
  }

  find(key: string, group: string | undefined): O | undefined {
    this.others = NONE;
    const entry = this.slots.get(groupHash(group!));
    if (entry === undefined) return undefined;
    if (!(entry instanceof Bucket)) {
      const k = this.keyOf(entry);
      if (k === key) return entry;
      if (inGroup(k, group!)) this.others = [entry];
      return undefined;
    }
    let found: O | undefined;
    const others: O[] = [];
    for (const o of entry.objects) {
      const k = this.keyOf(o);
      if (k === key) found = o;
      else if (inGroup(k, group!)) others.push(o);
    }
    if (others.length > 0) this.others = others;
    return found;
  }

  put(_key: string, group: string | undefined, object: O, old: O | undefined): void {
    const hash = groupHash(group!);
    const entry = this.slots.get(hash);
    if (old !== undefined) {
      this.slots.set(hash, entry instanceof Bucket ? new Bucket(entry.objects.map((o) => (o === old ? object : o))) : object);
      return;
    }
    this.size++;
    if (entry === undefined) this.slots.set(hash, object);
    else this.slots.set(hash, new Bucket(entry instanceof Bucket ? [...entry.objects, object] : [entry, object]));
  }

  remove(_key: string, group: string | undefined, old: O): void {
    const hash = groupHash(group!);
    const entry = this.slots.get(hash);
    if (entry === undefined) return;
    if (!(entry instanceof Bucket)) {
      if (entry !== old) return;
      this.slots.delete(hash);
    } else {
      const rest = entry.objects.filter((o) => o !== old);
      if (rest.length === entry.objects.length) return;
      this.slots.set(hash, rest.length === 1 ? rest[0]! : new Bucket(rest));
    }
    this.size--;
  }

  *values(): IterableIterator<O> {
    for (const entry of this.slots.values()) {
      if (entry instanceof Bucket) yield* entry.objects;
      else yield entry;
    }
  }

  copy(): GroupedContents<O> {
    return new GroupedContents(this.keyOf, this);
  }

  differences(after: Contents<O>, same: (a: O, b: O) => boolean, removed: (o: O) => void, added: (o: O) => void): void {
    const next = (after as GroupedContents<O>).slots;
    // Added ones wait for every removal, as keyed contents emit them; usually few.
    const adds: O[] = [];
    for (const [hash, entry] of this.slots) {
      const now = next.get(hash);
      if (now === undefined) {
        for (const o of members(entry)) removed(o);
      } else if (!(entry instanceof Bucket) && !(now instanceof Bucket)) {
        // One object before and after, the usual case: equal objects have equal keys, so keys
        // are worked out only for objects that changed.
        if (entry === now || same(entry, now)) continue;
        if (this.keyOf(entry) !== this.keyOf(now)) removed(entry);
        adds.push(now);
      } else {
        const before = new Map<string, O>();
        for (const o of members(entry)) before.set(this.keyOf(o), o);
        const keys = new Set<string>();
        for (const o of members(now)) {
          const k = this.keyOf(o);
          keys.add(k);
          const old = before.get(k);
          if (old === undefined || !same(old, o)) adds.push(o);
        }
        for (const [k, o] of before) if (!keys.has(k)) removed(o);
      }
    }
    for (const o of adds) added(o);
    for (const [hash, entry] of next) if (!this.slots.has(hash)) for (const o of members(entry)) added(o);
  }
}

function members<O>(entry: O | Bucket<O>): readonly O[] {
  return entry instanceof Bucket ? entry.objects : [entry];
}

/** groupHash is a 30-bit FNV-1a hash of a group key (a small integer on every V8 build). */
export function groupHash(group: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < group.length; i++) h = Math.imul(h ^ group.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 30)) & 0x3fffffff;
}

/** inGroup tells whether `key` is of `group`: it starts with the group key and a space. */
function inGroup(key: string, group: string): boolean {
  return key.length > group.length && key.charCodeAt(group.length) === 0x20 && key.startsWith(group);
}
