/**
 * x-array records (codegen/README.md): RTA_MULTIPATH as generated from the
 * rt-route overlay — back-to-back `struct rtnexthop` records, each followed by
 * route attributes, rtnh_len covering both, each record padded to 4. Hand-built
 * records encode and decode back byte for byte (rtnh_len worked out by the
 * encoder), decode and encode errors carry `rta-multipath[i]…` paths, an
 * extended ACK offset inside a record finds its path, unknown keys are refused,
 * and mutated records only ever throw DecodeError. Captured kernel multipath
 * routes go through test/codegen/roundtrip.test.ts and crosscheck.test.ts.
 */
import { describe, expect, it } from 'vitest';
import * as rtRoute from '../../src/generated/rt-route.js';
import { ArgumentError, DecodeError, EncodeError } from '../../src/netlink/errors.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { checkEncodedKeys } from '../../src/codec/request-check.js';
import { decodeMultipath } from '../../src/rtnl/index.js';
import { prng } from '../helpers/prng.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A route message with three paths: gateway + flow, RTA_VIA (struct rtvia with an IPv4 address: 6 bytes, padded), device only with an unknown attribute. */
const SAMPLE: rtRoute.RouteMessageInput = {
  header: { rtmFamily: 2, rtmDstLen: 16, rtmTable: 254, rtmProtocol: 3, rtmType: 'unicast' },
  attrs: {
    rtaDst: '10.27.0.0',
    rtaMultipath: [
      { header: { rtnhHops: 0, rtnhIfindex: 2 }, attrs: { rtaGateway: '10.9.0.10', rtaFlow: 7 } },
      { header: { rtnhFlags: ['onlink'], rtnhHops: 2, rtnhIfindex: 3 }, attrs: { rtaVia: Uint8Array.of(2, 0, 10, 9, 0, 11) } },
      { header: { rtnhHops: 255, rtnhIfindex: 4 }, attrs: { unknown: [{ type: 0x3ff0, value: Uint8Array.of(1, 2, 3) }] } },
    ],
  },
};

function encodeMessage(m: rtRoute.RouteMessageInput, size = 64): Uint8Array {
  // Small on purpose: the writer grows (and replaces its view) inside a record.
  const w = new MessageWriter(size);
  const at = w.begin(rtRoute.RequestType.newroute, 0x405);
  rtRoute.encodeRouteMessage(w, m);
  w.end(at);
  return w.toBytes();
}

function decodeMessage(bytes: Uint8Array): rtRoute.RouteMessage {
  return rtRoute.decodeRouteMessage(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 16, bytes.length);
}

/** Offset of the RTA_MULTIPATH attribute in an encoded route message. */
function multipathAt(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let p = 28; p < bytes.length; p += (view.getUint16(p, true) + 3) & ~3) if (view.getUint16(p + 2, true) === rtRoute.RouteAttr.rtaMultipath) return p;
  throw new Error('no RTA_MULTIPATH');
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('x-array records: RTA_MULTIPATH', () => {
  it('encodes struct + attributes per record, rtnh_len worked out, records 4-aligned, and decodes back', () => {
    const bytes = encodeMessage(SAMPLE);
    const at = multipathAt(bytes);
    const view = new DataView(bytes.buffer);
    // Record 0: 8 + RTA_GATEWAY (8) + RTA_FLOW (8); record 1: 8 + RTA_VIA (10, padded to 12); record 2: 8 + unknown (7, padded to 8).
    const lens: number[] = [];
    for (let p = at + 4, end = at + view.getUint16(at, true); p < end; p += (view.getUint16(p, true) + 3) & ~3) lens.push(view.getUint16(p, true));
    expect(lens).toEqual([24, 20, 16]);
    expect(view.getUint8(at + 4 + 24 + 2)).toBe(rtRoute.RtnhFlags.onlink);
    expect(view.getUint8(at + 4 + 24 + 3)).toBe(2);
    expect(view.getInt32(at + 4 + 24 + 4, true)).toBe(3);
    const back = decodeMessage(bytes);
    const mp = back.attrs.rtaMultipath!;
    expect(mp.map((r) => r.header)).toEqual([
      { rtnhLen: 24, rtnhFlags: [], rtnhHops: 0, rtnhIfindex: 2, trailing: undefined },
      { rtnhLen: 20, rtnhFlags: ['onlink'], rtnhHops: 2, rtnhIfindex: 3, trailing: undefined },
      { rtnhLen: 16, rtnhFlags: [], rtnhHops: 255, rtnhIfindex: 4, trailing: undefined },
    ]);
    expect(mp[0]!.attrs).toMatchObject({ rtaGateway: '10.9.0.10', rtaFlow: 7 });
    expect(mp[1]!.attrs.rtaVia).toEqual(Uint8Array.of(2, 0, 10, 9, 0, 11));
    expect(mp[2]!.attrs.unknown).toEqual([{ type: 0x3ff0, value: Uint8Array.of(1, 2, 3) }]);
    // Decoded → encoded: the same bytes (a stale rtnh_len in the input is not trusted either).
    expect(hex(encodeMessage(back))).toBe(hex(bytes));
    mp[0]!.header.rtnhLen = 999;
    expect(hex(encodeMessage(back))).toBe(hex(bytes));
    // The route kind's view of the same bytes.
    const payload = bytes.subarray(at + 4, at + view.getUint16(at, true));
    expect(decodeMultipath(payload).map((n) => [n.gateway, n.dev, n.weight, n.flags])).toEqual([
      ['10.9.0.10', 2, 1, []],
      ['10.9.0.11', 3, 3, ['onlink']],
      [undefined, 4, 256, []],
    ]);
  });

  it('a record set in wire order other than the kernel usual is kept (order) and re-encoded as it came', () => {
    const m: rtRoute.RouteMessageInput = { header: { rtmFamily: 2 }, attrs: { rtaMultipath: [{ header: {}, attrs: { rtaFlow: 1, rtaGateway: '10.0.0.1', order: [rtRoute.RouteAttr.rtaFlow, rtRoute.RouteAttr.rtaGateway] } }] } };
    const bytes = encodeMessage(m);
    const back = decodeMessage(bytes);
    expect(back.attrs.rtaMultipath![0]!.attrs.order).toEqual([rtRoute.RouteAttr.rtaFlow, rtRoute.RouteAttr.rtaGateway]);
    expect(hex(encodeMessage(back))).toBe(hex(bytes));
  });

  it('decode errors name the record and the attribute in it', () => {
    const bytes = encodeMessage(SAMPLE);
    const at = multipathAt(bytes);
    const view = new DataView(bytes.buffer);
    // RTA_GATEWAY of record 0 cut to 3 bytes (its nla_len; the padding keeps the layout).
    const b1 = bytes.slice();
    new DataView(b1.buffer).setUint16(at + 4 + 8, 7, true);
    const e1 = thrown(() => decodeMessage(b1)) as DecodeError;
    expect(e1).toBeInstanceOf(DecodeError);
    expect(e1.path).toBe('rta-multipath[0].rta-gateway');
    // rtnh_len of record 1 past the end of the attribute; then shorter than the struct.
    for (const len of [200, 4]) {
      const b = bytes.slice();
      new DataView(b.buffer).setUint16(at + 4 + 24, len, true);
      const e = thrown(() => decodeMessage(b)) as DecodeError;
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.path).toBe('rta-multipath[1]');
      expect(e.message).toMatch(/record length \d+ does not fit/);
    }
    // Bytes after the last record (fewer than a struct): refused, as the kernel refuses them.
    const payload = new Uint8Array(view.getUint16(at, true) - 4 + 4);
    payload.set(bytes.subarray(at + 4, at + view.getUint16(at, true)));
    expect(() => rtRoute.decodeRtnexthopRecords(new DataView(payload.buffer), 0, payload.length)).toThrow(/^\[3\]: 4 bytes after the last record/);
    expect(() => decodeMultipath(payload)).toThrow(/^rta-multipath\[3\]: /);
    expect(decodeMultipath(new Uint8Array(0))).toEqual([]);
  });

  it('encode errors name the record, its struct field or attribute', () => {
    const bad = (rtaMultipath: unknown): EncodeError => thrown(() => encodeMessage({ header: {}, attrs: { rtaMultipath: rtaMultipath as never } })) as EncodeError;
    const e1 = bad([{ header: {}, attrs: {} }, { header: { rtnhHops: 300 }, attrs: {} }]);
    expect(e1).toBeInstanceOf(EncodeError);
    expect(e1.path).toBe('rta-multipath[1].rtnexthop.rtnh-hops');
    expect(e1.message).toBe('rta-multipath[1].rtnexthop.rtnh-hops: 300 is not a u8 (0 to 255)');
    expect(bad([{ header: {}, attrs: { rtaGateway: '10.0.0.300' } }]).path).toBe('rta-multipath[0].rta-gateway');
    expect(bad([{ header: { rtnhFlags: ['sideways'] }, attrs: {} }]).path).toBe('rta-multipath[0].rtnexthop.rtnh-flags');
    expect(bad(['x']).path).toBe('rta-multipath[0]');
    expect(bad({ header: {}, attrs: {} }).path).toBe('rta-multipath');
    expect(bad([{ header: {}, attrs: { rtaMultipath: [{ header: {}, attrs: { rtaFlow: -1 } }] } }]).path).toBe('rta-multipath[0].rta-multipath[0].rta-flow');
  });

  it('attributePathAt finds an attribute inside a record; unknown keys in records are refused', () => {
    const bytes = encodeMessage(SAMPLE);
    const at = multipathAt(bytes);
    const second = at + 4 + 24;
    expect(rtRoute.attributePathAt(bytes, rtRoute.RequestType.newroute, at)).toBe('rta-multipath');
    expect(rtRoute.attributePathAt(bytes, rtRoute.RequestType.newroute, second)).toBe('rta-multipath[1]');
    expect(rtRoute.attributePathAt(bytes, rtRoute.RequestType.newroute, second + 8)).toBe('rta-multipath[1].rta-via');
    expect(rtRoute.attributePathAt(bytes, rtRoute.RequestType.newroute, at + 4 + 16)).toBe('rta-multipath[0].rta-flow');

    const check = (v: unknown): void => checkEncodedKeys(v as rtRoute.RouteAttrs, 'attrs', rtRoute.encodeRouteAttrs);
    check(SAMPLE.attrs);
    const refused = (v: unknown): string => (thrown(() => check(v)) as ArgumentError).argument;
    expect(refused({ rtaMultipath: [{ header: {}, attrs: { rtaGatewy: '10.0.0.1' } }] })).toBe('attrs.rtaMultipath[0].attrs.rtaGatewy');
    expect(refused({ rtaMultipath: [{ header: { rtnhWeight: 1 }, attrs: {} }] })).toBe('attrs.rtaMultipath[0].header.rtnhWeight');
    expect(refused({ rtaMultipath: [{ hdr: {}, attrs: {} }] })).toBe('attrs.rtaMultipath[0].hdr');
    expect(refused({ rtaMultipath: [5] })).toBe('attrs.rtaMultipath[0]');
    expect(refused({ rtaMultipath: {} })).toBe('attrs.rtaMultipath');
  });

  it('fuzz: mutated records decode or throw DecodeError; what decodes re-encodes to bytes that decode the same (rtnh_len aside)', () => {
    const unit = prng(0x6d70);
    const rnd = () => Math.floor(unit() * 2 ** 32);
    const base = encodeMessage(SAMPLE);
    const at = multipathAt(base);
    const seed = base.subarray(at + 4, at + new DataView(base.buffer).getUint16(at, true));
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = seed.slice(0, Math.max(0, seed.length - (rnd() % 3 === 0 ? rnd() % 12 : 0)));
      for (let k = 1 + (rnd() % 3); k > 0 && b.length > 0; k--) {
        const p = rnd() % b.length;
        // Mostly the length fields (record and attribute), sometimes any byte.
        if (rnd() % 2 === 0) b[p & ~3] = rnd() % 40;
        else b[p] = rnd() & 0xff;
      }
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let records: rtRoute.RtnexthopRecord[];
      try {
        records = rtRoute.decodeRtnexthopRecords(view, 0, b.length);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw new Error(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
        expect((e as DecodeError).path).toMatch(/^\[\d+\]/);
        refused++;
        continue;
      }
      decoded++;
      const w = new MessageWriter(16);
      const start = w.begin(rtRoute.RequestType.newroute, 0);
      w.reserve(12);
      rtRoute.encodeRouteAttrs(w, { rtaMultipath: records });
      w.end(start);
      const out = w.toBytes();
      const again = rtRoute.decodeRouteAttrs(new DataView(out.buffer), 28, out.length).rtaMultipath! as rtRoute.RtnexthopRecord[];
      // rtnh_len is the encoder's own (the record's real length): an unaligned one, or one covering
      // stray bytes shorter than an attribute header, comes back as what was written.
      for (const r of again) expect(r.header.rtnhLen % 4).toBe(0);
      const noLen = (list: rtRoute.RtnexthopRecord[]) => list.map((r) => ({ ...r, header: { ...r.header, rtnhLen: 0 } }));
      expect(noLen(again)).toEqual(noLen(records));
    }
    expect(decoded).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
