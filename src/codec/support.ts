/**
 * Helpers shared by the generated codecs: enum and flag tables, variable
 * width integers, re-throwing decode and encode errors with the attribute path, the
 * replay of recorded attribute order, and the table-driven walk that turns an
 * extended-ACK offset into an attribute path.
 *
 * Decoded attribute-set objects carry two bookkeeping fields next to the
 * attributes: `unknown` (attributes no spec names, kept raw) and `order` (the
 * raw `nla_type` of each attribute in wire order, NLA_F_NESTED included), so
 * that encoding a decoded object reproduces the kernel's bytes exactly.
 *
 * `order` is only recorded when it is needed. Each set has a usual order: the
 * order the kernel emits its attributes in (spec order unless the spec or our
 * overlay says `x-wire-order`), each with the family's default nest flag, and
 * unknown attributes last. While the wire follows it — ranks rising, a
 * repeat only for multi-attr, flag bits as the encoder would write them —
 * the decoder leaves `order` undefined and the encoder, given no `order`,
 * writes that same usual order: the same bytes. At the first departure the
 * decoder rebuilds `order` from the attribute headers already passed
 * (orderBefore) and records it from then on, as a non-enumerable property
 * (recordOrder): it is bookkeeping, so JSON and the console never show it, and a
 * spread copy encodes in the usual order. Leave `order` undefined when
 * building an object by hand.
 */
import { DecodeError, EncodeError, describeValue } from '../netlink/errors.js';
import { parseIPv4 } from '../netlink/format.js';
import type { MessageWriter } from '../netlink/writer.js';
import type { AttributePathAt } from '../netlink/handle.js';

/** IndexedItem is one element of an `indexed-array` attribute: its attribute type (the index) and value. */
export interface IndexedItem<T> {
  index: number;
  value: T;
}

/** TypeValueItem is one element of a `nest-type-value` attribute: the attribute type carries an id. */
export interface TypeValueItem<T> {
  id: number;
  value: T;
}

/** Bitfield32 is `struct nla_bitfield32`: `value` bits, and `selector` saying which bits are meant. */
export interface Bitfield32 {
  value: number;
  selector: number;
}

/** NLA_F_NESTED */
export const NESTED = 0x8000;
/** The type bits of `nla_type` (NLA_TYPE_MASK). */
export const TYPE_MASK = 0x3fff;

/**
 * decodeEnum maps a number to its name in `names`, or keeps the number when
 * the spec does not know it (newer kernels add values).
 */
export function decodeEnum<T extends string>(value: number, names: Readonly<Record<number, T>>): T | number {
  const n = names[value];
  return n === undefined ? value : n;
}

/** decodeEnum64 is decodeEnum for 64-bit values. */
export function decodeEnum64<T extends string>(value: bigint, names: Readonly<Record<number, T>>): T | bigint {
  const n = value <= 0xffffffffn ? names[Number(value)] : undefined;
  return n === undefined ? value : n;
}

/** decodeEnumVar is decodeEnum for variable-width `uint` values (a bigint is kept as is). */
export function decodeEnumVar<T extends string>(value: number | bigint, names: Readonly<Record<number, T>>): T | number | bigint {
  return typeof value === 'number' ? decodeEnum(value, names) : value;
}

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  s8: [-0x80, 0x7f],
  s16: [-0x8000, 0x7fff],
  s32: [-0x80000000, 0x7fffffff],
};

/**
 * fitInt returns `value` if it is an integer that fits `type` (u8…s32);
 * throws EncodeError naming `path` otherwise. Struct fields are written
 * through it so nothing is wrapped silently.
 */
export function fitInt(value: number, type: string, path = ''): number {
  const r = INT_RANGES[type];
  if (r && (!Number.isInteger(value) || value < r[0] || value > r[1])) throw new EncodeError(`${value} is not a ${type} (${r[0]} to ${r[1]})`, path);
  return value;
}

/**
 * encodeEnum maps a name to its number (numbers pass through); throws
 * EncodeError for an unknown name. `path` is a struct field's name; for an
 * attribute leave it out: the encoder of the enclosing set names it as the
 * error propagates (see inAttr).
 */
export function encodeEnum(value: string | number, values: Readonly<Record<string, number>>, path = ''): number {
  if (typeof value === 'number') return value;
  // Own names only: `toString` or `__proto__` must not find Object.prototype's.
  if (typeof value !== 'string' || !Object.hasOwn(values, value)) throw new EncodeError(`unknown value ${describeValue(value)}`, path);
  return values[value]!;
}

/** encodeEnum64 is encodeEnum for 64-bit fields. */
export function encodeEnum64(value: string | bigint, values: Readonly<Record<string, number>>, path = ''): bigint {
  if (typeof value === 'bigint') return value;
  return BigInt(encodeEnum(value, values, path));
}

/**
 * decodeFlags splits a bit mask into the names of known bits, in table
 * order, followed by one number holding any bits the spec does not name
 * (so nothing is lost).
 */
export function decodeFlags<T extends string>(value: number, bits: ReadonlyArray<readonly [number, T]>): Array<T | number> {
  // A dump repeats a few flag sets thousands of times: every object gets the one frozen array of
  // its set, made once (see flagLists), instead of an array of its own to allocate and collect.
  let lists = bits === lastBits ? lastLists : flagLists.get(bits);
  if (lists === undefined) flagLists.set(bits, (lists = new Map()));
  lastBits = bits;
  lastLists = lists;
  const known = lists.get(value);
  if (known !== undefined) return known as Array<T | number>;
  const out = flagNames(value, bits);
  if (lists.size < FLAG_LISTS_MAX) lists.set(value, Object.freeze(out));
  return out;
}

/**
 * Decoded flag lists by bit table and value. The lists are frozen, so
 * sharing one between objects cannot let a change to one object's flags
 * show in another's. At most FLAG_LISTS_MAX values are kept per table (a
 * field that is really a counter must not grow this without bound).
 */
const flagLists = new WeakMap<object, Map<number, ReadonlyArray<string | number>>>();
const FLAG_LISTS_MAX = 256;
let lastBits: object | undefined;
let lastLists: Map<number, ReadonlyArray<string | number>> | undefined;

function flagNames<T extends string>(value: number, bits: ReadonlyArray<readonly [number, T]>): Array<T | number> {
  const out: Array<T | number> = [];
  let rest = value >>> 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    if ((rest & b[0]) !== 0) {
      out.push(b[1]);
      rest = (rest & ~b[0]) >>> 0;
    }
  }
  if (rest !== 0) out.push(rest);
  return out;
}

/** encodeFlags ORs names and numbers back into a mask; throws EncodeError for an unknown name (`path` as for encodeEnum). */
export function encodeFlags(list: ReadonlyArray<string | number>, values: Readonly<Record<string, number>>, path = ''): number {
  if (!Array.isArray(list)) throw new EncodeError(`expected an array of flag names, received ${describeValue(list)}`, path);
  let v = 0;
  for (const f of list) v = (v | encodeEnum(f, values, path)) >>> 0;
  return v;
}

/**
 * flagBits turns a generated flags table (name -> mask, in the spec's order) into the
 * (mask, name) list decodeFlags takes, in the same order as the generated decoder's own:
 * for hand-written readers that decode a flags field straight from the wire.
 */
export function flagBits<N extends string>(flags: Readonly<Record<N, number>>): ReadonlyArray<readonly [number, N]> {
  return (Object.entries(flags) as Array<[N, number]>).map(([name, mask]) => [mask, name] as const);
}

/** decodeFlags64 is decodeFlags for 64-bit masks (unknown bits kept as one bigint). */
export function decodeFlags64<T extends string>(value: bigint, bits: ReadonlyArray<readonly [number, T]>): Array<T | bigint> {
  const out: Array<T | bigint> = [];
  let rest = value;
  for (const [mask, name] of bits) {
    const m = BigInt(mask);
    if ((rest & m) !== 0n) {
      out.push(name);
      rest &= ~m;
    }
  }
  if (rest !== 0n) out.push(rest);
  return out;
}

/** encodeFlags64 ORs names and bigints back into a 64-bit mask. */
export function encodeFlags64(list: ReadonlyArray<string | bigint>, values: Readonly<Record<string, number>>, path = ''): bigint {
  let v = 0n;
  for (const f of list) v |= typeof f === 'bigint' ? f : BigInt(encodeEnum(f, values, path));
  return v;
}

/**
 * readUintVar reads the specs' `uint` (4 or 8 bytes; the kernel sends 8 only
 * when the value needs it): a number when exact, else a bigint.
 */
export function readUintVar(view: DataView, s: number, e: number): number | bigint {
  if (e - s === 4) return view.getUint32(s, true);
  if (e - s === 8) {
    // The kernel sends 8 bytes only for values above 2^32; keep them exact.
    return view.getBigUint64(s, true);
  }
  throw new DecodeError(`uint: expected 4 or 8 bytes, got ${e - s}`, s);
}

/** readSintVar reads the specs' `sint` (4 or 8 bytes). */
export function readSintVar(view: DataView, s: number, e: number): number | bigint {
  if (e - s === 4) return view.getInt32(s, true);
  if (e - s === 8) return view.getBigInt64(s, true);
  throw new DecodeError(`sint: expected 4 or 8 bytes, got ${e - s}`, s);
}

/** writeUintVar writes a `uint` as the kernel does: a number as 4 bytes, a bigint as 8 (so decoded values re-encode byte for byte). */
export function writeUintVar(w: MessageWriter, type: number, value: number | bigint): void {
  if (typeof value === 'number') {
    if (value <= 0xffffffff) w.u32(type, value);
    else w.u64(type, BigInt(value));
  } else w.u64(type, value);
}

/** writeSintVar writes a `sint`: a number as 4 bytes, a bigint as 8. */
export function writeSintVar(w: MessageWriter, type: number, value: number | bigint): void {
  if (typeof value === 'number') {
    if (value >= -0x80000000 && value <= 0x7fffffff) w.s32(type, value);
    else w.s64(type, BigInt(value));
  } else w.s64(type, value);
}

/** readS16be reads a big-endian s16; throws DecodeError when shorter. */
export function readS16be(view: DataView, s: number, e: number): number {
  if (e - s < 2) throw tooShort('s16', 2, s, e);
  return view.getInt16(s, false);
}

/** readS32be reads a big-endian s32; throws DecodeError when shorter. */
export function readS32be(view: DataView, s: number, e: number): number {
  if (e - s < 4) throw tooShort('s32', 4, s, e);
  return view.getInt32(s, false);
}

/** readS64be reads a big-endian s64; throws DecodeError when shorter. */
export function readS64be(view: DataView, s: number, e: number): bigint {
  if (e - s < 8) throw tooShort('s64', 8, s, e);
  return view.getBigInt64(s, false);
}

/** readIPv4Int reads a 4-byte IPv4 address carried as a u32 (network order) and formats it. */
export function readIPv4Int(view: DataView, s: number, e: number): string {
  if (e - s < 4) throw tooShort('ipv4', 4, s, e);
  return `${view.getUint8(s)}.${view.getUint8(s + 1)}.${view.getUint8(s + 2)}.${view.getUint8(s + 3)}`;
}

/** parseIPv4Strict parses dotted-quad text for a field that only holds IPv4; throws EncodeError (`path` as for encodeEnum). */
export function parseIPv4Strict(text: string, path = ''): Uint8Array {
  const out = typeof text === 'string' ? parseIPv4(text) : undefined;
  if (!out) throw new EncodeError(`not an IPv4 address: ${describeValue(text)}`, path);
  return out;
}

/** putBytes copies up to `len` bytes of `value` into a fixed-size struct field at `at` (the rest stays zero). */
export function putBytes(view: DataView, at: number, value: Uint8Array, len: number): void {
  new Uint8Array(view.buffer, view.byteOffset + at, len).set(value.length > len ? value.subarray(0, len) : value);
}

/** readBitfield32 reads a `struct nla_bitfield32`. */
export function readBitfield32(view: DataView, s: number, e: number): Bitfield32 {
  if (e - s < 8) throw tooShort('bitfield32', 8, s, e);
  return { value: view.getUint32(s, true), selector: view.getUint32(s + 4, true) };
}

/** writeBitfield32 appends a `struct nla_bitfield32` attribute. */
export function writeBitfield32(w: MessageWriter, type: number, v: Bitfield32): void {
  const at = w.attr(type, 8);
  w.view.setUint32(at, v.value >>> 0, true);
  w.view.setUint32(at + 4, v.selector >>> 0, true);
}

/**
 * inAttr prefixes the path of a DecodeError or EncodeError with the attribute
 * (or struct, or `(selector)`) being decoded or encoded and returns the error
 * to rethrow; other errors pass unchanged. Each set's decoder and encoder
 * calls it once, from one try/catch around its loop, so a nested error
 * collects its whole path (`linkinfo.data(vxlan).ttl`) on the way out.
 */
export function inAttr(err: unknown, name: string | undefined): unknown {
  if (name !== undefined && (err instanceof DecodeError || err instanceof EncodeError)) err.withParent(name);
  return err;
}

/** tooShort is the DecodeError for a struct shorter than its known size. */
export function tooShort(what: string, need: number, s: number, e: number): DecodeError {
  return new DecodeError(`${what}: expected ${need} bytes, got ${e - s}`, s);
}

/**
 * readStructArray reads `[s, e)` as back-to-back structs of `size` bytes each
 * (an `x-array` binary attribute such as NHA_GROUP). Throws DecodeError when
 * the length is not a multiple of `size`.
 */
export function readStructArray<T>(view: DataView, s: number, e: number, size: number, read: (view: DataView, s: number, e: number) => T): T[] {
  if ((e - s) % size !== 0) throw new DecodeError(`expected a multiple of ${size} bytes, got ${e - s}`, s);
  const out: T[] = [];
  for (let p = s; p < e; p += size) out.push(read(view, p, p + size));
  return out;
}

/** writeStructArray writes `items` as one attribute of back-to-back structs of `size` bytes (zeroed first, so absent fields are 0). */
export function writeStructArray<T>(w: MessageWriter, type: number, items: readonly T[], size: number, write: (view: DataView, at: number, v: T) => void): void {
  const at = w.attr(type, items.length * size);
  for (let i = 0; i < items.length; i++) write(w.view, at + i * size, items[i]!);
}

/**
 * readRecords reads `[s, e)` as back-to-back records (an `x-array` of records
 * such as RTA_MULTIPATH): each a `size`-byte struct whose member at `lenAt`
 * (`lenBytes` 2 or 4, host order) gives the record's length, struct and
 * attributes, the attributes decoded by `attrs` from the struct's end
 * rounded up to 4; the next record starts at the length rounded up to 4.
 * As the kernel's rtnh_ok: a length shorter than the struct or past the end
 * is refused, and so are bytes left after the last record. Throws
 * DecodeError, `[index]` in its path.
 */
export function readRecords<H, A>(
  view: DataView,
  s: number,
  e: number,
  size: number,
  lenAt: number,
  lenBytes: number,
  header: (view: DataView, s: number, e: number) => H,
  attrs: (view: DataView, s: number, e: number) => A,
): Array<{ header: H; attrs: A }> {
  const out: Array<{ header: H; attrs: A }> = [];
  let p = s;
  for (let i = 0; p < e; i++) {
    try {
      if (e - p < size) throw new DecodeError(`${e - p} bytes after the last record (a record is at least ${size})`, p);
      const len = lenBytes === 2 ? view.getUint16(p + lenAt, true) : view.getUint32(p + lenAt, true);
      if (len < size || len > e - p) throw new DecodeError(`record length ${len} does not fit (${size} to ${e - p})`, p);
      out.push({ header: header(view, p, p + size), attrs: attrs(view, p + ((size + 3) & ~3), p + len) });
      p += (len + 3) & ~3;
    } catch (err) {
      throw inAttr(err, `[${i}]`);
    }
  }
  return out;
}

/**
 * writeRecords writes `items` as one attribute of type `type` holding
 * back-to-back records (see readRecords): each header by `header` (a struct
 * `struct`), the attributes by `attrs`, and the length member set to the
 * record's padded length. Throws EncodeError, `[index]` in its path.
 */
export function writeRecords<H, A>(
  w: MessageWriter,
  type: number,
  items: ReadonlyArray<{ header: Partial<H>; attrs: A }>,
  size: number,
  lenAt: number,
  lenBytes: number,
  struct: string,
  header: (view: DataView, at: number, v: Partial<H>) => void,
  attrs: (w: MessageWriter, v: A) => void,
): void {
  if (!Array.isArray(items)) throw new NotAnObjectError(`expected an array of records (struct ${struct} and attributes), received ${describeValue(items)}`);
  const tok = w.nestStartPlain(type);
  for (let i = 0; i < items.length; i++) {
    try {
      const item = items[i];
      expectObject(item, `struct ${struct} and attributes: { header, attrs }`);
      const at = w.reserve(size);
      try {
        header(w.view, at, item!.header ?? {});
      } catch (err) {
        throw inAttr(err, struct);
      }
      attrs(w, item!.attrs ?? ({} as A));
      const len = w.length - at;
      if (len > (lenBytes === 2 ? 0xffff : 0xffffffff)) throw new EncodeError(`record of ${len} bytes does not fit its ${lenBytes * 8}-bit length`);
      // attrs() may have grown (and replaced) w.view: take it only now.
      if (lenBytes === 2) w.view.setUint16(at + lenAt, len, true);
      else w.view.setUint32(at + lenAt, len, true);
    } catch (err) {
      throw inAttr(err, `[${i}]`);
    }
  }
  w.nestEnd(tok);
}

/**
 * orderBefore returns the raw `nla_type` of each attribute in `[start, p)`, in
 * wire order: the start of a decoder's `order` once the wire departs from the
 * set's usual order at `p`. The headers were already checked by the decoder.
 */
export function orderBefore(view: DataView, start: number, p: number): number[] {
  const order: number[] = [];
  for (let q = start; q < p; q += (view.getUint16(q, true) + 3) & ~3) order.push(view.getUint16(q + 2, true));
  return order;
}

/**
 * recordOrder stores a decoder's `order` on `out` as a non-enumerable
 * property and returns it: the encoder finds it, but it is bookkeeping, not
 * data, so JSON, `Object.keys`, spreads and the console leave it out.
 */
export function recordOrder(out: { order?: number[] }, order: number[]): number[] {
  Object.defineProperty(out, 'order', { value: order, writable: true, configurable: true, enumerable: false });
  return order;
}

/**
 * expectObject refuses a value that is not an object where a nest or a
 * struct belongs. Without it a string or number there (`{ header: 'eth0' }`
 * from plain JavaScript) reads as an object with every field absent: an
 * empty nest or a zeroed header, which can widen a dump or a delete to other
 * objects. Throws EncodeError naming what was expected and what came.
 */
export function expectObject(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) throw new NotAnObjectError(`expected an object (${what}), received ${describeValue(value)}`);
  // A request check's tracing view answers this key with a function, to learn
  // what the object is (`attribute set linkinfo-vxlan-attrs`) for its errors;
  // a plain object has no such key.
  (value as { [ENCODED_AS]?: (what: string) => void })[ENCODED_AS]?.(what);
}

/** ENCODED_AS: the key under which a traced request object learns, from expectObject, what it is encoded as (see src/codec/request-check.ts). */
export const ENCODED_AS: unique symbol = Symbol('nlkit.encodedAs');

/** NotAnObjectError is expectObject's refusal; callers that know the value's path (request checks) rename it. */
export class NotAnObjectError extends EncodeError {
  override name = 'EncodeError';
}

/**
 * notInOrder lists the types of `all` (a set's spec order) that a recorded
 * `order` lacks, so attributes set after decoding are still written.
 */
export function notInOrder(all: readonly number[], order: readonly number[]): number[] {
  const out: number[] = [];
  for (const raw of all) {
    if (raw < 0) continue;
    const t = raw & TYPE_MASK;
    let found = false;
    for (const o of order) {
      if ((o & TYPE_MASK) === t) {
        found = true;
        break;
      }
    }
    if (!found) out.push(raw);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Attribute paths from extended-ACK offsets

/**
 * AttrRow describes one attribute for the path walk: its name, and how to go
 * inside it — `n` nest (of set `ref`), `h` nest with a fixed header of `size`
 * bytes, `s` sub-message `ref` chosen by sibling `selector`, `i` indexed
 * array of nests of set `ref` (or of scalars when `ref` is empty), `t`
 * nest-type-value with `size` levels, `x` struct `ref` (binary).
 */
export type AttrRow =
  | readonly [name: string]
  | readonly [name: string, kind: 'x', ref: string]
  | readonly [name: string, kind: 'n', ref: string]
  | readonly [name: string, kind: 'h', ref: string, size: number]
  | readonly [name: string, kind: 's', ref: string, selector: string]
  | readonly [name: string, kind: 'i', ref: string]
  | readonly [name: string, kind: 't', ref: string, levels: number]
  | readonly [name: string, kind: 'r', ref: string, size: number, struct: string];

/** SubRow: a sub-message's formats by selector value: [fixed header size, attribute set or '' for none]. */
export type SubRow = Readonly<Record<string, readonly [number, string]>>;

/** FamilyTables: what attributePathAt needs to walk a request of one family. */
export interface FamilyTables {
  sets: Readonly<Record<string, Readonly<Record<number, AttrRow>>>>;
  subs: Readonly<Record<string, SubRow>>;
  /** By request message type (netlink-raw) or cmd (genetlink): [fixed header size, attribute set]. */
  messages: Readonly<Record<number, readonly [number, string]>>;
  /** Bytes between nlmsghdr and the family's own fixed header: 4 (genlmsghdr) for generic netlink, else 0. */
  genl: boolean;
}

/**
 * lazyTables returns a family's tables from their JSON text, parsed on the first call and kept.
 * Generated codecs carry their tables as text because only an error reads them (an extended
 * ACK's attribute path, a decoder's DecodeError), while the same data as an object literal
 * costs every process that loads the codec time to compile: ~1.2 ms for the link and address
 * codecs that `Rtnl.open` loads (bench/README).
 */
export function lazyTables(json: string): () => FamilyTables {
  let tables: FamilyTables | undefined;
  return () => (tables ??= JSON.parse(json) as FamilyTables);
}

/** tableAttrName is the spec's name of attribute `type` of set `set`, or undefined for a type the set does not have. */
export function tableAttrName(t: FamilyTables, set: string, type: number): string | undefined {
  return t.sets[set]?.[type]?.[0];
}

function selectorValue(view: DataView, start: number, end: number, rows: Readonly<Record<number, AttrRow>>, selector: string): string | undefined {
  for (let p = start; end - p >= 4; ) {
    const len = view.getUint16(p, true);
    if (len < 4 || len > end - p) return undefined;
    const row = rows[view.getUint16(p + 2, true) & TYPE_MASK];
    if (row && row[0] === selector) {
      let s = '';
      for (let i = p + 4; i < p + len; i++) {
        const c = view.getUint8(i);
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      return s;
    }
    p += (len + 3) & ~3;
  }
  return undefined;
}

function walk(t: FamilyTables, view: DataView, start: number, end: number, set: string, offset: number): string | undefined {
  const rows = t.sets[set];
  for (let p = start; end - p >= 4; ) {
    const len = view.getUint16(p, true);
    if (len < 4 || len > end - p) return undefined;
    const type = view.getUint16(p + 2, true) & TYPE_MASK;
    const next = p + ((len + 3) & ~3);
    if (offset >= p && offset < next) {
      const row: AttrRow | undefined = rows?.[type];
      const name = row ? row[0] : String(type);
      if (offset === p || !row || row.length === 1) return name;
      const s = p + 4;
      const e = p + len;
      let inner: string | undefined;
      switch (row[1]) {
        case 'x':
          return name;
        case 'n':
          inner = walk(t, view, s, e, row[2], offset);
          return inner === undefined ? name : `${name}.${inner}`;
        case 'h':
          inner = walk(t, view, s + ((row[3] + 3) & ~3), e, row[2], offset);
          return inner === undefined ? name : `${name}.${inner}`;
        case 's': {
          const sel = selectorValue(view, start, end, rows!, row[3]);
          const fmt = sel === undefined ? undefined : t.subs[row[2]]?.[sel];
          if (!fmt || fmt[1] === '') return name;
          inner = walk(t, view, s + ((fmt[0] + 3) & ~3), e, fmt[1], offset);
          return inner === undefined ? `${name}(${sel})` : `${name}(${sel}).${inner}`;
        }
        case 'r': {
          // Records: `[index]`, then the attributes after the record's struct.
          for (let q = s, i = 0; e - q >= row[3]; i++) {
            const l = view.getUint16(q, true);
            if (l < row[3] || l > e - q) return name;
            const qn = q + ((l + 3) & ~3);
            if (offset >= q && offset < qn) {
              const at = `${name}[${i}]`;
              inner = walk(t, view, q + ((row[3] + 3) & ~3), q + l, row[2], offset);
              return inner === undefined ? at : `${at}.${inner}`;
            }
            q = qn;
          }
          return name;
        }
        case 'i':
        case 't': {
          const levels = row[1] === 't' ? row[3] : 1;
          let path = name;
          let a = s;
          let b = e;
          for (let level = 0; level < levels; level++) {
            let found = false;
            for (let q = a; b - q >= 4; ) {
              const l = view.getUint16(q, true);
              if (l < 4 || l > b - q) return path;
              const qn = q + ((l + 3) & ~3);
              if (offset >= q && offset < qn) {
                path += `[${view.getUint16(q + 2, true) & TYPE_MASK}]`;
                if (offset === q) return path;
                a = q + 4;
                b = q + l;
                found = true;
                break;
              }
              q = qn;
            }
            if (!found) return path;
          }
          if (row[2] === '') return path;
          inner = walk(t, view, a, b, row[2], offset);
          return inner === undefined ? path : `${path}.${inner}`;
        }
      }
    }
    p = next;
  }
  return undefined;
}

/**
 * walkAttributePath returns the path (`linkinfo.data(vxlan).port`) of the
 * attribute at `offset` bytes from the start of the request's nlmsghdr, or
 * undefined when the message type is not this family's or the offset does
 * not fall on an attribute. `messageType` is the nlmsg_type (netlink-raw);
 * for generic netlink the cmd is read from the genlmsghdr instead.
 */
export function walkAttributePath(t: FamilyTables, request: Uint8Array, messageType: number, offset: number): string | undefined {
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  if (request.length < 16) return undefined;
  const end = Math.min(request.length, view.getUint32(0, true));
  let p = 16;
  let key = messageType;
  if (t.genl) {
    if (end - p < 4) return undefined;
    key = view.getUint8(p);
    p += 4;
  }
  const msg = t.messages[key];
  if (!msg) return undefined;
  return walk(t, view, p + ((msg[0] + 3) & ~3), end, msg[1], offset);
}

// ---------------------------------------------------------------------------
// Generic netlink family descriptors

/** GenlRequest: one way to call an operation (`do` or `dump`). */
export interface GenlRequest<Req, Rep> {
  /** genlmsghdr.cmd of the request. */
  readonly cmd: number;
  /** genlmsghdr.cmd the kernel answers with, or undefined when no reply carries data. */
  readonly replyCmd: number | undefined;
  /** Writes everything after the genlmsghdr. */
  readonly encode: (w: MessageWriter, value: Req) => void;
  /** Reads everything after the genlmsghdr (`start` is just past it). */
  readonly decode: ((view: DataView, start: number, end: number) => Rep) | undefined;
}

/** GenlNotification: a message the kernel multicasts unasked. */
export interface GenlNotification<Rep> {
  readonly cmd: number;
  readonly decode: ((view: DataView, start: number, end: number) => Rep) | undefined;
  /** The multicast group it is sent to, when the spec says. */
  readonly mcgrp: string | undefined;
}

/** GenlOperation: what an operation offers. */
export interface GenlOperation {
  readonly do?: GenlRequest<never, unknown>;
  readonly dump?: GenlRequest<never, unknown>;
  readonly notify?: GenlNotification<unknown>;
}

/** GenlFamilyDescriptor: everything the generic netlink runtime needs to use one family by name. */
export interface GenlFamilyDescriptor {
  /** The name to resolve with nlctrl (CTRL_CMD_GETFAMILY). */
  readonly name: string;
  /** genlmsghdr.version to send. */
  readonly version: number;
  /** Size of the family's own fixed header after genlmsghdr (0 for most). */
  readonly headerSize: number;
  readonly ops: Readonly<Record<string, GenlOperation>>;
  /** Multicast group names (ids are resolved at run time with nlctrl). */
  readonly mcgrps: readonly string[];
  /** The attribute path at an extended-ACK offset in a request of this family (the module's `attributePathAt`). */
  readonly attributePathAt?: AttributePathAt;
}

export type { AttributePathAt };

// ---------------------------------------------------------------------------
// rtnetlink (netlink-raw) family descriptors

/** RtnlRequest: one way to call an rtnetlink operation (`do` or `dump`). */
export interface RtnlRequest<Req, Rep> {
  /** nlmsg_type of the request. */
  readonly type: number;
  /** nlmsg_type of the replies, or undefined when the kernel answers with an ACK only. */
  readonly replyType: number | undefined;
  /** Writes everything after the nlmsghdr (fixed header, then attributes). */
  readonly encode: (w: MessageWriter, value: Req) => void;
  /** Reads everything after the nlmsghdr (`start` is just past it). */
  readonly decode: ((view: DataView, start: number, end: number) => Rep) | undefined;
}

/** RtnlOperation: what an rtnetlink operation offers. */
export interface RtnlOperation {
  readonly do?: RtnlRequest<never, unknown>;
  readonly dump?: RtnlRequest<never, unknown>;
}

/** RtnlFamilyDescriptor: everything the family runtime needs to use one netlink-raw family (rt-link, tc, …) by name. */
export interface RtnlFamilyDescriptor {
  readonly name: string;
  /** The netlink protocol number (NETLINK_ROUTE is 0). */
  readonly protocol: number;
  readonly ops: Readonly<Record<string, RtnlOperation>>;
  /** Multicast group name → RTNLGRP_* number. */
  readonly mcgrps: Readonly<Record<string, number>>;
  /** nlmsg_type → [operation name, decoder of that message]: how notifications are named and read. */
  readonly messages: Readonly<Record<number, readonly [string, ((view: DataView, start: number, end: number) => unknown) | undefined]>>;
  readonly attributePathAt: AttributePathAt;
}

/** FamilyDescriptor: a generated `<family>Family` descriptor of either kind. */
export type FamilyDescriptor = GenlFamilyDescriptor | RtnlFamilyDescriptor;
