// KeyGroups: a watch view's route identity groups, a key alone for a group of one.
import { describe, expect, it } from 'vitest';
import { KeyGroups } from '../../src/events/key-groups.js';

describe('KeyGroups', () => {
  it('counts members as they come and go, one or many', () => {
    const g = new KeyGroups();
    expect(g.has('a')).toBe(false);
    expect(g.add('a', 'k1')).toBe(1);
    expect(g.add('a', 'k1')).toBe(1);
    expect(g.keys('a')).toEqual(['k1']);
    expect(g.add('a', 'k2')).toBe(2);
    expect(g.add('a', 'k3')).toBe(3);
    expect(g.keys('a').sort()).toEqual(['k1', 'k2', 'k3']);
    expect(g.delete('a', 'nope')).toBe(3);
    expect(g.delete('a', 'k2')).toBe(2);
    expect(g.delete('a', 'k1')).toBe(1);
    expect(g.delete('a', 'k3')).toBe(0);
    expect(g.has('a')).toBe(false);
    expect(g.keys('a')).toEqual([]);
  });

  it('a group of one: deleting another key leaves it, deleting its key empties it', () => {
    const g = new KeyGroups();
    g.add('b', 'k');
    expect(g.delete('b', 'other')).toBe(1);
    expect(g.has('b')).toBe(true);
    expect(g.delete('b', 'k')).toBe(0);
    expect(g.has('b')).toBe(false);
    expect(g.delete('b', 'k')).toBe(0);
  });

  it('keys is a copy: deleting while walking it is safe', () => {
    const g = new KeyGroups();
    for (const k of ['x', 'y', 'z']) g.add('c', k);
    for (const k of g.keys('c')) g.delete('c', k);
    expect(g.has('c')).toBe(false);
  });
});
