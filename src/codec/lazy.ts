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
  /** The fixed header and the eager attributes only, over `[0, eagerEnd)`. */
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
 * splitMessage copies `[start, end)` of `view` (a message after its
 * nlmsghdr: a `headerSize`-byte fixed header, then attributes) and builds
 * the short message of the header and the attributes `eager` marks. Returns
 * undefined when the message is not well framed (a fixed header cut short,
 * an attribute length out of bounds): the caller then decodes it whole,
 * now, so the decoder reports the fault as it always does.
 */
export function splitMessage(view: DataView, start: number, end: number, headerSize: number, eager: Uint8Array): SplitMessage | undefined {
  const length = end - start;
  if (length < headerSize) return undefined;
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, length).slice();
  const out = new Uint8Array(length);
  let n = Math.min(align4(headerSize), length);
  out.set(bytes.subarray(0, n));
  const limit = eager.length;
  for (let p = n; p < length; ) {
    if (length - p < NLA_HDRLEN) return undefined;
    const alen = bytes[p]! | (bytes[p + 1]! << 8);
    if (alen < NLA_HDRLEN || alen > length - p) return undefined;
    const type = (bytes[p + 2]! | (bytes[p + 3]! << 8)) & NLA_TYPE_MASK;
    const next = p + align4(alen);
    if (type < limit && eager[type] === 1) {
      const stop = Math.min(next, length);
      out.set(bytes.subarray(p, stop), n);
      n += stop - p;
    }
    p = next;
  }
  return { bytes, eager: new DataView(out.buffer), eagerEnd: n };
}

/**
 * once returns a function that calls `fn` the first time and returns its
 * result from then on: the decode of a kept message, shared by every lazy
 * field of one object.
 */
export function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}
