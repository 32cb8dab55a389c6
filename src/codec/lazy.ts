/**
 * Lazy decoding: an object is built from the few attributes its fields need,
 * and the rest of its message (statistics, per-protocol settings, the full
 * `attrs` tree) is decoded only when first read, from a copy of the
 * message's bytes the object keeps.
 *
 * Decoding a whole RTM_NEWLINK of a veth (~1.5 KiB, 45 attributes, a hundred
 * 64-bit counters as bigints) costs far more than the dozen fields a listing
 * shows, and most of the garbage it makes is never read. `splitMessage`
 * copies the message once (the copy the object keeps) and, beside it, a
 * short message holding only the fixed header and the attributes named
 * "eager", in their wire order: the generated decoder run on that short
 * message gives exactly the fields those attributes make, and run later on
 * the kept copy gives the whole message, byte for byte what an eager decode
 * would have given.
 *
 * ```
 *  kept copy:  | header | a1 | RARE | a2 | RARE | RARE | a3 |   (decoded on first access)
 *  eager copy: | header | a1 | a2 | a3 |                       (decoded now)
 * ```
 */
import { NLA_HDRLEN, NLA_TYPE_MASK, align4 } from '../netlink/constants.js';
import { JsonReady } from './json.js';

/**
 * Where the last keepMessage or splitMessage put its copy of a message (after
 * its nlmsghdr): `buffer[offset, offset + length)`. One record, reused by
 * every call: read it at once (an object keeps the three values, not the
 * record, which saves a view object per message).
 */
export interface KeptMessage {
  buffer: Uint8Array;
  offset: number;
  length: number;
}

/** A message split for lazy decoding (see splitMessage). */
export interface SplitMessage {
  /** The copy of the whole message (fixed header and every attribute): what the object keeps. */
  kept: KeptMessage;
  /**
   * The fixed header and the eager attributes only, over `[0, eagerEnd)`. A scratch buffer
   * shared by every call: valid until the next splitMessage, so decode it at once (the
   * decoders copy whatever they keep).
   */
  eager: DataView;
  eagerEnd: number;
}

const kept: KeptMessage = { buffer: new Uint8Array(0), offset: 0, length: 0 };

/**
 * eagerTypes makes the lookup table splitMessage takes from attribute
 * numbers (without NLA_F_NESTED / NLA_F_NET_BYTEORDER bits).
 */
export function eagerTypes(types: readonly number[]): Uint8Array {
  const table = new Uint8Array(Math.max(0, ...types) + 1);
  for (const t of types) table[t] = 1;
  return table;
}

/**
 * Kept copies of a dump's messages go into shared slabs: one ArrayBuffer per
 * ~64 KiB of messages instead of one per message (each ArrayBuffer is a
 * separate backing store that V8 allocates, tracks and frees far more slowly
 * than a view on a shared one). A slab lives as long as any object keeping a
 * message in it; that is at most what the dump that filled it returned, so
 * only dump replies use slabs (`shared`). A notification or a GET reply,
 * which may be kept alone for long, gets a buffer of its own.
 */
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

/** The receive buffer keepMessage last copied from, and its bytes. */
let sourceBuffer: ArrayBufferLike | undefined;
let sourceBytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);

/**
 * keepMessage copies `[start, end)` of `view` into memory nothing else
 * writes: a slab (`shared`: the message is part of a dump, whose copies may
 * share slabs) or a buffer of its own. Returns the (reused) record of where.
 */
export function keepMessage(view: DataView, start: number, end: number, shared: boolean): KeptMessage {
  const length = end - start;
  if (!shared || length > SLAB_SIZE / 8) {
    kept.buffer = new Uint8Array(view.buffer, view.byteOffset + start, length).slice();
    kept.offset = 0;
  } else {
    if (slabUsed + length > slab.length) {
      slab = new Uint8Array(SLAB_SIZE);
      slabUsed = 0;
    }
    if (view.buffer !== sourceBuffer) {
      sourceBuffer = view.buffer;
      sourceBytes = new Uint8Array(sourceBuffer);
    }
    copyBytes(sourceBytes, view.byteOffset + start, slab, slabUsed, length);
    kept.buffer = slab;
    kept.offset = slabUsed;
    // 8-byte aligned, so each copy starts where a DataView over it reads u64s at natural alignment.
    slabUsed += (length + 7) & ~7;
  }
  kept.length = length;
  return kept;
}

/** The eager message is decoded at once and never kept: one scratch buffer serves every split. */
let scratch = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);

/**
 * splitMessage copies `[start, end)` of `view` (a message after its
 * nlmsghdr: a `headerSize`-byte fixed header, then attributes) and builds
 * the short message of the header and the attributes `eager` marks.
 * `shared`: the message is part of a dump, whose copies may share slabs.
 * Returns undefined when the message is not well framed (a fixed header cut
 * short, an attribute length out of bounds): the caller then decodes it
 * whole, now, so the decoder reports the fault as it always does.
 */
export function splitMessage(view: DataView, start: number, end: number, headerSize: number, eager: Uint8Array, shared = false): SplitMessage | undefined {
  // Checked on the source, before anything is kept: a message that is not well framed keeps nothing.
  if (!wellFramed(view, start, end, headerSize)) return undefined;
  const length = end - start;
  const copy = keepMessage(view, start, end, shared);
  const bytes = copy.buffer;
  const base = copy.offset;
  if (scratch.length < length) {
    scratch = new Uint8Array(Math.max(length, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  const out = scratch;
  let n = Math.min(align4(headerSize), length);
  copyBytes(bytes, base, out, 0, n);
  const limit = eager.length;
  for (let p = n; p < length; ) {
    const alen = bytes[base + p]! | (bytes[base + p + 1]! << 8);
    const type = (bytes[base + p + 2]! | (bytes[base + p + 3]! << 8)) & NLA_TYPE_MASK;
    const next = p + align4(alen);
    if (type < limit && eager[type] === 1) {
      const stop = Math.min(next, length);
      copyBytes(bytes, base + p, out, n, stop - p);
      n += stop - p;
    }
    p = next;
  }
  split.kept = copy;
  split.eager = scratchView;
  split.eagerEnd = n;
  return split;
}

const split: SplitMessage = { kept, eager: scratchView, eagerEnd: 0 };

/**
 * indexAttributes walks the attributes in `[p, end)` and records, for every
 * type `wanted` marks (an eagerTypes table), where the payload of its last
 * occurrence starts and ends: `spans[2 * type]` and `spans[2 * type + 1]`,
 * -1 when absent (`spans` holds 2 × wanted.length entries). No copy, no
 * object: a kind's wire converter reads its fields straight from the
 * message with it. False when an attribute length is out of bounds (the
 * caller then lets the generated decoder report it).
 */
export function indexAttributes(view: DataView, p: number, end: number, wanted: Uint8Array, spans: Int32Array): boolean {
  spans.fill(-1);
  const limit = wanted.length;
  while (p < end) {
    if (end - p < NLA_HDRLEN) return false;
    const alen = view.getUint16(p, true);
    if (alen < NLA_HDRLEN || alen > end - p) return false;
    const type = view.getUint16(p + 2, true) & NLA_TYPE_MASK;
    if (type < limit && wanted[type] === 1) {
      spans[2 * type] = p + NLA_HDRLEN;
      spans[2 * type + 1] = p + alen;
    }
    p += align4(alen);
  }
  return true;
}

/**
 * copyBytes copies `length` bytes of `from` at `at` into `to` at `into`. A
 * few bytes go by a loop (a subarray for set() is an object to allocate);
 * more by set(), which copies natively: a byte loop is what V8 runs slowest
 * while the code is still cold, on a program's first listing.
 */
function copyBytes(from: Uint8Array, at: number, to: Uint8Array, into: number, length: number): void {
  if (length <= 24) {
    for (let i = 0; i < length; i++) to[into + i] = from[at + i]!;
  } else to.set(from.subarray(at, at + length), into);
}

/**
 * wellFramed tells whether `[start, end)` is a fixed header of `headerSize`
 * bytes followed by attributes whose lengths stay inside it (the last one's
 * padding may be cut short, as the kernel allows).
 */
function wellFramed(view: DataView, start: number, end: number, headerSize: number): boolean {
  if (end - start < headerSize) return false;
  for (let p = start + Math.min(align4(headerSize), end - start); p < end; ) {
    if (end - p < NLA_HDRLEN) return false;
    const alen = view.getUint16(p, true);
    if (alen < NLA_HDRLEN || alen > end - p) return false;
    p += align4(alen);
  }
  return true;
}

/** keptView is a DataView over a kept message, for decoding it: `[0, length)`. */
function keptView(buffer: Uint8Array, offset: number, length: number): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset + offset, length);
}

/** Nesting depth of `peek`: while above 0, lazy parts are decoded and not kept. */
let peeking = 0;

/**
 * peek runs `read` with lazy objects decoding what it reads without keeping
 * the decode: a comparison of every object of a view (a resync) reads each
 * one's `attrs` once, and keeping those would grow every object to its
 * eager size for good.
 */
export function peek<T>(read: () => T): T {
  peeking++;
  try {
    return read();
  } finally {
    peeking--;
  }
}

/**
 * lazyAccessor is the property descriptor of a lazy field: enumerable like
 * the data field it stands for. Make one per field and kind, and define it
 * on every object (see KeptObject).
 */
export function lazyAccessor<T>(get: (this: T) => unknown): PropertyDescriptor {
  return { get, enumerable: true, configurable: true };
}

/**
 * KeptObject is the base of objects that decode a part of themselves on
 * first read, from a copy of their message they keep (the kinds declaring
 * `lazy` in the registry: links, routes), or rebuild it from their own
 * fields when those hold all of it (routes whose every attribute a field
 * shows: nothing is kept). Its two fields are private: no key list, spread
 * copy, JSON or console output sees them.
 *
 * A subclass assigns its fields in order, defining the lazy ones (`attrs`,
 * a Link's `stats`) with one shared accessor descriptor each: objects whose
 * accessors are the same functions share V8's hidden class and stay as
 * compact as plain data (a getter written in an object literal is a new
 * function per object, and puts each object in dictionary mode).
 */
export class KeptObject<M> {
  /** The buffer holding the message until first decoded, then the decode; undefined: rebuilt from the fields (see #at). */
  #kept: Uint8Array | M | undefined = undefined;
  /**
   * In a shared slab: offset << 15 | length (slab copies are at most 8 KiB); -1: the message is all of #kept.
   * With nothing kept: the tag the kind's `derive` gave, for its `rebuild`.
   */
  #at = -1;

  /** keep records where this object's message is (the record keepMessage or splitMessage returned), or the tag of a message not kept. */
  protected keep(k: KeptMessage | number): void {
    if (typeof k === 'number') {
      this.#kept = undefined;
      this.#at = k;
      return;
    }
    this.#kept = k.buffer;
    this.#at = k.offset === 0 && k.length === k.buffer.length ? -1 : (k.offset << 15) | k.length;
  }

  /**
   * whole returns the whole message (or what `rebuild` makes of the object's
   * fields and tag when nothing was kept), decoded by `decode` the first
   * time and kept from then on (except inside `peek`).
   */
  protected whole(decode: (view: DataView, start: number, end: number) => M, rebuild?: (tag: number) => M): M {
    const kept = this.#kept;
    const at = this.#at;
    let m: M;
    if (kept instanceof Uint8Array) {
      const offset = at < 0 ? 0 : at >>> 15;
      const length = at < 0 ? kept.length : at & 0x7fff;
      m = decode(keptView(kept, offset, length), 0, length);
    } else if (kept === undefined) m = rebuild!(at);
    else return kept;
    if (peeking === 0) this.#kept = m;
    return m;
  }

  /**
   * sameMessage tells whether `a` and `b` keep byte-identical copies of their
   * messages, neither decoded yet: then they are equal objects (each is a
   * function of its bytes). False says nothing.
   */
  static sameMessage(a: KeptObject<unknown>, b: KeptObject<unknown>): boolean {
    const x = a.#kept;
    const y = b.#kept;
    if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const ax = a.#at;
    const bx = b.#at;
    const xo = ax < 0 ? 0 : ax >>> 15;
    const yo = bx < 0 ? 0 : bx >>> 15;
    const n = ax < 0 ? x.length : ax & 0x7fff;
    if (n !== (bx < 0 ? y.length : bx & 0x7fff)) return false;
    for (let i = 0; i < n; i++) if (x[xo + i] !== y[yo + i]) return false;
    return true;
  }
}
// Printed and serialised like every object nlkit returns (codec/json.ts).
Object.setPrototypeOf(KeptObject.prototype, JsonReady);
