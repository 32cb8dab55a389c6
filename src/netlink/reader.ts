/**
 * Reading netlink bytes without copying: decoders take a DataView over one
 * received datagram plus `(offset, end)` bounds, and never read outside them.
 * A malformed frame becomes a DecodeError naming the offset; never a
 * RangeError, never a loop that does not advance.
 *
 * An attribute (struct nlattr) on the wire:
 * ```
 *  <------- nla_len -------->
 * +--------+--------+--------+-----+
 * | len u16| type   | value  | pad | to 4 bytes
 * +--------+--------+--------+-----+
 *            ^ bit 15 NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER
 * ```
 */
import { NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN } from './constants.js';
import { DecodeError } from './errors.js';
import { textSlots } from './format.js';

/** An attribute kept as it came: raw `nla_type` (flag bits included) and a copy of its value. */
export interface RawAttribute {
  /** The raw 16-bit `nla_type`, NLA_F_NESTED / NLA_F_NET_BYTEORDER bits included, so it re-encodes byte for byte. */
  type: number;
  /** A copy of the value bytes (never a view into the receive buffer). */
  value: Uint8Array;
}

/** A decoded `struct nlmsghdr`. */
export interface MessageHeader {
  length: number;
  type: number;
  flags: number;
  seq: number;
  portId: number;
}

/**
 * checkMessage validates the `nlmsghdr` at `p` against the datagram's `end`
 * and returns its `nlmsg_len`; throws DecodeError on a length below 16 or
 * past the datagram.
 */
export function checkMessage(view: DataView, p: number, end: number): number {
  if (end - p < NLMSG_HDRLEN) throw new DecodeError(`truncated message header: ${end - p} bytes left, need ${NLMSG_HDRLEN}`, p);
  const len = view.getUint32(p, true);
  if (len < NLMSG_HDRLEN) throw new DecodeError(`message length ${len} below header size ${NLMSG_HDRLEN}`, p);
  if (len > end - p) throw new DecodeError(`message length ${len} runs past the datagram (${end - p} bytes left)`, p);
  return len;
}

/** readMessageHeader decodes (and validates) the header at `p`. */
export function readMessageHeader(view: DataView, p: number, end: number): MessageHeader {
  const length = checkMessage(view, p, end);
  return {
    length,
    type: view.getUint16(p + 4, true),
    flags: view.getUint16(p + 6, true),
    seq: view.getUint32(p + 8, true),
    portId: view.getUint32(p + 12, true),
  };
}

/**
 * checkAttr validates the attribute at `p` within `[p, end)` and returns its
 * `nla_len`. A length below 4 (which would never advance) or past `end`
 * (overrunning the message or enclosing nest) throws DecodeError.
 */
export function checkAttr(view: DataView, p: number, end: number): number {
  if (end - p < NLA_HDRLEN) throw new DecodeError(`truncated attribute header: ${end - p} bytes left`, p);
  const len = view.getUint16(p, true);
  if (len < NLA_HDRLEN) throw new DecodeError(`attribute length ${len} below header size ${NLA_HDRLEN}`, p);
  if (len > end - p) throw new DecodeError(`attribute length ${len} runs past its container (${end - p} bytes left)`, p);
  return len;
}

/** attrType returns the attribute number at `p` with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
export function attrType(view: DataView, p: number): number {
  return view.getUint16(p + 2, true) & NLA_TYPE_MASK;
}

/**
 * nextAttr returns where the attribute after the one at `p` (of length `len`)
 * starts. The final attribute's padding may be missing, so the result may
 * pass `end`; loops test `p < end`. Up to 3 stray trailing bytes are padding.
 */
export function nextAttr(p: number, len: number): number {
  return p + ((len + 3) & ~3);
}

/** attrsEnd tells whether fewer than a header's worth of bytes remain (trailing padding). */
export function attrsDone(p: number, end: number): boolean {
  return end - p < NLA_HDRLEN;
}

function short(what: string, need: number, s: number, e: number): DecodeError {
  return new DecodeError(`${what}: expected ${need} bytes, got ${e - s}`, s);
}

/** readU8 reads a u8 value in `[s, e)`; throws DecodeError when shorter. */
export function readU8(view: DataView, s: number, e: number): number {
  if (e - s < 1) throw short('u8', 1, s, e);
  return view.getUint8(s);
}
export function readS8(view: DataView, s: number, e: number): number {
  if (e - s < 1) throw short('s8', 1, s, e);
  return view.getInt8(s);
}
export function readU16(view: DataView, s: number, e: number): number {
  if (e - s < 2) throw short('u16', 2, s, e);
  return view.getUint16(s, true);
}
export function readS16(view: DataView, s: number, e: number): number {
  if (e - s < 2) throw short('s16', 2, s, e);
  return view.getInt16(s, true);
}
export function readU16be(view: DataView, s: number, e: number): number {
  if (e - s < 2) throw short('u16', 2, s, e);
  return view.getUint16(s, false);
}
export function readU32(view: DataView, s: number, e: number): number {
  if (e - s < 4) throw short('u32', 4, s, e);
  return view.getUint32(s, true);
}
export function readS32(view: DataView, s: number, e: number): number {
  if (e - s < 4) throw short('s32', 4, s, e);
  return view.getInt32(s, true);
}
export function readU32be(view: DataView, s: number, e: number): number {
  if (e - s < 4) throw short('u32', 4, s, e);
  return view.getUint32(s, false);
}
/** readU64 reads a u64 as a bigint (exact). */
export function readU64(view: DataView, s: number, e: number): bigint {
  if (e - s < 8) throw short('u64', 8, s, e);
  return view.getBigUint64(s, true);
}
export function readS64(view: DataView, s: number, e: number): bigint {
  if (e - s < 8) throw short('s64', 8, s, e);
  return view.getBigInt64(s, true);
}
export function readU64be(view: DataView, s: number, e: number): bigint {
  if (e - s < 8) throw short('u64', 8, s, e);
  return view.getBigUint64(s, false);
}

/**
 * readUint reads an unsigned integer of whatever width the kernel sent
 * (1, 2, 4 or 8 bytes): the specs' `uint` type, which the kernel shrinks to 4
 * bytes when the value fits. 8-byte values above 2^53 lose precision.
 */
export function readUint(view: DataView, s: number, e: number): number {
  switch (e - s) {
    case 1: return view.getUint8(s);
    case 2: return view.getUint16(s, true);
    case 4: return view.getUint32(s, true);
    case 8: return Number(view.getBigUint64(s, true));
    default: throw new DecodeError(`uint: expected 1, 2, 4 or 8 bytes, got ${e - s}`, s);
  }
}

const utf8 = new TextDecoder('utf-8');

/**
 * Recently read short ASCII strings, direct-mapped by a hash of their bytes:
 * a dump repeats kinds ('veth'), qdiscs ('noqueue'), labels and names, and a
 * daemon lists the same links again and again. A hit hands out the string
 * already made instead of building one a character at a time.
 */
const STRING_SLOTS_LOG2 = 11;
const STRING_CACHE_MAX = 32;
let recentStrings: Array<string | undefined> = [];

/**
 * readString reads a string up to the first NUL or `e`. ASCII (interface
 * names, kinds, labels) is made straight from the bytes (asciiText); anything
 * else goes through TextDecoder.
 */
export function readString(view: DataView, s: number, e: number): string {
  let hash = 0x811c9dc5;
  let i = s;
  for (; i < e; i++) {
    const c = view.getUint8(i);
    if (c === 0 || c > 0x7f) break;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  const n = i - s;
  if (n <= STRING_CACHE_MAX && (i === e || view.getUint8(i) === 0)) {
    const slot = Math.imul(hash, 0x9e3779b1) >>> (32 - STRING_SLOTS_LOG2);
    const hit = recentStrings[slot];
    if (hit !== undefined && hit.length === n) {
      let j = 0;
      while (j < n && hit.charCodeAt(j) === view.getUint8(s + j)) j++;
      if (j === n) return hit;
    }
    const text = asciiText(view, s, i);
    if (recentStrings.length === 0) recentStrings = textSlots(STRING_SLOTS_LOG2);
    recentStrings[slot] = text;
    return text;
  }
  return readLongString(view, s, e);
}

/** readLongString is readString without the cache: long or non-ASCII strings. */
function readLongString(view: DataView, s: number, e: number): string {
  let i = s;
  let ascii = true;
  for (; i < e; i++) {
    const c = view.getUint8(i);
    if (c === 0) break;
    if (c > 0x7f) ascii = false;
  }
  return ascii ? asciiText(view, s, i) : utf8.decode(new Uint8Array(view.buffer, view.byteOffset + s, i - s));
}

/** A Buffer over the ArrayBuffer asciiText last read from (a view, not a copy), and that ArrayBuffer. */
let textSource: ArrayBufferLike | undefined;
let textBytes: Buffer = Buffer.alloc(0);

/**
 * asciiText returns `[s, e)` of `view`, bytes below 0x80, as one flat string,
 * made by Buffer's latin1 decoding in one native step. Adding a character at a
 * time made a string per character and, from 13 characters on, a rope of them
 * (V8's concatenation), which a kept name then held: 1,001 names in a fresh
 * process took ~1.4 ms that way and ~0.3 ms this way. The Buffer view is made
 * once per ArrayBuffer read from (the receive buffer, or one slab of kept
 * copies), so it keeps that one buffer alive until the next is read.
 */
function asciiText(view: DataView, s: number, e: number): string {
  if (view.buffer !== textSource) {
    textSource = view.buffer;
    textBytes = Buffer.from(view.buffer);
  }
  return textBytes.toString('latin1', view.byteOffset + s, view.byteOffset + e);
}

/**
 * readBytes returns a copy of `[s, e)`: the receive buffer is reused, so
 * nothing handed out may alias it. Small values (most attributes) are
 * copied byte by byte into an on-heap array, which V8 allocates far faster
 * than the separate backing store `ArrayBuffer.slice` makes.
 */
export function readBytes(view: DataView, s: number, e: number): Uint8Array {
  const n = e - s;
  const out = new Uint8Array(n);
  if (n <= 64) {
    for (let i = 0; i < n; i++) out[i] = view.getUint8(s + i);
  } else {
    out.set(new Uint8Array(view.buffer, view.byteOffset + s, n));
  }
  return out;
}

/** readRawAttr copies the attribute at `p` (length `len`) for keeping as unknown. */
export function readRawAttr(view: DataView, p: number, len: number): RawAttribute {
  return { type: view.getUint16(p + 2, true), value: readBytes(view, p + NLA_HDRLEN, p + len) };
}
