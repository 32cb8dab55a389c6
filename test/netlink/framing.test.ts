/**
 * Framing edge cases of reader.ts, writer.ts and extack.ts, byte by byte
 * (the cases mdlayher/netlink learned the hard way).
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.js';
import {
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  NLMSG_ERROR,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_REQUEST,
} from '../../src/netlink/constants.js';
import { DecodeError, EncodeError } from '../../src/netlink/errors.js';
import { decodeDoneError, decodeErrorMessage } from '../../src/netlink/extack.js';
import {
  attrType,
  attrsDone,
  checkAttr,
  checkMessage,
  nextAttr,
  readBytes,
  readMessageHeader,
  readRawAttr,
  readS16,
  readS32,
  readS64,
  readS8,
  readString,
  readU16,
  readU16be,
  readU32,
  readU32be,
  readU64,
  readU64be,
  readU8,
  readUint,
} from '../../src/netlink/reader.js';
import { MessageWriter, checkEncodes } from '../../src/netlink/writer.js';
import { fromHex, toHex, viewOf, walkAttrs, walkMessages } from '../helpers/walk.js';

/** bytes builds a Uint8Array from numbers, hex strings ("0a0b") and little-endian helpers. */
function bytes(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...fromHex(p));
    else out.push(...p);
  }
  return new Uint8Array(out);
}
function le16(n: number): string {
  return toHex(new Uint8Array([n & 0xff, (n >> 8) & 0xff]));
}
function le32(n: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return toHex(b);
}
/** nla builds one attribute header (len, type) plus value, unpadded. */
function nla(type: number, value: Uint8Array | string, len?: number): Uint8Array {
  const v = typeof value === 'string' ? fromHex(value) : value;
  return bytes(le16(len ?? 4 + v.length), le16(type), v);
}
function expectDecodeError(fn: () => unknown, offset?: number): DecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DecodeError);
  if (offset !== undefined) expect((caught as DecodeError).offset).toBe(offset);
  return caught as DecodeError;
}

describe('checkMessage / readMessageHeader', () => {
  const hdr = (len: number, type = 0x10, flags = 0, seq = 7, pid = 9) => bytes(le32(len), le16(type), le16(flags), le32(seq), le32(pid));

  it('reads a header-only message of exactly 16 bytes', () => {
    const b = hdr(16, 0x12, NLM_F_REQUEST | NLM_F_ACK, 0xdeadbeef, 0xfffffffe);
    expect(readMessageHeader(viewOf(b), 0, 16)).toEqual({ length: 16, type: 0x12, flags: 5, seq: 0xdeadbeef, portId: 0xfffffffe });
  });

  it.each([0, 1, 15])('rejects nlmsg_len %i (below the 16-byte header) with DecodeError', (len) => {
    const e = expectDecodeError(() => checkMessage(viewOf(hdr(len)), 0, 16), 0);
    expect(e.message).toContain(`message length ${len} below header size 16`);
  });

  it('rejects a length past the datagram', () => {
    const b = bytes(hdr(16), hdr(40)); // second message claims 40, only 16 there
    expect(checkMessage(viewOf(b), 0, b.length)).toBe(16);
    const e = expectDecodeError(() => checkMessage(viewOf(b), 16, b.length), 16);
    expect(e.message).toContain('runs past the datagram (16 bytes left)');
  });

  it('rejects a header truncated by the datagram end', () => {
    const b = hdr(16).subarray(0, 12);
    expectDecodeError(() => checkMessage(viewOf(b), 0, 12), 0);
  });

  it('accepts an unaligned final message without padding, and the walk ends', () => {
    // 17-byte message (1 payload byte) padded to 20, then a final 18-byte message with no padding at all.
    const b = bytes(hdr(17), 0xaa, 0, 0, 0, hdr(18), 0xbb, 0xcc);
    expect(b.length).toBe(38);
    expect(walkMessages(viewOf(b), b.length)).toEqual([
      [0, 17],
      [20, 18],
    ]);
  });

  it('stops on a zero length instead of looping', () => {
    const b = bytes(hdr(16), hdr(0));
    expectDecodeError(() => walkMessages(viewOf(b), b.length), 16);
  });

  it('honours a DataView that starts inside a larger buffer', () => {
    const outer = bytes('ffffffff', hdr(16, 0x22));
    const v = new DataView(outer.buffer, 4);
    expect(readMessageHeader(v, 0, 16).type).toBe(0x22);
  });
});

describe('attributes: checkAttr, attrType, nextAttr, attrsDone', () => {
  it('a flag attribute is a bare 4-byte header', () => {
    const b = nla(7, '');
    expect(toHex(b)).toBe('04000700');
    expect(checkAttr(viewOf(b), 0, 4)).toBe(4);
    expect(nextAttr(0, 4)).toBe(4);
    expect(attrsDone(4, 4)).toBe(true);
  });

  it('zero-length attribute (nla_len 0) is a DecodeError, never an endless loop', () => {
    const b = bytes(nla(1, '01000000'), '00000200', nla(3, '03000000'));
    const e = expectDecodeError(() => walkAttrs(viewOf(b), 0, b.length), 8);
    expect(e.message).toContain('attribute length 0 below header size 4');
  });

  it.each([1, 2, 3])('nla_len %i (below the header) is a DecodeError', (len) => {
    expectDecodeError(() => checkAttr(viewOf(bytes(le16(len), '0100', '00000000')), 0, 8), 0);
  });

  it('an attribute overrunning its nest is a DecodeError at the inner attribute', () => {
    // nest (len 16) holds an attribute claiming 16 bytes: it runs 4 past the nest's end.
    const inner = bytes(le16(16), le16(1), '0000000000000000');
    const b = bytes(le16(16), le16(2 | NLA_F_NESTED), inner.subarray(0, 12), '00000000');
    const e = expectDecodeError(() => walkAttrs(viewOf(b), 0, 16), 4);
    expect(e.message).toContain('runs past its container (12 bytes left)');
  });

  it('a final attribute cut short by the end of its container is a DecodeError', () => {
    // 5 bytes after a u32 attribute: a header claiming 8, with 1 byte of value present.
    const b = bytes(nla(1, '01000000'), '0800010000');
    expectDecodeError(() => walkAttrs(viewOf(b), 0, b.length), 8);
  });

  it('up to 3 stray trailing bytes are treated as padding', () => {
    const b = bytes(nla(1, '01000000'), '000000');
    expect(walkAttrs(viewOf(b), 0, b.length).map((a) => a.type)).toEqual([1]);
  });

  it('masks NLA_F_NESTED and NLA_F_NET_BYTEORDER on decode, and keeps them raw', () => {
    const b = bytes(nla(5 | NLA_F_NESTED | NLA_F_NET_BYTEORDER, ''), nla(6 | NLA_F_NET_BYTEORDER, '00000050'));
    const v = viewOf(b);
    expect(attrType(v, 0)).toBe(5);
    expect(attrType(v, 4)).toBe(6);
    expect(readRawAttr(v, 4, 8)).toEqual({ type: 6 | NLA_F_NET_BYTEORDER, value: fromHex('00000050') });
    expect(readU32be(v, 8, 12)).toBe(80);
    const walked = walkAttrs(v, 0, b.length);
    expect(walked.map((a) => [a.type, a.nested, a.netByteOrder])).toEqual([
      [5, true, true],
      [6, false, true],
    ]);
    expect(walked[0]!.children).toEqual([]); // an empty nest
  });

  it('final attribute without padding: the walk ends although nextAttr passes the end', () => {
    const b = bytes(nla(1, '01000000'), nla(2, 'ab')); // 8 + 5 bytes, no padding on the last
    expect(b.length).toBe(13);
    expect(nextAttr(8, 5)).toBe(16);
    expect(attrsDone(16, 13)).toBe(true); // past the end counts as done
    const walked = walkAttrs(viewOf(b), 0, 13);
    expect(walked.map((a) => [a.type, a.at, a.end])).toEqual([
      [1, 0, 8],
      [2, 8, 13],
    ]);
  });

  it('walks nested attributes two levels deep', () => {
    const w = new MessageWriter();
    const outer = w.nestStart(18);
    w.string(1, 'veth');
    const data = w.nestStart(2);
    w.u32(1, 42);
    w.flag(9);
    w.nestEnd(data);
    w.nestEnd(outer);
    const b = w.toBytes();
    const [top] = walkAttrs(viewOf(b), 0, b.length);
    expect(top!.type).toBe(18);
    expect(top!.nested).toBe(true);
    expect(top!.children!.map((a) => a.type)).toEqual([1, 2]);
    expect(top!.children![1]!.children!.map((a) => [a.type, a.end - a.at])).toEqual([
      [1, 8],
      [9, 4],
    ]);
  });
});

describe('typed readers', () => {
  const b = fromHex('fe' + 'fffe' + '78563412' + 'efcdab9078563412' + '00');
  const v = viewOf(b);

  it('read little-endian host-order integers, signed and unsigned', () => {
    expect(readU8(v, 0, 1)).toBe(0xfe);
    expect(readS8(v, 0, 1)).toBe(-2);
    expect(readU16(v, 1, 3)).toBe(0xfeff);
    expect(readS16(v, 1, 3)).toBe(-257);
    expect(readU32(v, 3, 7)).toBe(0x12345678);
    expect(readS32(v, 3, 7)).toBe(0x12345678);
    expect(readU64(v, 7, 15)).toBe(0x1234567890abcdefn);
    expect(readS64(v, 7, 15)).toBe(0x1234567890abcdefn);
  });

  it('read big-endian variants', () => {
    expect(readU16be(v, 1, 3)).toBe(0xfffe);
    expect(readU32be(v, 3, 7)).toBe(0x78563412);
    expect(readU64be(v, 7, 15)).toBe(0xefcdab9078563412n);
  });

  it('u64 keeps values above 2^53 exact as bigint', () => {
    const x = new Uint8Array(8).fill(0xff);
    expect(readU64(viewOf(x), 0, 8)).toBe(0xffffffffffffffffn);
    expect(readS64(viewOf(x), 0, 8)).toBe(-1n);
  });

  it.each([
    ['u8', readU8, 0],
    ['s8', readS8, 0],
    ['u16', readU16, 1],
    ['s16', readS16, 1],
    ['u16be', readU16be, 1],
    ['u32', readU32, 3],
    ['s32', readS32, 3],
    ['u32be', readU32be, 3],
    ['u64', readU64, 7],
    ['s64', readS64, 7],
    ['u64be', readU64be, 7],
  ] as const)('%s on too short a value is a DecodeError naming the offset', (_name, fn, s) => {
    const e = expectDecodeError(() => (fn as (v: DataView, s: number, e: number) => unknown)(v, s, s), s);
    expect(e.message).toMatch(/expected \d bytes, got 0/);
  });

  it('readUint takes 1, 2, 4 or 8 bytes and rejects other widths', () => {
    expect(readUint(v, 0, 1)).toBe(0xfe);
    expect(readUint(v, 1, 3)).toBe(0xfeff);
    expect(readUint(v, 3, 7)).toBe(0x12345678);
    expect(readUint(v, 7, 15)).toBe(Number(0x1234567890abcdefn));
    expectDecodeError(() => readUint(v, 0, 3), 0);
    expectDecodeError(() => readUint(v, 0, 0), 0);
  });

  it('readString stops at the first NUL (ASCII)', () => {
    const s = new TextEncoder().encode('eth0\0junk');
    expect(readString(viewOf(s), 0, s.length)).toBe('eth0');
  });

  it('readString reads to the end when there is no NUL', () => {
    const s = new TextEncoder().encode('lo');
    expect(readString(viewOf(s), 0, 2)).toBe('lo');
    expect(readString(viewOf(s), 0, 0)).toBe('');
  });

  it('readString decodes UTF-8 (mixed ASCII prefix and multibyte), stopping at NUL', () => {
    const text = 'wlan-é€😀';
    const enc = new TextEncoder().encode(text);
    const s = bytes(enc, 0, 0x41, 0x42);
    expect(readString(viewOf(s), 0, s.length)).toBe(text);
    // Inside a larger buffer at an offset: the UTF-8 slow path must use the view's byteOffset.
    const outer = bytes('61626364', enc, 0);
    expect(readString(new DataView(outer.buffer, 4), 0, enc.length + 1)).toBe(text);
  });

  it('readString gives the right text every time, whatever its cache of recent strings holds', () => {
    // 8,000 short ASCII names (more than the cache has slots), read three times in different
    // orders, with lengths 0 to 40 (past the longest cached) and NULs inside some.
    const random = prng(11);
    const names: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 41);
      names.push(Array.from({ length }, () => String.fromCharCode(0x21 + Math.floor(random() * 94))).join(''));
    }
    // And names alike but for one character, so that some share a slot and a length.
    for (let i = 0; i < 3000; i++) names.push(`v${String.fromCharCode(0x30 + (i % 75))}e${String.fromCharCode(0x30 + Math.floor(i / 75))}hh`);
    const encoded = names.map((n, i) => new TextEncoder().encode(i % 7 === 0 ? `${n}\0tail` : n));
    for (const pass of [0, 1, 2]) {
      for (let k = 0; k < names.length; k++) {
        const i = pass === 1 ? names.length - 1 - k : pass === 2 ? (k * 613) % names.length : k;
        expect(readString(viewOf(encoded[i]!), 0, encoded[i]!.length)).toBe(names[i]);
      }
    }
  });

  it('readBytes returns a copy, never a view into the (reused) buffer', () => {
    const src = fromHex('0102030405');
    const got = readBytes(viewOf(src), 1, 4);
    src.fill(0xee);
    expect(toHex(got)).toBe('020304');
    expect(got.buffer).not.toBe(src.buffer);
  });
});

describe('MessageWriter', () => {
  it('refuses integers that do not fit instead of wrapping them', () => {
    const w = new MessageWriter();
    const cases: Array<[keyof MessageWriter, number]> = [
      ['u8', 256], ['u8', -1], ['u8', 1.5], ['s8', 128], ['s8', -129],
      ['u16', 65536], ['u16be', -1], ['s16', 32768], ['u32', 2 ** 32], ['u32', -1], ['u32be', NaN], ['s32', 2 ** 31],
    ];
    for (const [method, value] of cases) {
      expect(() => (w[method] as (t: number, v: number) => void)(5, value), `${String(method)}(${value})`).toThrow(EncodeError);
    }
    for (const [method, value] of [['u64', -1n], ['u64', 2n ** 64n], ['u64', 1.5], ['s64', 2n ** 63n], ['u64be', -1]] as const) {
      expect(() => (w[method] as (t: number, v: bigint | number) => void)(5, value), `${method}(${value})`).toThrow(EncodeError);
    }
    expect(w.length).toBe(0); // nothing half-written
    for (const [method, value] of [['u8', 255], ['s8', -128], ['u16', 65535], ['s16', -32768], ['u32', 2 ** 32 - 1], ['s32', -(2 ** 31)]] as const) {
      (w[method] as (t: number, v: number) => void)(5, value);
    }
    expect(w.length).toBe(6 * 8);
  });

  it('begin/end write a nlmsghdr with the patched length', () => {
    const w = new MessageWriter();
    const m = w.begin(0x12, NLM_F_REQUEST | NLM_F_ACK, 0x01020304, 0);
    w.reserve(16);
    expect(w.end(m)).toBe(32);
    expect(toHex(w.toBytes())).toBe('20000000' + '1200' + '0500' + '04030201' + '00000000' + '00'.repeat(16));
  });

  it('setSeq rewrites the sequence number in place', () => {
    const w = new MessageWriter();
    const m = w.begin(0x12, 0, 1);
    w.end(m);
    w.setSeq(m, 0xfffffffe);
    expect(readMessageHeader(w.view, 0, w.length).seq).toBe(0xfffffffe);
  });

  it('reserve zero-fills even after reset over a dirty buffer', () => {
    const w = new MessageWriter(64);
    w.binary(1, new Uint8Array(40).fill(0xff));
    w.reset();
    const at = w.reserve(6);
    expect(at).toBe(0);
    expect(w.length).toBe(8);
    expect(toHex(w.toBytes())).toBe('0000000000000000');
  });

  it('pads every attribute to 4 bytes with zeros (u8, u16, strings)', () => {
    const w = new MessageWriter();
    w.u8(1, 0xab);
    w.u16(2, 0x1234);
    w.string(3, 'abc'); // 3 + NUL = 4: no padding
    w.string(4, 'abcd'); // 4 + NUL = 5: 3 bytes padding
    w.string(5, '');
    expect(toHex(w.toBytes())).toBe(
      '05000100' + 'ab000000' + '06000200' + '34120000' + '08000300' + '61626300' + '09000400' + '6162636400000000' + '05000500' + '00000000',
    );
  });

  it('flag writes a zero-length attribute', () => {
    const w = new MessageWriter();
    w.flag(0x1f);
    expect(toHex(w.toBytes())).toBe('04001f00');
  });

  it('big-endian variants write network byte order (without setting NLA_F_NET_BYTEORDER)', () => {
    const w = new MessageWriter();
    w.u16be(1, 0x1234);
    w.u32be(2, 0x0a000001);
    w.u64be(3, 0x0102030405060708n);
    expect(toHex(w.toBytes())).toBe('06000100' + '12340000' + '08000200' + '0a000001' + '0c000300' + '0102030405060708');
  });

  it('u64/s64 take bigint exactly (above 2^53) and numbers', () => {
    const w = new MessageWriter();
    w.u64(1, 0xffffffffffffffffn);
    w.u64(2, 2 ** 53);
    w.s64(3, -2n);
    w.s32(4, -1);
    w.s16(5, -2);
    w.s8(6, -3);
    w.u32(7, 0xffffffff);
    const v = w.view;
    expect(readU64(v, 4, 12)).toBe(0xffffffffffffffffn);
    expect(readU64(v, 16, 24)).toBe(2n ** 53n);
    expect(readS64(v, 28, 36)).toBe(-2n);
    expect(readS32(v, 40, 44)).toBe(-1);
    expect(readS16(v, 48, 50)).toBe(-2);
    expect(readS8(v, 56, 57)).toBe(-3);
    expect(readU32(v, 64, 68)).toBe(0xffffffff);
  });

  it('string encodes UTF-8 with a NUL, and reads back', () => {
    const w = new MessageWriter();
    w.string(1, 'né€😀');
    const enc = new TextEncoder().encode('né€😀');
    expect(w.view.getUint16(0, true)).toBe(4 + enc.length + 1);
    expect(w.bytes[4 + enc.length]).toBe(0);
    expect(readString(w.view, 4, w.view.getUint16(0, true))).toBe('né€😀');
  });

  it('nestStart sets NLA_F_NESTED and nestEnd patches the length; nestStartPlain does not set the bit', () => {
    const w = new MessageWriter();
    const a = w.nestStart(18);
    w.u32(1, 1);
    const b = w.nestStartPlain(3);
    w.flag(2);
    w.nestEnd(b);
    w.nestEnd(a);
    expect(toHex(w.toBytes())).toBe('14001280' + '08000100' + '01000000' + '08000300' + '04000200');
  });

  it('cancel rolls back a nest and everything in it', () => {
    const w = new MessageWriter();
    w.u32(1, 7);
    const before = toHex(w.toBytes());
    const tok = w.nestStart(2);
    w.string(1, 'dropped');
    w.cancel(tok);
    expect(toHex(w.toBytes())).toBe(before);
    w.u8(3, 1);
    expect(walkAttrs(w.view, 0, w.length).map((a) => a.type)).toEqual([1, 3]);
  });

  it('cancel rolls back a whole message in a batch', () => {
    const w = new MessageWriter();
    const m1 = w.begin(0x10, 0, 1);
    w.u32(1, 1);
    w.end(m1);
    const m2 = w.begin(0x10, 0, 2);
    w.u32(1, 2);
    w.cancel(m2);
    const m3 = w.begin(0x11, 0, 3);
    w.end(m3);
    expect(walkMessages(w.view, w.length)).toEqual([
      [0, 24],
      [24, 16],
    ]);
    expect(readMessageHeader(w.view, 24, w.length).seq).toBe(3);
  });

  it('grows across reallocations, keeping content and open nest tokens valid', () => {
    const w = new MessageWriter(16);
    const firstBytes = w.bytes;
    const m = w.begin(0x10, 0, 1);
    const nest = w.nestStart(1);
    for (let i = 0; i < 3000; i++) w.u32(2, i);
    w.nestEnd(nest);
    w.end(m);
    expect(w.bytes).not.toBe(firstBytes);
    expect(w.bytes.length).toBeGreaterThanOrEqual(w.length);
    const [top] = walkAttrs(w.view, 16, w.length);
    expect(top!.end - top!.at).toBe(4 + 3000 * 8);
    const values = top!.children!.map((a) => readU32(w.view, a.at + 4, a.end));
    expect(values.length).toBe(3000);
    expect(values.every((x, i) => x === i)).toBe(true);
  });

  it.each([
    ['u8', (w: MessageWriter) => w.u8(9, 0xab), '05000900ab000000'],
    ['s8', (w: MessageWriter) => w.s8(9, -1), '05000900ff000000'],
    ['u16', (w: MessageWriter) => w.u16(9, 0x1234), '0600090034120000'],
    ['s16', (w: MessageWriter) => w.s16(9, -2), '06000900feff0000'],
    ['u16be', (w: MessageWriter) => w.u16be(9, 0x1234), '0600090012340000'],
    ['u32', (w: MessageWriter) => w.u32(9, 0x01020304), '0800090004030201'],
    ['s32', (w: MessageWriter) => w.s32(9, -2), '08000900feffffff'],
    ['u32be', (w: MessageWriter) => w.u32be(9, 0x01020304), '0800090001020304'],
    ['u64', (w: MessageWriter) => w.u64(9, 0x0102030405060708n), '0c0009000807060504030201'],
    ['s64', (w: MessageWriter) => w.s64(9, -2n), '0c000900feffffffffffffff'],
    ['u64be', (w: MessageWriter) => w.u64be(9, 0x0102030405060708n), '0c0009000102030405060708'],
    ['string', (w: MessageWriter) => w.string(9, 'ab'), '0700090061620000'],
    ['binary', (w: MessageWriter) => w.binary(9, fromHex('aabb')), '06000900aabb0000'],
  ] as const)('%s written exactly when it makes the buffer grow', (_name, write, hex) => {
    for (const fill of [12, 16]) {
      // 16-byte buffer: 12 or 16 bytes used, so the attribute straddles or starts at the old end.
      const w = new MessageWriter(16);
      w.binary(1, new Uint8Array(fill - 4).fill(0x11));
      const old = w.bytes;
      write(w);
      expect(w.bytes).not.toBe(old);
      expect(toHex(w.toBytes().subarray(fill))).toBe(hex);
    }
  });

  it('a writer created with size 0 still grows (no endless doubling of zero)', () => {
    const w = new MessageWriter(0);
    w.u32(1, 5);
    expect(toHex(w.toBytes())).toBe('0800010005000000');
  });

  it('payload of 65531 bytes is the maximum; 65532 is an EncodeError', () => {
    const w = new MessageWriter();
    w.binary(1, new Uint8Array(65531));
    expect(w.view.getUint16(0, true)).toBe(65535);
    expect(w.length).toBe(65536);
    const before = w.length;
    expect(() => w.binary(1, new Uint8Array(65532))).toThrow(EncodeError);
    expect(w.length).toBe(before); // nothing half-written
    expect(() => w.string(2, 'x'.repeat(65531))).toThrow(EncodeError); // + NUL = 65532
    expect(() => w.string(2, 'é'.repeat(40000))).toThrow(EncodeError); // 80000 UTF-8 bytes
  });

  it('a nest longer than 65535 bytes is an EncodeError', () => {
    const w = new MessageWriter();
    const n = w.nestStart(1);
    w.binary(2, new Uint8Array(40000));
    w.binary(3, new Uint8Array(40000));
    expect(() => w.nestEnd(n)).toThrow(/too long: 80012 bytes/);
  });

  it('raw pads to 4 and rawAttr re-encodes a kept attribute byte for byte', () => {
    const src = bytes(nla(7 | NLA_F_NESTED | NLA_F_NET_BYTEORDER, 'a1a2a3'), 0);
    const kept = readRawAttr(viewOf(src), 0, 7);
    const w = new MessageWriter();
    w.rawAttr(kept);
    expect(toHex(w.toBytes())).toBe(toHex(src));
    w.reset();
    w.raw(fromHex('0102030405'));
    expect(toHex(w.toBytes())).toBe('0102030405000000');
  });

  it('ip writes IPv4 and IPv6 text as 4 and 16 bytes, growing the buffer when it must', () => {
    // A writer with 8 bytes of room: the IPv4 attribute (8 bytes) fills it, the next grows it.
    const w = new MessageWriter(8);
    w.ip(1, '10.0.0.255');
    w.ip(2, '255.1.2.3');
    w.ip(3, '2001:db8::1');
    w.ip(4, '0.0.0.0');
    expect(toHex(w.toBytes())).toBe(
      '080001000a0000ff' + '08000200ff010203' + '1400030020010db8000000000000000000000001' + '0800040000000000',
    );
  });

  it('ip throws EncodeError naming the text, and writes nothing, for anything but an address', () => {
    const w = new MessageWriter();
    for (const bad of ['10.0.0.256', '10.01.0.1', '1.2.3', '1::2::3', 'fe80::1%eth0', '', 'default']) {
      expect(() => w.ip(1, bad), bad).toThrow(EncodeError);
      expect(() => w.ip(1, bad), bad).toThrow(JSON.stringify(bad));
    }
    expect(() => w.ip(1, 167772161 as unknown as string)).toThrow(EncodeError);
    expect(w.length).toBe(0);
  });
});

describe('checkEncodes', () => {
  it('runs the encoder for its errors only, one scratch writer for every check', () => {
    const writers: MessageWriter[] = [];
    const encode = (w: MessageWriter, v: number) => {
      expect(w.length).toBe(0); // every check starts empty
      writers.push(w);
      w.u32(1, v);
    };
    checkEncodes(encode, 1);
    checkEncodes(encode, 2);
    expect(writers[0]).toBe(writers[1]);
    expect(() => checkEncodes(encode, -1)).toThrow(EncodeError);
    // After a throw the writer is lent out again, emptied.
    checkEncodes(encode, 3);
    expect(writers[3]).toBe(writers[0]);
  });

  it('gives a check inside a check a writer of its own, and drops a writer that grew large', () => {
    let inner: MessageWriter | undefined;
    checkEncodes((outer: MessageWriter) => {
      outer.u32(1, 1);
      checkEncodes((w: MessageWriter) => (inner = w), 0);
      expect(inner).not.toBe(outer);
      expect(outer.length).toBe(8); // the inner check did not touch it
    }, 0);
    let big: MessageWriter | undefined;
    checkEncodes((w: MessageWriter) => {
      big = w;
      w.reserve(100 * 1024);
    }, 0);
    let next: MessageWriter | undefined;
    checkEncodes((w: MessageWriter) => (next = w), 0);
    expect(next).not.toBe(big);
  });
});

describe('NLMSG_ERROR payloads (decodeErrorMessage)', () => {
  /** An error message body: errno, then the request (header only when capped), then TLVs. */
  function errorBody(errno: number, request: Uint8Array, tlvs: Uint8Array = new Uint8Array()): Uint8Array {
    const w = new MessageWriter();
    w.view.setInt32(w.reserve(4), -errno, true);
    w.raw(request);
    w.raw(tlvs);
    return w.toBytes();
  }
  const request = (() => {
    const w = new MessageWriter();
    const m = w.begin(0x10, NLM_F_REQUEST | NLM_F_ACK, 0x77);
    w.reserve(16);
    w.string(3, 'eth0');
    w.u8(99, 1);
    w.end(m);
    return w.toBytes();
  })();
  const tlvs = (() => {
    const w = new MessageWriter();
    w.string(NLMSGERR_ATTR_MSG, 'Unknown device type');
    w.u32(NLMSGERR_ATTR_OFFS, 36);
    w.u32(NLMSGERR_ATTR_MISS_TYPE, 5);
    w.u32(NLMSGERR_ATTR_MISS_NEST, 32);
    w.binary(NLMSGERR_ATTR_COOKIE, fromHex('c0ffee'));
    const p = w.nestStart(NLMSGERR_ATTR_POLICY);
    w.u32(1, 3);
    w.nestEnd(p);
    w.u32(200, 1); // an attribute newer than us: ignored
    return w.toBytes();
  })();
  const fullAck = {
    message: 'Unknown device type',
    offset: 36,
    missingType: 5,
    missingNestOffset: 32,
    cookie: fromHex('c0ffee'),
    policy: fromHex('0800010003000000'),
  };

  it('capped request header with every extended-ACK TLV', () => {
    const b = errorBody(95, request.subarray(0, 16), tlvs);
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_CAPPED | NLM_F_ACK_TLVS)).toEqual({ errno: 95, ack: fullAck, requestSeq: 0x77, requestType: 0x10 });
  });

  it('uncapped: the whole request is skipped before the TLVs', () => {
    const b = errorBody(95, request, tlvs);
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_ACK_TLVS)).toEqual({ errno: 95, ack: fullAck, requestSeq: 0x77, requestType: 0x10 });
  });

  it('uncapped with an unaligned nlmsg_len in the echoed request: TLVs start at the aligned offset', () => {
    const req = request.slice(0, 33); // claims 33 bytes
    new DataView(req.buffer).setUint32(0, 33, true);
    const b = errorBody(22, req, tlvs);
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_ACK_TLVS).ack.message).toBe('Unknown device type');
  });

  it('without NLM_F_ACK_TLVS trailing bytes are not TLVs', () => {
    const b = errorBody(1, request.subarray(0, 16), tlvs);
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_CAPPED)).toEqual({ errno: 1, ack: {}, requestSeq: 0x77, requestType: 0x10 });
  });

  it('an ACK has errno 0 (not -0)', () => {
    const b = errorBody(0, request.subarray(0, 16));
    const m = decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_CAPPED);
    expect(m.errno).toBe(0);
    expect(Object.is(m.errno, -0)).toBe(false);
  });

  it('a warning (errno 0 with a message) decodes like an error', () => {
    const w = new MessageWriter();
    w.string(NLMSGERR_ATTR_MSG, 'quantum is big');
    const b = errorBody(0, request.subarray(0, 16), w.toBytes());
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_CAPPED | NLM_F_ACK_TLVS).ack).toEqual({ message: 'quantum is big' });
  });

  it.each([0, 4, 19])('a payload of %i bytes (below errno + header) is a DecodeError', (n) => {
    const b = new Uint8Array(n);
    expectDecodeError(() => decodeErrorMessage(viewOf(b), 0, n, 0), 0);
  });

  it('uncapped with an echoed request longer than the message is a DecodeError, not a RangeError', () => {
    for (const reqLen of [100, 0x7ffffffc, 0x80000000, 0xfffffffd]) {
      const b = errorBody(22, request.subarray(0, 16), tlvs);
      new DataView(b.buffer).setUint32(4, reqLen, true);
      expectDecodeError(() => decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_ACK_TLVS), 4);
      // Without TLVs to find, the length does not matter and the errno survives.
      expect(decodeErrorMessage(viewOf(b), 0, b.length, 0).errno).toBe(22);
    }
  });

  it('malformed TLVs are DecodeErrors: zero length, overrun, short OFFS', () => {
    const hdr = request.subarray(0, 16);
    const zero = errorBody(22, hdr, bytes('00000100', '00000000'));
    expectDecodeError(() => decodeErrorMessage(viewOf(zero), 0, zero.length, NLM_F_CAPPED | NLM_F_ACK_TLVS), 20);
    const over = errorBody(22, hdr, bytes(le16(40), le16(NLMSGERR_ATTR_MSG), '41424300'));
    expectDecodeError(() => decodeErrorMessage(viewOf(over), 0, over.length, NLM_F_CAPPED | NLM_F_ACK_TLVS), 20);
    const shortOffs = errorBody(22, hdr, nla(NLMSGERR_ATTR_OFFS, '0100'));
    expectDecodeError(() => decodeErrorMessage(viewOf(shortOffs), 0, shortOffs.length, NLM_F_CAPPED | NLM_F_ACK_TLVS), 24);
  });

  it('a MSG TLV without its NUL, and NLA_F_NESTED on a TLV type, still decode', () => {
    const b = errorBody(22, request.subarray(0, 16), bytes(nla(NLMSGERR_ATTR_MSG, new TextEncoder().encode('abc')), 0, nla(NLMSGERR_ATTR_OFFS | NLA_F_NESTED, le32(20))));
    expect(decodeErrorMessage(viewOf(b), 0, b.length, NLM_F_CAPPED | NLM_F_ACK_TLVS).ack).toEqual({ message: 'abc', offset: 20 });
  });

  it('decodes at an offset inside a datagram (start/end bounds are honoured)', () => {
    const body = errorBody(17, request.subarray(0, 16), tlvs);
    const w = new MessageWriter();
    const m = w.begin(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0x77, 1);
    w.raw(body);
    w.end(m);
    w.u32(1, 0xffffffff); // trailing garbage beyond the message's end must not be read
    expect(decodeErrorMessage(w.view, 16, 16 + body.length, NLM_F_CAPPED | NLM_F_ACK_TLVS).errno).toBe(17);
  });
});

describe('NLMSG_DONE payloads (decodeDoneError)', () => {
  it('an empty payload means success', () => {
    expect(decodeDoneError(viewOf(new Uint8Array(0)), 0, 0, 0)).toEqual({ errno: 0, ack: {} });
  });

  it('a zero s32 is success (errno 0, not -0)', () => {
    const d = decodeDoneError(viewOf(new Uint8Array(4)), 0, 4, 0);
    expect(Object.is(d.errno, 0)).toBe(true);
  });

  it('carries an errno and extended-ACK TLVs', () => {
    const w = new MessageWriter();
    w.view.setInt32(w.reserve(4), -22, true);
    w.string(NLMSGERR_ATTR_MSG, 'Invalid header for dump');
    const b = w.toBytes();
    expect(decodeDoneError(viewOf(b), 0, b.length, NLM_F_ACK_TLVS)).toEqual({ errno: 22, ack: { message: 'Invalid header for dump' } });
    expect(decodeDoneError(viewOf(b), 0, b.length, 0)).toEqual({ errno: 22, ack: {} });
  });

  it('malformed TLVs in DONE are a DecodeError', () => {
    const b = bytes('eaffffff', '02000100');
    expectDecodeError(() => decodeDoneError(viewOf(b), 0, b.length, NLM_F_ACK_TLVS), 4);
  });
});
