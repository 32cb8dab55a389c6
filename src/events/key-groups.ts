/**
 * KeyGroups: the keys of a view's objects by identity group (routes that
 * may replace one another: same table, destination, TOS and priority).
 *
 * A view holds one group per route, so this keeps no group strings and no
 * Set per group: entries are keyed by a 32-bit hash of the group, and hold
 * the key of the group's one object (or a list, for several objects of one
 * group, or of groups whose hashes collide). A key tells its group itself:
 * a kind's key starts with its group key and a space (ObjectKind.groupKey).
 */
export class KeyGroups {
  private entries = new Map<number, string | string[]>();

  /** add puts `key` in `group` and returns how many keys the group holds now. */
  add(group: string, key: string): number {
    const hash = groupHash(group);
    const all = this.all(hash);
    if (!all.includes(key)) this.store(hash, [...all, key]);
    return this.keys(group).length;
  }

  /** delete takes `key` out of `group` and returns how many keys the group still holds. */
  delete(group: string, key: string): number {
    const hash = groupHash(group);
    const all = this.all(hash);
    if (all.includes(key)) this.store(hash, all.filter((k) => k !== key));
    return this.keys(group).length;
  }

  /** has tells whether `group` holds any key. */
  has(group: string): boolean {
    return this.keys(group).length > 0;
  }

  /** keys returns the keys of `group` (a copy: the caller may delete while it walks them). */
  keys(group: string): string[] {
    return this.all(groupHash(group)).filter((k) => inGroup(k, group));
  }

  private all(hash: number): string[] {
    const entry = this.entries.get(hash);
    return entry === undefined ? [] : typeof entry === 'string' ? [entry] : entry;
  }

  private store(hash: number, keys: string[]): void {
    if (keys.length === 0) this.entries.delete(hash);
    else this.entries.set(hash, keys.length === 1 ? keys[0]! : keys);
  }
}

/** groupHash is a 32-bit FNV-1a hash of a group key. */
function groupHash(group: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < group.length; i++) h = Math.imul(h ^ group.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** inGroup tells whether `key` is of `group`: it starts with the group key and a space. */
function inGroup(key: string, group: string): boolean {
  return key.length > group.length && key.charCodeAt(group.length) === 0x20 && key.startsWith(group);
}
