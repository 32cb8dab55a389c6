/**
 * Parsing `address/prefix` text, the way `ip` takes it: `10.1.0.2/24`,
 * `2001:db8::1/64`, a bare address meaning a host prefix (/32 or /128), and
 * `default` / `all` for the zero prefix of either family.
 */
import { EncodeError } from '../netlink/errors.js';
import { parseIP } from '../netlink/format.js';
import { Family } from './context.js';

/** A parsed prefix: the address text normalised, its family and length. */
export interface Prefix {
  /** The address as given (IPv6 not re-formatted). */
  address: string;
  /** The address's bytes (4 or 16). */
  bytes: Uint8Array;
  /** AF_INET or AF_INET6. */
  family: number;
  /** Prefix length in bits. */
  length: number;
}

/**
 * parsePrefix parses `a.b.c.d/n` or `x::y/n` (or a bare address: a host
 * prefix). `defaultFamily` decides what `default` means. Throws EncodeError
 * naming the text on anything else.
 */
export function parsePrefix(text: string, defaultFamily: number = Family.inet): Prefix {
  if (text === 'default' || text === 'all' || text === 'any') {
    const v6 = defaultFamily === Family.inet6;
    return { address: v6 ? '::' : '0.0.0.0', bytes: new Uint8Array(v6 ? 16 : 4), family: v6 ? Family.inet6 : Family.inet, length: 0 };
  }
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIP(address);
  const max = bytes.length * 8;
  let length = max;
  if (slash >= 0) {
    const tail = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(tail) || Number(tail) > max) throw new EncodeError(`bad prefix length in ${JSON.stringify(text)} (0-${max})`);
    length = Number(tail);
  }
  return { address, bytes, family: bytes.length === 4 ? Family.inet : Family.inet6, length };
}

/** ipFamily returns AF_INET or AF_INET6 for an address text; throws EncodeError when it is neither. */
export function ipFamily(address: string): number {
  return parseIP(address).length === 4 ? Family.inet : Family.inet6;
}
