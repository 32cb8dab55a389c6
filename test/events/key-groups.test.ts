// KeyGroups: a watch view's route identity groups, keyed by a hash of the group; a key names its
// group (it starts with the group key and a space).
import { describe, expect, it } from 'vitest';
import { KeyGroups } from '../../src/events/key-groups.js';

describe('KeyGroups', () => {
  it('counts members as they come and go, one or many', () => {
    const g = new KeyGroups();
    expect(g.has('a')).toBe(false);
    expect(g.add('a', 'a k1')).toBe(1);
    expect(g.add('a', 'a k1')).toBe(1);
    expect(g.keys('a')).toEqual(['a k1']);
    expect(g.add('a', 'a k2')).toBe(2);
    expect(g.add('a', 'a k3')).toBe(3);
    expect(g.keys('a').sort()).toEqual(['a k1', 'a k2', 'a k3']);
    expect(g.delete('a', 'a nope')).toBe(3);
    expect(g.delete('a', 'a k2')).toBe(2);
    expect(g.delete('a', 'a k1')).toBe(1);
    expect(g.delete('a', 'a k3')).toBe(0);
    expect(g.has('a')).toBe(false);
    expect(g.keys('a')).toEqual([]);
  });

  it('groups that only share a prefix stay apart', () => {
    const g = new KeyGroups();
    g.add('2 254 10.0.0.0/8', '2 254 10.0.0.0/8 x');
    g.add('2 254 10.0.0.0/80', '2 254 10.0.0.0/80 y');
    expect(g.keys('2 254 10.0.0.0/8')).toEqual(['2 254 10.0.0.0/8 x']);
    expect(g.keys('2 254 10.0.0.0/80')).toEqual(['2 254 10.0.0.0/80 y']);
  });

  it('keeps thousands of groups apart, whatever their hashes', () => {
    const g = new KeyGroups();
    for (let i = 0; i < 20000; i++) expect(g.add(`g${i}`, `g${i} k`)).toBe(1);
    for (let i = 0; i < 20000; i++) expect(g.keys(`g${i}`)).toEqual([`g${i} k`]);
    for (let i = 0; i < 20000; i += 2) expect(g.delete(`g${i}`, `g${i} k`)).toBe(0);
    for (let i = 0; i < 20000; i++) expect(g.has(`g${i}`)).toBe(i % 2 === 1);
  });

  it('keys is a copy: deleting while walking it is safe', () => {
    const g = new KeyGroups();
    for (const k of ['c x', 'c y', 'c z']) g.add('c', k);
    for (const k of g.keys('c')) g.delete('c', k);
    expect(g.has('c')).toBe(false);
  });
});
