/**
 * MessageWriter builds netlink messages in place, in one growable buffer
 * (the libmnl way): `begin` writes a `nlmsghdr`, the family's fixed header is
 * reserved right after it, attributes are appended at the tail, and `end`
 * patches the length. Several messages may be built back to back to go out
 * in one datagram (a batch).
 *
 * ```
 *  <------------------ nlmsg_len ------------------->
 * +----------+--------------+-----------------------+
 * | nlmsghdr | fixed header |  attributes (TLVs)     |
 * | 16 bytes | e.g. ifinfo  |  len|type|value|pad ... |
 * +----------+--------------+-----------------------+
 * ```
 *
 * Integers are written in host byte order (little-endian on every platform
 * Node ships for Linux x64/arm64), except the `*be` variants, which netlink
 * uses for ports and some addresses (NLA_F_NET_BYTEORDER is a hint, not set).
 */
import { NLA_F_NESTED, NLA_HDRLEN, NLMSG_HDRLEN, align4 } from './constants.js';
import { EncodeError, describeValue } from './errors.js';
import type { RawAttribute } from './reader.js';
import { ipv4Number, parseIP } from './format.js';

const encoder = new TextEncoder();

/** toBigInt converts a 64-bit attribute value, refusing fractions and values DataView would wrap. */
function toBigInt(type: number, value: bigint | number, min: bigint, max: bigint, what: string): bigint {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new EncodeError(`${value} is not a ${what}`, String(type));
  const v = BigInt(value);
  if (v < min || v > max) throw new EncodeError(`${v} is not a ${what}`, String(type));
  return v;
}

/** A value that does not fit its attribute: never wrapped silently (300 as a u8 is not 44). */
function outOfRange(type: number, value: number, what: string): EncodeError {
  return new EncodeError(`${value} is not a ${what}`, String(type));
}

export class MessageWriter {
  /** The bytes written so far are `bytes.subarray(0, length)`. Reallocated on growth. */
  bytes: Uint8Array;
  /** A DataView over `bytes`. */
  view: DataView;
  /** Number of bytes written. */
  length = 0;

  constructor(initialSize = 4096) {
    this.bytes = new Uint8Array(initialSize);
    this.view = new DataView(this.bytes.buffer);
  }

  /** reset forgets everything written; the buffer is kept for reuse. */
  reset(): void {
    this.length = 0;
  }

  /** ensure makes room for `n` more bytes. */
  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    // max(…, 64): a writer created with size 0 would otherwise double 0 forever.
    let size = Math.max(this.bytes.length * 2, 64);
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * reserve appends `n` zeroed bytes padded to 4 and returns their offset.
   * Used for fixed headers (ifinfomsg, rtmsg, …) and attribute payloads.
   */
  reserve(n: number): number {
    const padded = align4(n);
    this.ensure(padded);
    const at = this.length;
    this.bytes.fill(0, at, at + padded);
    this.length = at + padded;
    return at;
  }

  /**
   * begin starts a message: writes a `nlmsghdr` with the given type, flags,
   * sequence number and port id (0: let the kernel fill it) and returns the
   * message's start offset, to pass to `end` or `cancel`.
   */
  begin(type: number, flags: number, seq = 0, portId = 0): number {
    const at = this.reserve(NLMSG_HDRLEN);
    const v = this.view;
    v.setUint16(at + 4, type, true);
    v.setUint16(at + 6, flags, true);
    v.setUint32(at + 8, seq >>> 0, true);
    v.setUint32(at + 12, portId >>> 0, true);
    return at;
  }

  /** end patches `nlmsg_len` of the message started at `start` and returns its length. */
  end(start: number): number {
    const len = this.length - start;
    this.view.setUint32(start, len, true);
    return len;
  }

  /** cancel drops everything written since `start` (a message or a nest token). */
  cancel(start: number): void {
    this.length = start;
  }

  /** setSeq rewrites the sequence number of the message at `start` (used when a request is resent). */
  setSeq(start: number, seq: number): void {
    this.view.setUint32(start + 8, seq >>> 0, true);
  }

  /**
   * attr appends an attribute header for `type` with a `size`-byte payload,
   * zero-padded to 4, and returns the payload's offset. Every typed helper
   * below goes through here: one way to encode an attribute. It may grow the
   * buffer, so read `view`/`bytes` only after calling it.
   */
  attr(type: number, size: number): number {
    if (size > 0xffff - NLA_HDRLEN) throw new EncodeError(`payload of ${size} bytes exceeds netlink's 65531-byte limit`, String(type));
    const at = this.reserve(NLA_HDRLEN + size);
    this.view.setUint16(at, NLA_HDRLEN + size, true);
    this.view.setUint16(at + 2, type, true);
    return at + NLA_HDRLEN;
  }

  /** flag appends a zero-length attribute (NLA_FLAG): present means true. */
  flag(type: number): void {
    this.attr(type, 0);
  }

  u8(type: number, value: number): void {
    if ((value & 0xff) !== value) throw outOfRange(type, value, 'u8 (0 to 255)');
    const at = this.attr(type, 1);
    this.view.setUint8(at, value);
  }
  s8(type: number, value: number): void {
    if ((value << 24) >> 24 !== value) throw outOfRange(type, value, 's8 (-128 to 127)');
    const at = this.attr(type, 1);
    this.view.setInt8(at, value);
  }
  u16(type: number, value: number): void {
    if ((value & 0xffff) !== value) throw outOfRange(type, value, 'u16 (0 to 65535)');
    const at = this.attr(type, 2);
    this.view.setUint16(at, value, true);
  }
  s16(type: number, value: number): void {
    if ((value << 16) >> 16 !== value) throw outOfRange(type, value, 's16 (-32768 to 32767)');
    const at = this.attr(type, 2);
    this.view.setInt16(at, value, true);
  }
  u16be(type: number, value: number): void {
    if ((value & 0xffff) !== value) throw outOfRange(type, value, 'u16 (0 to 65535)');
    const at = this.attr(type, 2);
    this.view.setUint16(at, value, false);
  }
  u32(type: number, value: number): void {
    if (value >>> 0 !== value) throw outOfRange(type, value, 'u32 (0 to 4294967295)');
    const at = this.attr(type, 4);
    this.view.setUint32(at, value >>> 0, true);
  }
  s32(type: number, value: number): void {
    if ((value | 0) !== value) throw outOfRange(type, value, 's32');
    const at = this.attr(type, 4);
    this.view.setInt32(at, value, true);
  }
  u32be(type: number, value: number): void {
    if (value >>> 0 !== value) throw outOfRange(type, value, 'u32 (0 to 4294967295)');
    const at = this.attr(type, 4);
    this.view.setUint32(at, value >>> 0, false);
  }
  /** u64 accepts a bigint, or an integer number up to 2^53. */
  u64(type: number, value: bigint | number): void {
    const v = toBigInt(type, value, 0n, 0xffffffffffffffffn, 'u64');
    const at = this.attr(type, 8);
    this.view.setBigUint64(at, v, true);
  }
  s64(type: number, value: bigint | number): void {
    const v = toBigInt(type, value, -0x8000000000000000n, 0x7fffffffffffffffn, 's64');
    const at = this.attr(type, 8);
    this.view.setBigInt64(at, v, true);
  }
  u64be(type: number, value: bigint | number): void {
    const v = toBigInt(type, value, 0n, 0xffffffffffffffffn, 'u64');
    const at = this.attr(type, 8);
    this.view.setBigUint64(at, v, false);
  }

  /**
   * string appends a NUL-terminated UTF-8 string (NLA_NUL_STRING / NLA_STRING
   * as the kernel expects). Throws EncodeError for a value that is not a
   * string or holds a NUL byte: the kernel would read only up to the NUL, so
   * `'lo\0evil'` would name `lo`.
   */
  string(type: number, value: string): void {
    if (typeof value !== 'string') throw new EncodeError(`expected a string, received ${describeValue(value)}`, String(type));
    // Fast path for ASCII, which is what interface names, kinds and labels are.
    let ascii = true;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0) throw new EncodeError(`${describeValue(value)} contains a NUL byte`, String(type));
      if (c > 0x7f) ascii = false;
    }
    if (ascii) {
      const at = this.attr(type, value.length + 1);
      const b = this.bytes;
      for (let i = 0; i < value.length; i++) b[at + i] = value.charCodeAt(i);
      return;
    }
    const encoded = encoder.encode(value);
    const at = this.attr(type, encoded.length + 1);
    this.bytes.set(encoded, at);
  }

  /** binary appends raw bytes as the payload. */
  binary(type: number, value: Uint8Array): void {
    const at = this.attr(type, value.length);
    this.bytes.set(value, at);
  }

  /**
   * ip appends an attribute holding an IP address given as text: 4 bytes for
   * IPv4, 16 for IPv6. IPv4 text goes in without an intermediate array (bulk
   * writes put one or two addresses in every message). Throws EncodeError
   * naming the text when it is neither.
   */
  ip(type: number, text: string): void {
    const v4 = typeof text === 'string' ? ipv4Number(text) : -1;
    if (v4 < 0) {
      this.binary(type, parseIP(text));
      return;
    }
    // attr() first: it may grow the buffer and replace `view`.
    const at = this.attr(type, 4);
    this.view.setUint32(at, v4, false);
  }

  /**
   * nestStart opens a nested attribute (NLA_F_NESTED is set) and returns a
   * token for `nestEnd` (or `cancel`, which drops the nest and its contents).
   */
  nestStart(type: number): number {
    const at = this.reserve(NLA_HDRLEN);
    this.view.setUint16(at + 2, type | NLA_F_NESTED, true);
    return at;
  }

  /**
   * nestStartPlain opens a nest without NLA_F_NESTED, for the few places the
   * kernel parses as a plain binary blob of attributes (e.g. IFLA_VFINFO_LIST
   * is fine either way, but some legacy nests reject the bit).
   */
  nestStartPlain(type: number): number {
    const at = this.reserve(NLA_HDRLEN);
    this.view.setUint16(at + 2, type, true);
    return at;
  }

  /** nestEnd closes the nest opened at `token`, patching its length. */
  nestEnd(token: number): void {
    const len = this.length - token;
    if (len > 0xffff) throw new EncodeError(`nested attribute too long: ${len} bytes (max 65535)`, String(this.view.getUint16(token + 2, true) & 0x3fff));
    this.view.setUint16(token, len, true);
  }

  /** raw appends bytes verbatim (already-encoded attributes, kept unknown attributes). */
  raw(value: Uint8Array): void {
    this.ensure(align4(value.length));
    this.bytes.set(value, this.length);
    const padded = align4(value.length);
    this.bytes.fill(0, this.length + value.length, this.length + padded);
    this.length += padded;
  }

  /** rawAttr re-encodes a kept attribute byte for byte (its raw type bits included). */
  rawAttr(attr: RawAttribute): void {
    const at = this.attr(0, attr.value.length);
    this.view.setUint16(at - 2, attr.type, true);
    this.bytes.set(attr.value, at);
  }

  /** toBytes returns a copy of everything written. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** The writer checkEncodes lends out; undefined while a check holds it (a check inside a check gets its own). */
let checkWriter: MessageWriter | undefined;
/** A check's writer that grew past this is dropped afterwards rather than kept for the next. */
const CHECK_WRITER_KEEP = 64 * 1024;

/**
 * checkEncodes encodes `value` with `encode` only to see whether it throws:
 * the argument checks that build a message with placeholders (link index 1,
 * no namespace) before anything is looked up or sent. Every check shares one
 * scratch writer: a writer of its own per check is a buffer to allocate and
 * collect each time, and `routes.addMany` checks every route of its batch.
 * `encode` runs synchronously and must not keep the writer.
 */
export function checkEncodes<V>(encode: (w: MessageWriter, value: V) => void, value: V): void {
  const w = checkWriter ?? new MessageWriter(512);
  checkWriter = undefined;
  try {
    w.reset();
    encode(w, value);
  } finally {
    if (w.bytes.length <= CHECK_WRITER_KEEP) checkWriter = w;
  }
}
