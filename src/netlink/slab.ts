/**
 * Slabs: where copies of kernel messages that objects keep (to decode their
 * rarely read parts later) live, many copies to one ArrayBuffer of 64 KiB
 * instead of one ArrayBuffer each. Every ArrayBuffer is a backing store of
 * its own that V8 allocates, tracks and frees far more slowly than a view on
 * a shared one. A slab lives as long as anything keeps a copy in it, so only
 * copies that live about as long as their neighbours belong here: the
 * messages of one dump or one datagram, not a notification kept alone.
 */

/** The size of a slab, and so the furthest into one a copy starts (below 64 KiB). */
export const SLAB_SIZE = 64 * 1024;

let slab = new Uint8Array(0);
let used = 0;

/** Where the last slabCopy put its bytes: `bytes[offset, offset + length)`. One record, reused: read it at once. */
export const slabPlace: { bytes: Uint8Array; offset: number } = { bytes: slab, offset: 0 };

/**
 * slabCopy copies `length` bytes of `from` at `at` (at most SLAB_SIZE) into
 * the current slab, or a new one when it is full, and records where in
 * slabPlace. Each copy starts 8-byte aligned, where a DataView over it
 * reads u64s at natural alignment.
 */
export function slabCopy(from: Uint8Array, at: number, length: number): void {
  if (used + length > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  copyBytes(from, at, slab, used, length);
  slabPlace.bytes = slab;
  slabPlace.offset = used;
  used += (length + 7) & ~7;
}

/**
 * copyBytes copies `length` bytes of `from` at `at` into `to` at `into`. A
 * few bytes go by a loop (a subarray for set() is an object to allocate);
 * more by set(), which copies natively: a byte loop is what V8 runs slowest
 * while the code is still cold, on a program's first listing.
 */
export function copyBytes(from: Uint8Array, at: number, to: Uint8Array, into: number, length: number): void {
  if (length <= 24) {
    for (let i = 0; i < length; i++) to[into + i] = from[at + i]!;
  } else to.set(from.subarray(at, at + length), into);
}
