/**
 * Fuzz the generated decoders with mutated frames (seeded, so failures
 * reproduce): bit flips, truncations, corrupted length fields. A decoder must
 * return or throw DecodeError — never RangeError/TypeError, never hang.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { DecodeError } from '../../src/netlink/errors.js';
import { codecFor, fixture, hexToBytes } from './fixtures.js';

// Every generated family module (the generated index re-exports only the rtnetlink ones).
const generatedDir = new URL('../../src/generated/', import.meta.url);
const generated: Record<string, unknown> = {};
for (const file of readdirSync(generatedDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort()) {
  generated[file.slice(0, -3)] = await import(new URL(file, generatedDir).href);
}

/** xorshift32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = src.slice();
  const kind = rnd() % 4;
  const at = rnd() % b.length;
  switch (kind) {
    case 0: // bit flips
      for (let i = 1 + (rnd() % 4); i > 0; i--) {
        const p = rnd() % b.length;
        b[p]! ^= 1 << (rnd() % 8);
      }
      return b;
    case 1: // truncation (nlmsg_len kept or fixed up)
      return b.subarray(0, Math.max(16, at));
    case 2: {
      // corrupt a length field: any 16-bit word, 4-aligned, becomes something else
      const p = (at & ~3) + (rnd() % 2) * 2;
      if (p + 1 < b.length) {
        const v = rnd() % 3 === 0 ? rnd() & 0xffff : rnd() % 12;
        b[p] = v & 0xff;
        b[p + 1] = v >> 8;
      }
      return b;
    }
    default: // random bytes in a window
      for (let i = 0; i < 8 && at + i < b.length; i++) b[at + i] = rnd() & 0xff;
      return b;
  }
}

function decodeOnly(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw new Error(`${what}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
  }
}

describe('fuzz', () => {
  it('100,000 mutated kernel messages through the message decoders', () => {
    const frames = Object.entries(fixture.messages).flatMap(([req, list]) => list.map((hex) => ({ req, bytes: hexToBytes(hex) })));
    const rnd = prng(0x5eed);
    const t0 = performance.now();
    let errors = 0;
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const f = frames[i % frames.length]!;
      const codec = codecFor(f.req, new DataView(f.bytes.buffer).getUint16(4, true))!;
      const b = mutate(f.bytes, rnd);
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      try {
        codec.decode(view, 16, b.length);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw new Error(`frame ${i} (${f.req}): ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
        errors++;
      }
    }
    const ms = performance.now() - t0;
    expect(errors).toBeGreaterThan(0);
    expect(ms).toBeLessThan(20_000);
  });

  it('every generated decoder, every family: random and mutated attribute streams', () => {
    const rnd = prng(42);
    // seed streams: real attribute bytes (payloads of captured messages past their fixed headers)
    const seeds = Object.values(fixture.messages)
      .flat()
      .map((hex) => hexToBytes(hex).subarray(16));
    let calls = 0;
    for (const [family, mod] of Object.entries(generated)) {
      if (typeof mod !== 'object' || mod === null) continue;
      for (const [name, fn] of Object.entries(mod as Record<string, unknown>)) {
        if (!name.startsWith('decode') || typeof fn !== 'function') continue;
        for (let i = 0; i < 400; i++) {
          let b: Uint8Array;
          if (i % 3 === 0) {
            b = new Uint8Array(rnd() % 96);
            for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
            // make some lengths plausible so decoders get past the first attribute
            for (let j = 0; j + 1 < b.length; j += 4 + (rnd() % 3) * 4) b[j] = 4 + (rnd() % 12);
          } else {
            b = mutate(seeds[rnd() % seeds.length]!, rnd);
          }
          const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
          const s = rnd() % 8 === 0 ? Math.min(b.length, rnd() % 20) : 0;
          decodeOnly(() => (fn as (v: DataView, s: number, e: number, sel?: string) => unknown)(view, s, b.length, 'vxlan'), `${family}.${name}`);
          calls++;
        }
      }
    }
    expect(calls).toBeGreaterThan(100_000);
  });
});
