/**
 * Parsing `address/prefix` text, the way `ip` takes it: `10.1.0.2/24`,
 * `2001:db8::1/64`, a bare address meaning a host prefix (/32 or /128), and
 * `default` / `all` for the zero prefix of either family.
 */
import { ArgumentError } from '../netlink/errors.js';
import { parseIPv4, parseIPv6 } from '../netlink/format.js';
import { Family } from './vocabulary.js';

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
 * prefix). `defaultFamily` decides what `default` means. Refuses an IPv6
 * zone (`fe80::1%eth0`) and IPv4 parts with leading zeros (`10.01.0.2`).
 * Throws ArgumentError naming `argument` on anything else.
 */
export function parsePrefix(text: string, defaultFamily: number = Family.inet, argument = 'prefix'): Prefix {
  if (typeof text !== 'string') throw new ArgumentError(argument, { expected: 'an IP address or prefix such as "10.1.0.2/24"', received: text });
  if (text === 'default' || text === 'all' || text === 'any') {
    const v6 = defaultFamily === Family.inet6;
    return { address: v6 ? '::' : '0.0.0.0', bytes: new Uint8Array(v6 ? 16 : 4), family: v6 ? Family.inet6 : Family.inet, length: 0 };
  }
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = address.includes(':') ? parseIPv6(address) : parseIPv4(address);
  if (!bytes) throw new ArgumentError(argument, { expected: 'an IP address or prefix such as "10.1.0.2/24" (no zone, no leading zeros)', received: text });
  const max = bytes.length * 8;
  let length = max;
  if (slash >= 0) {
    const tail = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(tail) || Number(tail) > max) throw new ArgumentError(argument, { expected: `a prefix length from 0 to ${max} after the "/"`, received: text });
    length = Number(tail);
  }
  return { address, bytes, family: bytes.length === 4 ? Family.inet : Family.inet6, length };
}

/** parseAddress parses an address without a prefix length (a gateway, a neighbour); throws ArgumentError naming `argument`. */
export function parseAddress(text: string, argument: string): Prefix {
  if (typeof text !== 'string' || text.includes('/') || text === 'default' || text === 'all' || text === 'any') {
    throw new ArgumentError(argument, { expected: ADDRESS_EXPECTED, received: text });
  }
  try {
    return parsePrefix(text, Family.inet, argument);
  } catch (err) {
    // parsePrefix's words speak of prefixes, which an address is not.
    if (err instanceof ArgumentError) throw new ArgumentError(argument, { expected: ADDRESS_EXPECTED, received: text });
    throw err;
  }
}

const ADDRESS_EXPECTED = 'an IP address such as "10.1.0.1" or "2001:db8::1" (no prefix length, no zone, no leading zeros)';

/** ipFamily returns AF_INET or AF_INET6 for an address text; throws ArgumentError when it is neither. */
export function ipFamily(address: string, argument = 'address'): number {
  return parseAddress(address, argument).family;
}
