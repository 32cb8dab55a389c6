/**
 * Fuzzing the decoders with mutated frames: the captured kernel replies
 * (test/fixtures/core.json) plus a few synthetic error/done frames, mutated
 * by a seeded PRNG (bit flips, byte sets, truncations, length-field
 * corruption, inserted zero-length attributes). Every decoder must return or
 * throw our DecodeError — never a RangeError or TypeError, never loop — and
 * the Connection must turn any mutated reply into a result or a typed error.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK_TLVS, NLM_F_CAPPED, align4 } from '../../src/netlink/constants.js';
import { ClosedError, DecodeError, DumpInterruptedError, KernelError, ProtocolError } from '../../src/netlink/errors.js';
import { decodeDoneError, decodeErrorMessage } from '../../src/netlink/extack.js';
import { formatIP, formatMac } from '../../src/netlink/format.js';
import { checkMessage, readS32, readString, readU32 } from '../../src/netlink/reader.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { FakeKernel, datagram, doneMsg, errorMsg, itemMsg, patchHeader, type FakeRequest } from '../helpers/fake-kernel.js';
import { fromHex, viewOf, walkAttrs } from '../helpers/walk.js';
import { prng } from '../helpers/prng.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/core.json', import.meta.url), 'utf8')) as {
  captures: { name: string; portId: number; replies: string[] }[];
};


/** A seed frame and where its length fields are (nlmsghdr u32 at `msgs`, nlattr u16 at `attrs`). */
interface Seed {
  name: string;
  bytes: Uint8Array;
  msgs: number[];
  attrs: number[];
}
function seedOf(name: string, bytes: Uint8Array): Seed {
  const v = viewOf(bytes);
  const msgs: number[] = [];
  const attrs: number[] = [];
  const collect = (list: ReturnType<typeof walkAttrs>) => {
    for (const a of list) {
      attrs.push(a.at);
      if (a.children) collect(a.children);
    }
  };
  for (let p = 0; bytes.length - p >= 16; ) {
    const len = checkMessage(v, p, bytes.length);
    msgs.push(p);
    const type = v.getUint16(p + 4, true);
    const flags = v.getUint16(p + 6, true);
    // Attribute offsets where we know the layout: link messages, ext-ack TLVs.
    if (type === 16) collect(walkAttrs(v, p + 32, p + len));
    else if (type === NLMSG_ERROR && flags & NLM_F_ACK_TLVS) {
      const tlvs = flags & NLM_F_CAPPED ? p + 36 : p + 20 + align4(v.getUint32(p + 20, true));
      collect(walkAttrs(v, tlvs, p + len));
    } else if (type === NLMSG_DONE && flags & NLM_F_ACK_TLVS) collect(walkAttrs(v, p + 20, p + len));
    p += align4(len);
  }
  return { name, bytes, msgs, attrs };
}

/** Synthetic seeds exercising every ext-ack TLV, uncapped errors and DONE with TLVs. */
function syntheticSeeds(): Seed[] {
  const k = new FakeKernel({ portId: 77 });
  const w = new MessageWriter();
  const m = w.begin(0x31, 5, 1000);
  w.reserve(4);
  w.u32(1, 5);
  const nest = w.nestStart(2);
  w.string(1, 'x');
  w.nestEnd(nest);
  w.end(m);
  const bytes = w.toBytes();
  const req: FakeRequest = { length: bytes.length, type: 0x31, flags: 5, seq: 1000, portId: 0, bytes, view: viewOf(bytes), datagram: 0 };
  return [
    seedOf('err-capped-tlvs', datagram(errorMsg(req, k, { errno: 22, message: 'Invalid', offset: 20, missingType: 7 }))),
    seedOf('err-uncapped-tlvs', datagram(errorMsg(req, k, { errno: 17, capped: false, message: 'exists', offset: 24 }))),
    seedOf('warning', datagram(errorMsg(req, k, { message: 'just so you know' }))),
    seedOf('items-done-tlvs', datagram(itemMsg(req, k, 1), itemMsg(req, k, 2), doneMsg(req, k, { errno: 5, message: 'dump failed' }))),
  ];
}

const seeds: Seed[] = [...fixture.captures.flatMap((c) => c.replies.map((r, i) => seedOf(`${c.name}#${i}`, fromHex(r)))), ...syntheticSeeds()];

/** mutate returns a damaged copy of a seed. */
function mutate(seed: Seed, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  let b = seed.bytes.slice();
  const rounds = 1 + int(3);
  for (let r = 0; r < rounds; r++) {
    const v = viewOf(b);
    switch (int(6)) {
      case 0: {
        // bit flips
        const n = 1 + int(8);
        for (let i = 0; i < n && b.length; i++) b[int(b.length)]! ^= 1 << int(8);
        break;
      }
      case 1: {
        // byte sets, favouring the interesting values
        const n = 1 + int(4);
        const pick = [0, 0xff, 0x80, 0x7f, 1, 4, 16];
        for (let i = 0; i < n && b.length; i++) b[int(b.length)] = rnd() < 0.5 ? pick[int(pick.length)]! : int(256);
        break;
      }
      case 2: {
        // truncation
        b = b.slice(0, int(b.length + 1));
        break;
      }
      case 3: {
        // nlmsg_len corruption
        const at = seed.msgs[int(seed.msgs.length)]!;
        if (at + 4 > b.length) break;
        const len = v.getUint32(at, true);
        const choices = [0, 1, 15, 16, 17, len - 4, len - 1, len + 1, len + 4, b.length - at, b.length - at + 1, 0x7fffffff, 0x80000000, 0xffffffff, int(0x100000000)];
        v.setUint32(at, choices[int(choices.length)]! >>> 0, true);
        break;
      }
      case 4: {
        // nla_len corruption (or the echoed request's length inside an error)
        if (seed.attrs.length === 0 || rnd() < 0.2) {
          const at = seed.msgs[int(seed.msgs.length)]! + 20;
          if (at + 4 <= b.length) v.setUint32(at, [0, 15, 0x7ffffffc, 0x80000000, 0xfffffffd, int(0x100000000)][int(6)]! >>> 0, true);
          break;
        }
        const at = seed.attrs[int(seed.attrs.length)]!;
        if (at + 2 > b.length) break;
        const len = v.getUint16(at, true);
        const choices = [0, 1, 2, 3, 4, 5, len - 1, len + 1, len + 4, 0xffff, int(0x10000)];
        v.setUint16(at, choices[int(choices.length)]! & 0xffff, true);
        break;
      }
      case 5: {
        // insert a zero-length (or header-only) attribute at an attribute boundary
        const at = seed.attrs.length && rnd() < 0.8 ? seed.attrs[int(seed.attrs.length)]! : 4 * int((b.length >> 2) + 1);
        if (at > b.length) break;
        const ins = rnd() < 0.7 ? [0, 0, int(256), 0] : [4, 0, int(256), 0x80];
        const out = new Uint8Array(b.length + 4);
        out.set(b.subarray(0, at), 0);
        out.set(ins, at);
        out.set(b.subarray(at), at + 4);
        b = out;
        break;
      }
    }
  }
  return b;
}

/** decodeAny walks a datagram the way a decoder would, calling every core decoder that applies. */
function decodeAny(b: Uint8Array, rnd: () => number): number {
  const v = viewOf(b);
  let work = 0;
  for (let p = 0; b.length - p >= 16; ) {
    const len = checkMessage(v, p, b.length);
    const type = v.getUint16(p + 4, true);
    const flags = v.getUint16(p + 6, true);
    const s = p + 16;
    const e = p + len;
    // Feed both ext-ack decoders whatever the type says, with the real flags and with random ones.
    const f = rnd() < 0.5 ? flags : int16(rnd);
    try {
      const m = decodeErrorMessage(v, s, e, f);
      work += m.errno === 0 ? 1 : 2;
    } catch (err) {
      rethrowUnlessDecode(err);
    }
    try {
      work += decodeDoneError(v, s, e, f).errno === 0 ? 1 : 2;
    } catch (err) {
      rethrowUnlessDecode(err);
    }
    if (type === 16 || type === 0x30) {
      try {
        work += decodeLinkish(v, s, e).length;
      } catch (err) {
        rethrowUnlessDecode(err);
      }
    }
    p += align4(len);
  }
  return work;
}
function int16(rnd: () => number): number {
  return Math.floor(rnd() * 0x10000);
}
function rethrowUnlessDecode(err: unknown): void {
  if (!(err instanceof DecodeError)) throw err;
}
/** A link-message decoder over the real readers: names, MTUs, MACs and addresses, nested walked. */
function decodeLinkish(v: DataView, s: number, e: number): string {
  if (e - s < 16) throw new DecodeError('short ifinfomsg', s);
  let out = String(readS32(v, s + 4, s + 8));
  const visit = (list: ReturnType<typeof walkAttrs>) => {
    for (const a of list) {
      const vs = a.at + 4;
      if (a.children) visit(a.children);
      else if (a.type === 3) out += readString(v, vs, a.end);
      else if (a.type === 4) out += readU32(v, vs, a.end);
      else if (a.type === 1 || a.type === 2) out += formatMac(v, vs, a.end);
      else if (a.type === 50 && (a.end - vs === 4 || a.end - vs === 16)) out += formatIP(v, vs, a.end);
    }
  };
  visit(walkAttrs(v, s + 16, e));
  return out;
}

describe('fuzz', () => {
  // Most mutated frames end in an error; capturing a stack trace for each is where the time would go.
  let stackTraceLimit = Error.stackTraceLimit;
  beforeAll(() => {
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('checkMessage, attribute walking, decodeErrorMessage and decodeDoneError: 120,000 mutated frames, only DecodeError', () => {
    const rnd = prng(0x5eed);
    let frames = 0;
    let rejected = 0;
    let work = 0;
    for (let i = 0; i < 120_000; i++) {
      const seed = seeds[i % seeds.length]!;
      const b = mutate(seed, rnd);
      frames++;
      try {
        work += decodeAny(b, rnd);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw new Error(`${seed.name}: ${(err as Error).name}: ${(err as Error).message} on ${Buffer.from(b).toString('hex')}`);
        rejected++;
      }
    }
    expect(frames).toBe(120_000);
    // The fuzzer must exercise both outcomes, or it is aimed at nothing.
    expect(rejected).toBeGreaterThan(frames / 20);
    expect(frames - rejected).toBeGreaterThan(frames / 20);
    expect(work).toBeGreaterThan(0);
  }, 120_000);

  it('Connection dispatch: 100,000 mutated reply datagrams read by connections end in a result or a typed error, never hang', async () => {
    const rnd = prng(0xc0ffee);
    const outcomes = new Map<string, number>();
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const groups = fixture.captures.map((c) => ({ name: c.name, replies: c.replies.map((r) => seedOf(c.name, fromHex(r))), dump: c.name.includes('dump') }));
    const synthetic = syntheticSeeds();
    // The conversation of the current run: which seeds answer, and which of them were mutated.
    let from: Seed[] = [];
    let mutated: boolean[] = [];
    const fresh = () => {
      const k = new FakeKernel({
        portId: 4242,
        handler: (req, kk) => {
          const victim = Math.floor(rnd() * from.length);
          mutated = from.map((_, j) => j === victim || rnd() < 0.3);
          // Re-addressing changes no offsets, so the seed's length-field map still applies.
          return from.map((seed, j) => {
            const patched = patchHeader(seed.bytes, req.seq, kk.portId);
            return mutated[j] ? mutate({ ...seed, bytes: patched }, rnd) : patched;
          });
        },
      });
      return { k, conn: Connection.over(k) };
    };
    let { k, conn } = fresh();
    // Count the mutated datagrams a connection actually read, not the ones it never got to.
    let mutatedRead = 0;
    let runs = 0;
    for (let i = 0; mutatedRead < 100_000 && i < 400_000; i++, runs++) {
      // A fixture conversation (or a synthetic one), re-addressed to this request, some datagrams mutated.
      const g = i % 4 === 3 ? undefined : groups[i % groups.length]!;
      const syn = synthetic[i % synthetic.length]!;
      from = g ? g.replies : [syn];
      const dump = g ? g.dump : syn.name.startsWith('items');
      k.clear(); // what an earlier run left unread
      const receivedBefore = k.received;
      let settled = undefined as { ok: true } | { ok: false; err: unknown } | undefined;
      const decode = (v: DataView, st: number, en: number) => decodeLinkish(v, st, en);
      const call = dump ? conn.dump({ type: 0x12 }, decode, { interrupted: 'partial', maxAttempts: 1 }) : conn.request({ type: 0x10 }, decode);
      call.then(
        () => (settled = { ok: true }),
        (err: unknown) => (settled = { ok: false, err }),
      );
      for (let t = 0; t < 4 && !settled; t++) await Promise.resolve();
      mutatedRead += mutated.slice(0, k.received - receivedBefore).filter(Boolean).length;
      if (!settled) {
        // Waiting for bytes that will never come (a reply whose seq or type was destroyed): close ends it.
        expect(k.queued).toBe(0);
        conn.close();
        for (let t = 0; t < 4 && !settled; t++) await Promise.resolve();
        expect(settled).toMatchObject({ ok: false });
        expect((settled as unknown as { err: unknown }).err).toBeInstanceOf(ClosedError);
        count('waiting→closed');
        ({ k, conn } = fresh());
        continue;
      }
      if (settled.ok) {
        count('ok');
        continue;
      }
      const err = settled.err;
      const typed = err instanceof ProtocolError || err instanceof DecodeError || err instanceof KernelError || err instanceof DumpInterruptedError;
      if (!typed) throw new Error(`run ${i} (${g?.name ?? syn.name}): ${(err as Error)?.name}: ${(err as Error)?.message}`);
      count((err as Error).name);
      if (err instanceof DecodeError) {
        // Possibly thrown out of dispatch with an entry left pending (see the known defect in connection.test.ts): start afresh.
        conn.close();
        ({ k, conn } = fresh());
      }
    }
    conn.close();
    const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(runs);
    expect(mutatedRead).toBeGreaterThanOrEqual(100_000);
    for (const kind of ['ok', 'KernelError', 'ProtocolError', 'DecodeError', 'waiting→closed']) expect(outcomes.get(kind) ?? 0, `${kind} in ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
  }, 120_000);

  it('the mutator is deterministic for a given seed', () => {
    const a = prng(42);
    const b = prng(42);
    for (let i = 0; i < 50; i++) {
      const s = seeds[i % seeds.length]!;
      expect(Buffer.from(mutate(s, a)).equals(Buffer.from(mutate(s, b)))).toBe(true);
    }
  });
});


