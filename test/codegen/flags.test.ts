/**
 * decodeFlags hands every object with the same flag value one shared list:
 * frozen (so no object's change reaches another), equal to a fresh decode,
 * and still right past the number of values it keeps per table.
 */
import { describe, expect, it } from 'vitest';
import { decodeFlags } from '../../src/codec/support.js';

const BITS = [
  [1, 'up'],
  [2, 'broadcast'],
  [8, 'loopback'],
  [0x10000, 'lower-up'],
] as const;
const OTHER_BITS = [[1, 'permanent']] as const;

/** What decodeFlags must return, written out without it. */
function expected(value: number, bits: ReadonlyArray<readonly [number, string]>): Array<string | number> {
  const out: Array<string | number> = [];
  let rest = value >>> 0;
  for (const [mask, name] of bits) {
    if (rest & mask) {
      out.push(name);
      rest = (rest & ~mask) >>> 0;
    }
  }
  if (rest !== 0) out.push(rest);
  return out;
}

describe('decodeFlags', () => {
  it('gives the same frozen list for the same value, and its own for each table', () => {
    const a = decodeFlags(0x10003, BITS);
    const b = decodeFlags(0x10003, BITS);
    expect(a).toEqual(['up', 'broadcast', 'lower-up']);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a as string[]).push('x')).toThrow(TypeError);
    expect(decodeFlags(0x10003, BITS)).toEqual(['up', 'broadcast', 'lower-up']);
    expect(decodeFlags(1, OTHER_BITS)).toEqual(['permanent']);
    expect(decodeFlags(1, BITS)).toEqual(['up']);
  });

  it('decodes every value right, including unknown bits and past the values it keeps', () => {
    for (let round = 0; round < 2; round++) {
      for (let v = 0; v < 2000; v++) {
        const value = (v * 0x9e3779b1) >>> 0;
        expect(decodeFlags(value, BITS)).toEqual(expected(value, BITS));
      }
    }
  });
});
