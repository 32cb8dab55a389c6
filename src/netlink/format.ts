/**
 * Address formatting straight from bytes, and parsing back to bytes:
 * MAC (`aa:bb:cc:dd:ee:ff`), IPv4, IPv6 (RFC 5952: lower case, longest run
 * of two or more zero groups shortened to `::`, first run on a tie).
 */
import { DecodeError, EncodeError, describeValue } from './errors.js';

/**
 * textSlots makes the string half of a direct-mapped text cache: 2^bits
 * slots, all undefined (a packed array, so lookups stay on V8's fast path).
 * Each cache starts empty and makes its tables (these slots and the keys
 * beside them) on the first store, not at import: a program that never
 * formats an address should not allocate them, nor touch their pages.
 * @internal
 */
export function textSlots(bits: number): Array<string | undefined> {
  return new Array<string | undefined>(1 << bits).fill(undefined);
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Recently formatted 6-byte MACs, as for IP addresses below: a listing's broadcast addresses are all one string. */
const MAC_SLOTS_LOG2 = 12;
let macKeys = new Int32Array(0);
let macStrings: Array<string | undefined> = [];

/** formatMac formats `[s, e)` as colon-separated lower-case hex (any length; MACs are 6 bytes, InfiniBand 20). */
export function formatMac(view: DataView, s: number, e: number): string {
  if (e - s !== 6) return macText(view, s, e);
  const k0 = view.getInt32(s, false);
  const k1 = view.getUint16(s + 4, false);
  const slot = slotOf(k0 ^ Math.imul(k1, 0x45d9f3b), MAC_SLOTS_LOG2);
  const hit = macStrings[slot];
  if (hit !== undefined && macKeys[2 * slot] === k0 && macKeys[2 * slot + 1] === k1) return hit;
  const text = macText(view, s, e);
  if (macStrings.length === 0) {
    macStrings = textSlots(MAC_SLOTS_LOG2);
    macKeys = new Int32Array(2 << MAC_SLOTS_LOG2);
  }
  macKeys[2 * slot] = k0;
  macKeys[2 * slot + 1] = k1;
  macStrings[slot] = text;
  return text;
}

/** The character codes of the hex digits 0-f. */
const HEX_CODES: number[] = [];
for (let i = 0; i < 16; i++) HEX_CODES.push(i.toString(16).charCodeAt(0));
const COLON = 0x3a;

/** Hex pairs of a MAC that is not 6 bytes long, joined by macText (reused, emptied after). */
const macParts: string[] = [];

/**
 * macText is formatMac without the cache. Each MAC is one flat string made
 * in one step: adding a pair at a time made a string per step and a rope of
 * them from 13 characters on, ~270 bytes made and ~100 kept for each 17-character
 * MAC (a listing of 1,001 links: ~1.9 -> ~0.4 ms in a fresh process).
 */
function macText(view: DataView, s: number, e: number): string {
  if (e - s === 6) {
    const b0 = view.getUint8(s);
    const b1 = view.getUint8(s + 1);
    const b2 = view.getUint8(s + 2);
    const b3 = view.getUint8(s + 3);
    const b4 = view.getUint8(s + 4);
    const b5 = view.getUint8(s + 5);
    const h = HEX_CODES;
    return String.fromCharCode(
      h[b0 >> 4]!, h[b0 & 15]!, COLON, h[b1 >> 4]!, h[b1 & 15]!, COLON, h[b2 >> 4]!, h[b2 & 15]!, COLON,
      h[b3 >> 4]!, h[b3 & 15]!, COLON, h[b4 >> 4]!, h[b4 & 15]!, COLON, h[b5 >> 4]!, h[b5 & 15]!,
    );
  }
  for (let i = s; i < e; i++) macParts.push(HEX[view.getUint8(i)]!);
  const text = macParts.join(':');
  macParts.length = 0;
  return text;
}

/** formatHex formats `[s, e)` as contiguous lower-case hex. */
export function formatHex(view: DataView, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += HEX[view.getUint8(i)]!;
  return out;
}

/**
 * Recently formatted addresses, direct-mapped by a hash of their bytes: a
 * dump repeats the same few addresses (a route's gateway, an IPv4 address's
 * IFA_LOCAL and IFA_ADDRESS) and a daemon lists the same objects again and
 * again. A hit returns the string already made, so the objects share it and
 * nothing is allocated; the collector's work on a large listing is mostly
 * such short strings. At most 2^14 + 2^12 strings stay reachable from here.
 */
const V4_SLOTS_LOG2 = 14;
const V6_SLOTS_LOG2 = 12;
let v4Keys = new Int32Array(0);
let v4Strings: Array<string | undefined> = [];
let v6Keys = new Int32Array(0);
let v6Strings: Array<string | undefined> = [];

/** slotOf spreads a 32-bit key over a cache of 2^bits slots (Fibonacci hashing: consecutive addresses land far apart). */
function slotOf(key: number, bits: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - bits);
}

/** Each octet as text with and without the dot that follows it: a dotted quad is then three concatenations. */
const OCTET: string[] = [];
const OCTET_DOT: string[] = [];
for (let i = 0; i < 256; i++) {
  OCTET.push(String(i));
  OCTET_DOT.push(`${i}.`);
}

/** "/0" … "/128": the suffix of each prefix length. */
const LENGTH_SUFFIX: string[] = [];
for (let i = 0; i <= 128; i++) LENGTH_SUFFIX.push(`/${i}`);
/** The two parts flatText and prefixText join; emptied after each use, so they hold no string. */
const parts: [string, string] = ['', ''];

/**
 * flatJoin returns `a + b` as one flat string. A `+` making 13 characters or
 * more gives a rope in V8 (a 32-byte node holding on to both parts), while
 * Array.prototype.join copies its parts into one new string.
 */
function flatJoin(a: string, b: string): string {
  parts[0] = a;
  parts[1] = b;
  const text = parts.join('');
  parts[0] = parts[1] = '';
  return text;
}

/**
 * flatText returns `text` as one flat string. A string made by concatenating
 * 13 characters or more is a rope in V8: a 32-byte node per concatenation,
 * each holding on to its parts. A template literal of a dozen parts kept for
 * long (a watch view's keys) is then ~400 bytes instead of ~60. Two slices
 * joined: about twice as fast as copying its characters one by one, cold or
 * warm.
 */
export function flatText(text: string): string {
  return text.length < 13 ? text : flatJoin(text.slice(0, 1), text.slice(1));
}

/**
 * prefixText writes `address/length` as one flat string: a concatenation
 * would keep the address string alive beside it (see flatJoin), for every
 * `dst` of a listing of 100,000 routes.
 */
export function prefixText(address: string, length: number): string {
  const suffix = LENGTH_SUFFIX[length] ?? `/${length}`;
  return address.length + suffix.length < 13 ? address + suffix : flatJoin(address, suffix);
}

/** formatIPv4 formats 4 bytes at `s` as dotted quad. */
export function formatIPv4(view: DataView, s: number): string {
  const key = view.getInt32(s, false);
  const slot = slotOf(key, V4_SLOTS_LOG2);
  const hit = v4Strings[slot];
  if (hit !== undefined && v4Keys[slot] === key) return hit;
  const text = OCTET_DOT[key >>> 24]! + OCTET_DOT[(key >>> 16) & 255]! + OCTET_DOT[(key >>> 8) & 255]! + OCTET[key & 255]!;
  if (v4Strings.length === 0) {
    v4Strings = textSlots(V4_SLOTS_LOG2);
    v4Keys = new Int32Array(1 << V4_SLOTS_LOG2);
  }
  v4Keys[slot] = key;
  v4Strings[slot] = text;
  return text;
}

/** formatIPv6 formats 16 bytes at `s` per RFC 5952 (IPv4-mapped `::ffff:a.b.c.d` kept dotted). */
export function formatIPv6(view: DataView, s: number): string {
  const k0 = view.getInt32(s, false);
  const k1 = view.getInt32(s + 4, false);
  const k2 = view.getInt32(s + 8, false);
  const k3 = view.getInt32(s + 12, false);
  const slot = slotOf(k0 ^ Math.imul(k1, 31) ^ Math.imul(k2, 961) ^ Math.imul(k3, 29791), V6_SLOTS_LOG2);
  const hit = v6Strings[slot];
  const at = slot * 4;
  if (hit !== undefined && v6Keys[at] === k0 && v6Keys[at + 1] === k1 && v6Keys[at + 2] === k2 && v6Keys[at + 3] === k3) return hit;
  const text = ipv6Text(view, s);
  if (v6Strings.length === 0) {
    v6Strings = textSlots(V6_SLOTS_LOG2);
    v6Keys = new Int32Array(4 << V6_SLOTS_LOG2);
  }
  v6Keys[at] = k0;
  v6Keys[at + 1] = k1;
  v6Keys[at + 2] = k2;
  v6Keys[at + 3] = k3;
  v6Strings[slot] = text;
  return text;
}

/** ipv6Text is formatIPv6 without the cache. */
function ipv6Text(view: DataView, s: number): string {
  // Built without intermediate arrays: this runs once per address or route in a dump.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (view.getUint16(s + 2 * i, false) === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart + 1;
      }
    } else runStart = -1;
  }
  if (bestStart === 0 && bestLen === 5 && view.getUint16(s + 10, false) === 0xffff) {
    return `::ffff:${formatIPv4(view, s + 12)}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += view.getUint16(s + 2 * i, false).toString(16);
  }
  return out;
}

/**
 * formatIP formats an address by its length: 4 bytes IPv4, 16 bytes IPv6.
 * Attributes hinted "ipv4" in the specs may hold IPv6, so the length decides.
 */
export function formatIP(view: DataView, s: number, e: number): string {
  if (e - s === 4) return formatIPv4(view, s);
  if (e - s === 16) return formatIPv6(view, s);
  throw new DecodeError(`IP address: expected 4 or 16 bytes, got ${e - s}`, s);
}

/** parseMac parses `aa:bb:cc:dd:ee:ff` (or `-` separators) into bytes; throws EncodeError for anything else, a non-string included. */
export function parseMac(text: string): Uint8Array {
  if (typeof text !== 'string') throw new EncodeError(`expected a MAC address string, received ${describeValue(text)}`);
  const parts = text.split(/[:-]/);
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw new EncodeError(`not a MAC address: ${JSON.stringify(text)}`);
    out[i] = parseInt(p, 16);
  }
  return out;
}

/** parseHex parses contiguous hex into bytes; throws EncodeError. */
export function parseHex(text: string): Uint8Array {
  if (typeof text !== 'string') throw new EncodeError(`expected a hex string, received ${describeValue(text)}`);
  if (text.length % 2 || !/^[0-9a-fA-F]*$/.test(text)) throw new EncodeError(`not hex: ${JSON.stringify(text)}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * parseIPv4 parses a dotted quad into 4 bytes, or returns undefined. A part
 * with a leading zero (`10.01.0.2`) is refused: inet_aton would read it as
 * octal, so its meaning depends on who reads it.
 */
export function parseIPv4(text: string): Uint8Array | undefined {
  const v = ipv4Number(text);
  if (v < 0) return undefined;
  const out = new Uint8Array(4);
  out[0] = v >>> 24;
  out[1] = (v >>> 16) & 0xff;
  out[2] = (v >>> 8) & 0xff;
  out[3] = v & 0xff;
  return out;
}

/**
 * ipv4Number is parseIPv4 as one number, the address's four bytes in network
 * order (`10.0.0.1` is 0x0a000001), or -1 for anything parseIPv4 refuses. No
 * object: a writer puts it straight into a message (MessageWriter.ip).
 */
export function ipv4Number(text: string): number {
  // By hand rather than a regular expression: bulk route and address writes parse every address.
  let v = 0;
  let part = 0;
  let digits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3 || (digits === 2 && n === 0)) return -1;
      n = n * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && part < 3) {
      if (n > 255) return -1;
      v = v * 256 + n;
      part++;
      n = 0;
      digits = 0;
    } else return -1;
  }
  if (part !== 3 || digits === 0 || n > 255) return -1;
  return v * 256 + n;
}

/**
 * parseIPv6 parses IPv6 text (with `::` and an optional dotted tail) into 16
 * bytes, or returns undefined. A zone (`fe80::1%eth0`) is refused: netlink
 * carries no zone, so it would be dropped silently.
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail may only end the address: the last group of the last part.
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (last && i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}

/** parseIP parses IPv4 or IPv6 text into 4 or 16 bytes; throws EncodeError naming the text. */
export function parseIP(text: string): Uint8Array {
  if (typeof text !== 'string') throw new EncodeError(`expected an IP address string, received ${describeValue(text)}`);
  const out = text.includes(':') ? parseIPv6(text) : parseIPv4(text);
  if (!out) throw new EncodeError(`not an IP address: ${JSON.stringify(text)}`);
  return out;
}
