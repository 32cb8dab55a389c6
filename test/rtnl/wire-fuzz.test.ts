/**
 * The kinds' wire converters (link, address, route `fromWire`, with the lazy
 * objects they keep) against the generated path they stand in for, on
 * mutated kernel messages: the captured replies of test/fixtures/rtnl-dump.json,
 * each changed by a seeded PRNG (bit flips, byte sets, truncations,
 * attribute lengths and types, attributes swapped or repeated).
 *
 * For every mutated message, the object `list()` would build (objectDecoder,
 * as a dump part and as a single reply) must be the one the generated
 * decoder and `convert` build: the same JSON, keys in the same order, `attrs`
 * and `stats` included — read after the source buffer was overwritten, as a
 * receive buffer is. Where the generated path throws, the same error must
 * come, at the latest when the lazy part is first read. Only the byte offset
 * in an error's text is left out of the comparison: a lazy part is decoded
 * from the object's copy of its message, so its offsets count from the
 * message's fixed header, not from the datagram it came in.
 */
import { describe, expect, it } from 'vitest';
import { objectDecoder, loadKind, type ObjectKind } from '../../src/registry/kind.js';
import { linkKind } from '../../src/registry/kinds/link.js';
import { addressKind } from '../../src/registry/kinds/address.js';
import { routeKind } from '../../src/registry/kinds/route-kind.js';
import { NLM_F_MULTI } from '../../src/netlink/constants.js';
import { fixture } from '../codegen/fixtures.js';
import { fromHex, viewOf, walkAttrs, type WalkedAttr } from '../helpers/walk.js';
import { prng } from '../helpers/prng.js';

// The route kind's codec loads on first use (route-kind.ts).
await loadKind(routeKind);

/** A seed: one message's body (after its nlmsghdr) and its nlmsg_type. */
interface Seed {
  type: number;
  body: Uint8Array;
}

function seeds(request: string): Seed[] {
  return fixture.messages[request]!.map((hex) => {
    const bytes = fromHex(hex);
    return { type: viewOf(bytes).getUint16(4, true), body: bytes.slice(16) };
  });
}

/** Every attribute of `body` after a `headerSize`-byte fixed header, nested ones included (none when the framing is off). */
function attributesOf(body: Uint8Array, headerSize: number): WalkedAttr[] {
  const out: WalkedAttr[] = [];
  const visit = (list: WalkedAttr[]) => {
    for (const a of list) {
      out.push(a);
      if (a.children) visit(a.children);
    }
  };
  try {
    visit(walkAttrs(viewOf(body), headerSize, body.length));
  } catch {
    // framing already broken by an earlier round
  }
  return out;
}

/** mutate changes a copy of `body` in one to three rounds. */
function mutate(body: Uint8Array, headerSize: number, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  let b = body.slice();
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const attrs = attributesOf(b, headerSize);
    const v = viewOf(b);
    const pickAttr = () => attrs[int(attrs.length)];
    switch (int(8)) {
      case 0:
        for (let i = 1 + int(6); i > 0 && b.length; i--) b[int(b.length)]! ^= 1 << int(8);
        break;
      case 1: {
        const values = [0, 0xff, 0x80, 0x7f, 1, 4, 16];
        for (let i = 1 + int(4); i > 0 && b.length; i--) b[int(b.length)] = rnd() < 0.5 ? values[int(values.length)]! : int(256);
        break;
      }
      case 2:
        b = b.slice(0, int(b.length + 1));
        break;
      case 3: {
        // nla_len: shorter, longer, out of bounds, below a header
        const a = pickAttr();
        if (!a) break;
        const len = a.end - a.at;
        v.setUint16(a.at, [0, 3, 4, 5, len - 1, len + 1, len + 4, len - 4, 0xffff, int(0x10000)][int(10)]! & 0xffff, true);
        break;
      }
      case 4: {
        // nla_type: another attribute's number, or flag bits
        const a = pickAttr();
        if (!a) break;
        const raw = v.getUint16(a.at + 2, true);
        v.setUint16(a.at + 2, rnd() < 0.3 ? raw ^ (rnd() < 0.5 ? 0x8000 : 0x4000) : (raw & 0xc000) | int(64), true);
        break;
      }
      case 5: {
        // a value's bytes: a value of another size in the same room
        const a = pickAttr();
        if (!a || a.end - a.at <= 4) break;
        for (let p = a.at + 4; p < a.end; p++) b[p] = int(256);
        break;
      }
      case 6: {
        // two top-level attributes swapped (the kernel's order broken)
        const top = attributesOf(b, headerSize).filter((x) => x.at >= headerSize && !attrs.some((o) => o.children?.includes(x)));
        if (top.length < 2) break;
        const i = int(top.length - 1);
        const [x, y] = [top[i]!, top[i + 1]!];
        const xEnd = x.at + ((x.end - x.at + 3) & ~3);
        const yEnd = Math.min(b.length, y.at + ((y.end - y.at + 3) & ~3));
        if (xEnd !== y.at) break;
        b = Uint8Array.from([...b.subarray(0, x.at), ...b.subarray(y.at, yEnd), ...b.subarray(x.at, xEnd), ...b.subarray(yEnd)]);
        break;
      }
      default: {
        // a top-level attribute repeated at the end
        const a = pickAttr();
        if (!a) break;
        const padded = b.subarray(a.at, Math.min(b.length, a.at + ((a.end - a.at + 3) & ~3)));
        const grown = new Uint8Array(((b.length + 3) & ~3) + padded.length);
        grown.set(b);
        grown.set(padded, (b.length + 3) & ~3);
        b = grown;
      }
    }
  }
  return b;
}

/** What building an object from `build()` and printing it gives: its JSON, or the error it throws on the way. */
function outcome(build: () => unknown, afterBuild?: () => void): string {
  try {
    const o = build();
    afterBuild?.();
    return `${Object.keys(o as object).join(',')}\n${JSON.stringify(o)}`;
  } catch (err) {
    // See the file's comment: offsets count from different starts.
    return `threw ${String(err)}`.replace(/ \(at byte \d+\)/, ' (at byte N)');
  }
}

/** The decoder objectDecoder gives, run on a copy of `body` that is overwritten as soon as the object is built. */
function viaWire(kind: ObjectKind<any, any, any, any>, seed: Seed, body: Uint8Array, flags: number): string {
  const decode = objectDecoder(kind);
  // The body at an offset inside a larger buffer, as in a datagram.
  const source = new Uint8Array(body.length + 24);
  source.set(body, 16);
  return outcome(
    () => decode(new DataView(source.buffer), 16, 16 + body.length, seed.type, flags),
    () => source.fill(0xa5),
  );
}

function viaGenerated(kind: ObjectKind<any, any, any, any>, body: Uint8Array): string {
  const source = new Uint8Array(body.length + 24);
  source.set(body, 16);
  return outcome(() => kind.convert(kind.decode(new DataView(source.buffer), 16, 16 + body.length)));
}

const CASES: Array<{ name: string; kind: ObjectKind<any, any, any, any>; headerSize: number; seeds: Seed[] }> = [
  { name: 'links', kind: linkKind, headerSize: 16, seeds: seeds('getlink') },
  { name: 'addresses', kind: addressKind, headerSize: 8, seeds: seeds('getaddr') },
  { name: 'routes', kind: routeKind, headerSize: 12, seeds: [...seeds('getroute-inet'), ...seeds('getroute-inet6')] },
];

describe('wire converters against the generated decoder, on mutated kernel messages', () => {
  for (const { name, kind, headerSize, seeds: all } of CASES) {
    it(`${name}: the same object or the same error, ${all.length} captured messages × 400 mutations`, () => {
      expect(all.length).toBeGreaterThan(5);
      const rnd = prng(0x5eed + name.length);
      let failures = 0;
      let threw = 0;
      for (const seed of all) {
        // The captured message itself first: the converter's ordinary path.
        expect(viaWire(kind, seed, seed.body, NLM_F_MULTI)).toBe(viaGenerated(kind, seed.body));
        for (let i = 0; i < 400; i++) {
          const body = mutate(seed.body, headerSize, rnd);
          const want = viaGenerated(kind, body);
          if (want.startsWith('threw')) threw++;
          for (const flags of [NLM_F_MULTI, 0]) {
            const got = viaWire(kind, seed, body, flags);
            if (got !== want && failures++ < 3) {
              expect.soft(got, `${name} ${Buffer.from(body).toString('hex')} flags ${flags}`).toBe(want);
            }
          }
        }
      }
      expect(failures).toBe(0);
      // The mutations reach both outcomes: errors and objects.
      expect(threw).toBeGreaterThan(all.length * 20);
      expect(threw).toBeLessThan(all.length * 380);
    });
  }
});
