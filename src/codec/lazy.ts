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

/** A message split for lazy decoding (see splitMessage). */
export interface SplitMessage {
  /** A copy of the whole message after the nlmsghdr (fixed header and every attribute): what the object keeps. */
  bytes: Uint8Array;
  /**
   * The fixed header and the eager attributes only, over `[0, eagerEnd)`. A scratch buffer
   * shared by every call: valid until the next splitMessage, so decode it at once (the
   * decoders copy whatever they keep).
   */
  eager: DataView;
  eagerEnd: number;
}

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

/** keepCopy copies `[start, start + length)` of `view` into memory nothing else writes: a slab (`shared`) or its own buffer. */
function keepCopy(view: DataView, start: number, length: number, shared: boolean): Uint8Array {
  const source = new Uint8Array(view.buffer, view.byteOffset + start, length);
  if (!shared || length > SLAB_SIZE / 8) return source.slice();
  if (slabUsed + length > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + length);
  out.set(source);
  // 8-byte aligned, so each copy starts where a DataView over it reads u64s at natural alignment.
  slabUsed += (length + 7) & ~7;
  return out;
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
  const length = end - start;
  if (length < headerSize) return undefined;
  const bytes = keepCopy(view, start, length, shared);
  if (scratch.length < length) {
    scratch = new Uint8Array(Math.max(length, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  const out = scratch;
  let n = Math.min(align4(headerSize), length);
  // Byte loops, not set(subarray): a subarray is an object to allocate per attribute, and these are a few bytes each.
  for (let i = 0; i < n; i++) out[i] = bytes[i]!;
  const limit = eager.length;
  for (let p = n; p < length; ) {
    if (length - p < NLA_HDRLEN) return undefined;
    const alen = bytes[p]! | (bytes[p + 1]! << 8);
    if (alen < NLA_HDRLEN || alen > length - p) return undefined;
    const type = (bytes[p + 2]! | (bytes[p + 3]! << 8)) & NLA_TYPE_MASK;
    const next = p + align4(alen);
    if (type < limit && eager[type] === 1) {
      const stop = Math.min(next, length);
      for (let i = p; i < stop; i++) out[n++] = bytes[i]!;
    }
    p = next;
  }
  return { bytes, eager: scratchView, eagerEnd: n };
}
