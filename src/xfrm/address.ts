/**
 * Addresses and prefixes the way xfrm carries them: `xfrm_address_t` is 16
 * bytes whatever the family (an IPv4 address fills the first 4), so the
 * family, kept beside it in every struct, decides how to read it.
 */
import { ArgumentError } from '../netlink/errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../netlink/format.js';
import { Family } from '../registry/vocabulary.js';

const AF_INET = Family.inet;
const AF_INET6 = Family.inet6;

/** An address checked and made into xfrm_address_t bytes. */
export interface XfrmAddress {
  family: number;
  /** 16 bytes. */
  bytes: Uint8Array;
}

/** parseAddress checks an IPv4 or IPv6 address; ArgumentError naming `argument` otherwise. */
export function parseAddress(argument: string, v: unknown): XfrmAddress {
  if (typeof v === 'string') {
    const v4 = parseIPv4(v);
    if (v4) {
      const bytes = new Uint8Array(16);
      bytes.set(v4);
      return { family: AF_INET, bytes };
    }
    const v6 = parseIPv6(v);
    if (v6) return { family: AF_INET6, bytes: v6 };
  }
  throw new ArgumentError(argument, { expected: 'an IPv4 or IPv6 address', received: v });
}

/** parsePrefix checks `address/length` (a bare address is a host prefix). */
export function parsePrefix(argument: string, v: unknown): XfrmAddress & { length: number } {
  if (typeof v !== 'string') throw new ArgumentError(argument, { expected: "a prefix like '10.1.0.0/24'", received: v });
  const slash = v.indexOf('/');
  const a = parseAddress(argument, slash < 0 ? v : v.slice(0, slash));
  const max = a.family === AF_INET ? 32 : 128;
  if (slash < 0) return { ...a, length: max };
  const tail = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(tail) || Number(tail) > max) throw new ArgumentError(argument, { expected: `a prefix length from 0 to ${max}`, received: v });
  return { ...a, length: Number(tail) };
}

/** formatAddress reads 16 xfrm_address_t bytes as the family says; '' for a family that is neither. */
export function formatAddress(bytes: Uint8Array, family: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (family === AF_INET) return formatIPv4(view, 0);
  if (family === AF_INET6) return formatIPv6(view, 0);
  return '';
}

/** sameFamily throws ArgumentError unless `b` has `a`'s family. */
export function sameFamily(argument: string, a: XfrmAddress, b: XfrmAddress): void {
  if (a.family !== b.family) throw new ArgumentError(argument, { reason: `is ${b.family === AF_INET ? 'IPv4' : 'IPv6'} but the other address is not` });
}
