// Contents: what a watch view holds. Route views hold their objects by a hash of the identity
// group and keep no key strings; a key names its group (it starts with the group key and a space),
// and an object's key is worked out from the object (here: its `k`).
import { describe, expect, it } from 'vitest';
import { GroupedContents, KeyedContents, groupHash, type Contents } from '../../src/events/contents.js';

interface Obj {
  k: string;
  v?: number;
}
const obj = (k: string, v = 0): Obj => ({ k, v });
const grouped = () => new GroupedContents<Obj>((o) => o.k);
const groupOf = (k: string) => k.slice(0, k.lastIndexOf(' '));

/** put as a view does: find first, then put in place of what was found. */
function put(c: Contents<Obj>, o: Obj): void {
  c.put(o.k, groupOf(o.k), o, c.find(o.k, groupOf(o.k)));
}
function remove(c: Contents<Obj>, k: string): void {
  const old = c.find(k, groupOf(k));
  if (old) c.remove(k, groupOf(k), old);
}
const keys = (c: Contents<Obj>) => [...c.values()].map((o) => o.k).sort();

/** Two group keys whose hashes collide, found by search (30-bit hashes: a few tens of thousands of names). */
function collidingGroups(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const g = `2 254 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32 /0 0 0 1`;
    const h = groupHash(g);
    const other = seen.get(h);
    if (other !== undefined) return [other, g];
    seen.set(h, g);
  }
}

describe('GroupedContents', () => {
  it('finds, replaces and removes objects, one or many to a group, and names the others of a group', () => {
    const c = grouped();
    expect(c.find('a x', 'a')).toBeUndefined();
    expect(c.others).toEqual([]);
    put(c, obj('a x'));
    expect(c.size).toBe(1);
    expect(c.find('a x', 'a')).toEqual(obj('a x'));
    expect(c.others).toEqual([]);
    put(c, obj('a x', 1));
    expect(c.size).toBe(1);
    expect(c.find('a x', 'a')).toEqual(obj('a x', 1));
    expect(c.find('a y', 'a')).toBeUndefined();
    expect(c.others).toEqual([obj('a x', 1)]);
    put(c, obj('a y'));
    put(c, obj('a z'));
    expect(c.size).toBe(3);
    expect(c.find('a y', 'a')).toEqual(obj('a y'));
    expect(c.others.map((o) => o.k).sort()).toEqual(['a x', 'a z']);
    put(c, obj('a y', 2));
    expect(c.find('a y', 'a')).toEqual(obj('a y', 2));
    remove(c, 'a x');
    remove(c, 'a nope');
    expect(keys(c)).toEqual(['a y', 'a z']);
    remove(c, 'a y');
    expect(c.find('a z', 'a')).toEqual(obj('a z'));
    expect(c.others).toEqual([]);
    remove(c, 'a z');
    expect(c.size).toBe(0);
    expect(keys(c)).toEqual([]);
  });

  it('groups that only share a prefix stay apart', () => {
    const c = grouped();
    put(c, obj('2 254 10.0.0.0/8 x'));
    put(c, obj('2 254 10.0.0.0/80 y'));
    expect(c.find('2 254 10.0.0.0/8 y', '2 254 10.0.0.0/8')).toBeUndefined();
    expect(c.others).toEqual([obj('2 254 10.0.0.0/8 x')]);
  });

  it('groups whose hashes collide stay apart', () => {
    const [g1, g2] = collidingGroups();
    expect(g1).not.toBe(g2);
    const c = grouped();
    put(c, obj(`${g1} a`));
    expect(c.find(`${g2} a`, g2)).toBeUndefined();
    expect(c.others).toEqual([]);
    put(c, obj(`${g2} a`));
    put(c, obj(`${g2} b`));
    expect(c.size).toBe(3);
    expect(c.find(`${g1} a`, g1)).toEqual(obj(`${g1} a`));
    expect(c.others).toEqual([]);
    expect(c.find(`${g2} b`, g2)).toEqual(obj(`${g2} b`));
    expect(c.others).toEqual([obj(`${g2} a`)]);
    remove(c, `${g1} a`);
    expect(c.find(`${g1} a`, g1)).toBeUndefined();
    expect(keys(c)).toEqual([`${g2} a`, `${g2} b`]);
    // Differences across colliding groups go by key.
    const after = grouped();
    put(after, obj(`${g1} a`));
    put(after, obj(`${g2} b`, 5));
    const seen: string[] = [];
    c.differences(after, (a, b) => a.v === b.v, (o) => seen.push(`del ${o.k}`), (o) => seen.push(`new ${o.k}`));
    expect(seen[0]).toBe(`del ${g2} a`);
    expect(seen.slice(1).sort()).toEqual([`new ${g1} a`, `new ${g2} b`].sort());
  });

  it('keeps thousands of groups apart, whatever their hashes', () => {
    const c = grouped();
    for (let i = 0; i < 20000; i++) put(c, obj(`g${i} k`));
    expect(c.size).toBe(20000);
    for (let i = 0; i < 20000; i++) {
      expect(c.find(`g${i} k`, `g${i}`)).toEqual(obj(`g${i} k`));
      expect(c.others).toEqual([]);
    }
    for (let i = 0; i < 20000; i += 2) remove(c, `g${i} k`);
    for (let i = 0; i < 20000; i++) expect(c.find(`g${i} k`, `g${i}`) !== undefined).toBe(i % 2 === 1);
    expect(c.size).toBe(10000);
  });

  it('a copy is independent of the original', () => {
    const c = grouped();
    put(c, obj('a x'));
    put(c, obj('a y'));
    put(c, obj('b x'));
    const copy = c.copy();
    remove(c, 'a x');
    put(c, obj('b x', 1));
    put(c, obj('c x'));
    expect(keys(copy)).toEqual(['a x', 'a y', 'b x']);
    expect(copy.find('b x', 'b')).toEqual(obj('b x'));
    expect(keys(c)).toEqual(['a y', 'b x', 'c x']);
  });
});

describe('differences', () => {
  for (const [name, make] of [
    ['grouped', grouped],
    ['keyed', () => new KeyedContents<Obj>()],
  ] as const) {
    it(`${name}: removals first, then what is new or changed; nothing for what is equal`, () => {
      const before = make();
      const after = make();
      for (const o of [obj('a x'), obj('a y'), obj('b x'), obj('c x'), obj('d x'), obj('e x', 1)]) put(before, o);
      // a y goes; b x changes; c x stays equal (another object); d x gives way to d z in its group; e x's v is "volatile".
      for (const o of [obj('a x'), obj('b x', 7), obj('c x'), obj('d z'), obj('e x', 2), obj('f x')]) put(after, o);
      const removed: string[] = [];
      const added: string[] = [];
      const order: string[] = [];
      before.differences(
        after,
        (a, b) => a.k === b.k && (a.v === b.v || a.k === 'e x'),
        (o) => (removed.push(o.k), order.push('del')),
        (o) => (added.push(o.k), order.push('new')),
      );
      expect(removed.sort()).toEqual(['a y', 'd x']);
      expect(added.sort()).toEqual(['b x', 'd z', 'f x']);
      expect(order).toEqual(['del', 'del', 'new', 'new', 'new']);
    });
  }
});
