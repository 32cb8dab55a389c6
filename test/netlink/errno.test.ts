/**
 * errno names and descriptions, read from the text table on first use.
 */
import { describe, expect, it } from 'vitest';
import { errnoDescription, errnoName, errnoNumber } from '../../src/sys/errno.js';

describe('errno table', () => {
  it('names and describes errnos, first and last of the table and between', () => {
    expect([errnoName(1), errnoDescription(1)]).toEqual(['EPERM', 'Operation not permitted']);
    expect([errnoName(17), errnoDescription(17)]).toEqual(['EEXIST', 'File exists']);
    expect([errnoName(19), errnoDescription(19)]).toEqual(['ENODEV', 'No such device']);
    expect([errnoName(95), errnoDescription(95)]).toEqual(['EOPNOTSUPP', 'Operation not supported on transport endpoint']);
    expect([errnoName(133), errnoDescription(133)]).toEqual(['EHWPOISON', 'Memory page has hardware error']);
  });

  it('says what it does not know', () => {
    expect(errnoName(41)).toBe('E41'); // no errno 41 on Linux (EWOULDBLOCK is 11)
    expect(errnoDescription(9999)).toBe('Unknown error 9999');
    expect(errnoNumber('ENOTANERRNO')).toBeUndefined();
  });

  it('maps every name back to its number, and EWOULDBLOCK to EAGAIN', () => {
    for (let n = 1; n <= 133; n++) {
      const name = errnoName(n);
      if (name !== `E${n}`) expect(errnoNumber(name)).toBe(n);
    }
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoNumber('EAGAIN')).toBe(11);
  });
});
