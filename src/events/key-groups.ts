/**
 * KeyGroups: the keys of a view's objects by identity group (routes that
 * may replace one another: same table, destination, TOS and priority).
 * Almost every group holds one route, so a group of one is its key alone,
 * not a Set: a Set per route was about a tenth of a 100,000-route view.
 */
export class KeyGroups {
  private groups = new Map<string, string | Set<string>>();

  /** add puts `key` in `group` and returns how many keys the group holds now. */
  add(group: string, key: string): number {
    const members = this.groups.get(group);
    if (members === undefined) {
      this.groups.set(group, key);
      return 1;
    }
    if (typeof members === 'string') {
      if (members === key) return 1;
      this.groups.set(group, new Set([members, key]));
      return 2;
    }
    members.add(key);
    return members.size;
  }

  /** delete takes `key` out of `group` and returns how many keys the group still holds. */
  delete(group: string, key: string): number {
    const members = this.groups.get(group);
    if (members === undefined) return 0;
    if (typeof members === 'string') {
      if (members !== key) return 1;
      this.groups.delete(group);
      return 0;
    }
    members.delete(key);
    if (members.size === 0) this.groups.delete(group);
    return members.size;
  }

  /** has tells whether `group` holds any key. */
  has(group: string): boolean {
    return this.groups.has(group);
  }

  /** keys returns the keys of `group` (a copy: the caller may delete while it walks them). */
  keys(group: string): string[] {
    const members = this.groups.get(group);
    return members === undefined ? [] : typeof members === 'string' ? [members] : [...members];
  }
}
