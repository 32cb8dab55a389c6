/**
 * Bytes from the real kernel, both ways (test/fixtures/core.json, captured
 * by test/fixtures/capture-core.ts in a fresh namespace): decoding gives the
 * expected objects, and encoding gives the bytes back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import {
  NLA_F_NESTED,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REQUEST,
} from '../../src/netlink/constants.js';
import { KernelError } from '../../src/netlink/errors.js';
import { decodeDoneError, decodeErrorMessage } from '../../src/netlink/extack.js';
import { formatMac } from '../../src/netlink/format.js';
import { attrType, checkAttr, readMessageHeader, readRawAttr, readS32, readString, readU16, readU32, readU64, readU8, type RawAttribute } from '../../src/netlink/reader.js';
import { MessageWriter } from '../../src/netlink/writer.js';
import { FakeKernel, patchHeader } from '../helpers/fake-kernel.js';
import { fromHex, toHex, viewOf, walkAttrs, walkMessages } from '../helpers/walk.js';

interface Capture {
  name: string;
  commands: string[];
  socket: { extendedAck: boolean; capAck: boolean };
  portId: number;
  seq: number;
  request: string;
  replies: string[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/core.json', import.meta.url), 'utf8')) as {
  kernel: string;
  captures: Capture[];
  ipLinkShow: { ifindex: number; ifname: string; mtu: number; address: string }[];
};
function capture(name: string): Capture {
  const c = fixture.captures.find((x) => x.name === name);
  if (!c) throw new Error(`fixture ${name} missing`);
  return c;
}

// rtnetlink numbers the core does not know (linux/rtnetlink.h, if_link.h, pkt_sched.h).
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_GETADDR = 22;
const RTM_NEWTCLASS = 40;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_EXT_MASK = 29;
const TCA_KIND = 1;
const TCA_OPTIONS = 2;
const TCA_HTB_PARMS = 1;

// --- a request description that encodes with MessageWriter and decodes with the reader ----------

type Attr =
  | { type: number; u8: number }
  | { type: number; u16: number }
  | { type: number; u32: number }
  | { type: number; string: string }
  | { type: number; binary: string }
  | { type: number; nest: Attr[] };
interface RequestDesc {
  type: number;
  flags: number;
  seq: number;
  /** The family's fixed header, hex. */
  header: string;
  attrs: Attr[];
}
/** How each attribute type is read, per request: the schema a generated codec would carry. */
interface Schema {
  [type: number]: 'u8' | 'u16' | 'u32' | 'string' | 'binary' | Schema;
}

function encodeAttrs(w: MessageWriter, attrs: Attr[]): void {
  for (const a of attrs) {
    if ('u8' in a) w.u8(a.type, a.u8);
    else if ('u16' in a) w.u16(a.type, a.u16);
    else if ('u32' in a) w.u32(a.type, a.u32);
    else if ('string' in a) w.string(a.type, a.string);
    else if ('binary' in a) w.binary(a.type, fromHex(a.binary));
    else {
      const t = w.nestStart(a.type);
      encodeAttrs(w, a.nest);
      w.nestEnd(t);
    }
  }
}
function encodeRequest(d: RequestDesc): Uint8Array {
  const w = new MessageWriter();
  const m = w.begin(d.type, d.flags, d.seq);
  w.raw(fromHex(d.header));
  encodeAttrs(w, d.attrs);
  w.end(m);
  return w.toBytes();
}
function decodeAttrs(v: DataView, s: number, e: number, schema: Schema): Attr[] {
  return walkAttrs(v, s, e).map((a) => {
    const kind = schema[a.type];
    const vs = a.at + 4;
    if (kind === undefined) throw new Error(`attribute ${a.type} not in schema`);
    if (typeof kind === 'object') {
      expect(a.nested).toBe(true);
      return { type: a.type, nest: decodeAttrs(v, vs, a.end, kind) };
    }
    switch (kind) {
      case 'u8':
        return { type: a.type, u8: readU8(v, vs, a.end) };
      case 'u16':
        return { type: a.type, u16: readU16(v, vs, a.end) };
      case 'u32':
        return { type: a.type, u32: readU32(v, vs, a.end) };
      case 'string':
        return { type: a.type, string: readString(v, vs, a.end) };
      case 'binary':
        return { type: a.type, binary: toHex(new Uint8Array(v.buffer, v.byteOffset + vs, a.end - vs)) };
    }
    throw new Error(`unknown schema kind ${String(kind)}`);
  });
}
function decodeRequest(bytes: Uint8Array, headerLen: number, schema: Schema): RequestDesc {
  const v = viewOf(bytes);
  const h = readMessageHeader(v, 0, bytes.length);
  expect(h.length).toBe(bytes.length);
  expect(h.portId).toBe(0); // the kernel fills in the sender; we never invent port ids
  return { type: h.type, flags: h.flags, seq: h.seq, header: toHex(bytes.subarray(16, 16 + headerLen)), attrs: decodeAttrs(v, 16 + headerLen, h.length, schema) };
}

const ifinfo = (index: number) => toHex(new Uint8Array([0, 0, 0, 0, index, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
const htbParms = (() => {
  const b = new Uint8Array(44);
  const v = viewOf(b);
  v.setUint32(8, 1_250_000_000, true);
  v.setUint32(20, 1_250_000_000, true);
  v.setUint32(24, 1600, true);
  v.setUint32(28, 1600, true);
  return toHex(b);
})();

const linkSchema: Schema = { [IFLA_IFNAME]: 'string', [IFLA_MTU]: 'u32', [IFLA_EXT_MASK]: 'u32', [IFLA_LINKINFO]: { [IFLA_INFO_KIND]: 'string' } };
const requests: { name: string; headerLen: number; schema: Schema; desc: RequestDesc }[] = [
  { name: 'ack', headerLen: 16, schema: linkSchema, desc: { type: RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 1001, header: ifinfo(1), attrs: [{ type: IFLA_MTU, u32: 65536 }] } },
  ...(['unknown-kind-capped', 'unknown-kind-uncapped', 'unknown-kind-no-extack'] as const).map((name, i) => ({
    name,
    headerLen: 16,
    schema: linkSchema,
    desc: {
      type: RTM_NEWLINK,
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
      seq: 1002 + i,
      header: ifinfo(0),
      attrs: [
        { type: IFLA_IFNAME, string: 'bogus0' },
        { type: IFLA_LINKINFO, nest: [{ type: IFLA_INFO_KIND, string: 'nosuchkind' }] },
      ],
    },
  })),
  ...(['bad-attr-capped', 'bad-attr-uncapped'] as const).map((name, i) => ({
    name,
    headerLen: 16,
    schema: { [IFLA_IFNAME]: 'string', [IFLA_MTU]: 'u16' } as Schema,
    desc: { type: RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 1005 + i, header: ifinfo(1), attrs: [{ type: IFLA_IFNAME, string: 'lo' }, { type: IFLA_MTU, u16: 1500 }] },
  })),
  { name: 'addr-dump-bad-header', headerLen: 8, schema: {}, desc: { type: RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, seq: 1007, header: '0201000000000000', attrs: [] } },
  {
    name: 'htb-warning',
    headerLen: 20,
    schema: { [TCA_KIND]: 'string', [TCA_OPTIONS]: { [TCA_HTB_PARMS]: 'binary' } },
    desc: {
      type: RTM_NEWTCLASS,
      flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
      seq: 1008,
      header: '00000000' + '01000000' + '01000100' + '00000100' + '00000000', // tcmsg: AF_UNSPEC, lo, handle 1:1, parent 1:
      attrs: [
        { type: TCA_KIND, string: 'htb' },
        { type: TCA_OPTIONS, nest: [{ type: TCA_HTB_PARMS, binary: htbParms }] },
      ],
    },
  },
  { name: 'link-dump', headerLen: 16, schema: linkSchema, desc: { type: RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_DUMP, seq: 1009, header: ifinfo(0), attrs: [{ type: IFLA_EXT_MASK, u32: 1 << 3 }] } },
];

describe(`captured requests (kernel ${fixture.kernel})`, () => {
  it('every capture has a request description', () => {
    expect(requests.map((r) => r.name).sort()).toEqual(fixture.captures.map((c) => c.name).sort());
  });

  it.each(requests)('$name: decode gives the description, encode gives the bytes', ({ name, headerLen, schema, desc }) => {
    const bytes = fromHex(capture(name).request);
    expect(decodeRequest(bytes, headerLen, schema)).toEqual(desc);
    expect(toHex(encodeRequest(desc))).toBe(capture(name).request);
  });
});

// --- replies ----------------------------------------------------------------------------------

/** The one message of a single-message reply: header and payload bounds. */
function only(name: string) {
  const c = capture(name);
  expect(c.replies).toHaveLength(1);
  const b = fromHex(c.replies[0]!);
  const v = viewOf(b);
  const msgs = walkMessages(v, b.length);
  expect(msgs).toHaveLength(1);
  return { c, b, v, h: readMessageHeader(v, 0, b.length), start: 16, end: msgs[0]![1] };
}

describe('captured NLMSG_ERROR / NLMSG_DONE replies decode to the expected objects', () => {
  it('a plain ACK: errno 0, capped, no TLVs', () => {
    const { c, v, h, start, end } = only('ack');
    expect(h).toEqual({ length: 36, type: NLMSG_ERROR, flags: NLM_F_CAPPED, seq: 1001, portId: c.portId });
    expect(decodeErrorMessage(v, start, end, h.flags)).toEqual({ errno: 0, ack: {}, requestSeq: 1001, requestType: RTM_NEWLINK });
  });

  it('unknown kind, NETLINK_CAP_ACK on: EOPNOTSUPP with the kernel message after the request header', () => {
    const { v, h, b, start, end } = only('unknown-kind-capped');
    expect(h.flags).toBe(NLM_F_CAPPED | NLM_F_ACK_TLVS);
    expect(decodeErrorMessage(v, start, end, h.flags)).toEqual({ errno: 95, ack: { message: 'Unknown device type' }, requestSeq: 1002, requestType: RTM_NEWLINK });
    // The echoed header is the request's header, byte for byte.
    expect(toHex(b.subarray(20, 36))).toBe(capture('unknown-kind-capped').request.slice(0, 32));
  });

  it('unknown kind, NETLINK_CAP_ACK off: the whole request is echoed, then the TLVs', () => {
    const { c, v, h, b, start, end } = only('unknown-kind-uncapped');
    expect(h.flags).toBe(NLM_F_ACK_TLVS);
    expect(decodeErrorMessage(v, start, end, h.flags)).toEqual({ errno: 95, ack: { message: 'Unknown device type' }, requestSeq: 1003, requestType: RTM_NEWLINK });
    expect(toHex(b.subarray(20, 20 + c.request.length / 2))).toBe(c.request);
  });

  it('no extended ACK: a bare errno and the echoed request', () => {
    const { c, v, h, b, start, end } = only('unknown-kind-no-extack');
    expect(h.flags).toBe(0);
    expect(decodeErrorMessage(v, start, end, h.flags)).toEqual({ errno: 95, ack: {}, requestSeq: 1004, requestType: RTM_NEWLINK });
    expect(toHex(b.subarray(20))).toBe(c.request);
  });

  it.each(['bad-attr-capped', 'bad-attr-uncapped'])('%s: message, offset of the bad attribute in the request, and its policy', (name) => {
    const { c, v, h, start, end } = only(name);
    const m = decodeErrorMessage(v, start, end, h.flags);
    expect(m.errno).toBe(34);
    expect(m.ack.message).toBe('Attribute failed policy validation');
    expect(m.ack.offset).toBe(40);
    // The offset points at IFLA_MTU in the request as sent.
    const req = viewOf(fromHex(c.request));
    expect(attrType(req, m.ack.offset!)).toBe(IFLA_MTU);
    expect(checkAttr(req, m.ack.offset!, req.byteLength)).toBe(6);
    // NLMSGERR_ATTR_POLICY: NL_POLICY_TYPE_ATTR_MIN_VALUE_U 0, MAX_VALUE_U 2^32-1, TYPE = NL_ATTR_TYPE_U32.
    const pv = viewOf(m.ack.policy!);
    const policy = Object.fromEntries(walkAttrs(pv, 0, pv.byteLength).map((a) => [a.type, a.end - a.at === 12 ? readU64(pv, a.at + 4, a.end) : readU32(pv, a.at + 4, a.end)]));
    expect(policy).toEqual({ 4: 0n, 5: 0xffffffffn, 1: 4 });
  });

  it('a dump refused in its first callback: the errno and message come in NLMSG_DONE', () => {
    const { v, h, start, end } = only('addr-dump-bad-header');
    expect(h.type).toBe(NLMSG_DONE);
    expect(h.flags).toBe(NLM_F_MULTI | NLM_F_ACK_TLVS);
    expect(decodeDoneError(v, start, end, h.flags)).toEqual({ errno: 22, ack: { message: 'ipv4: Invalid values in header for address dump request' } });
  });

  it('a successful ACK carrying a warning', () => {
    const { v, h, start, end } = only('htb-warning');
    expect(decodeErrorMessage(v, start, end, h.flags)).toEqual({ errno: 0, ack: { message: 'sch_htb: quantum of class 10001 is big. Consider r2q change.' }, requestSeq: 1008, requestType: RTM_NEWTCLASS });
  });
});

// --- the link dump ---------------------------------------------------------------------------

interface Link {
  ifindex: number;
  ifname: string;
  mtu: number;
  address: string;
}
/** decodeLink is a miniature of what the generated codec does: ifinfomsg + three attributes, the rest skipped. */
function decodeLink(v: DataView, start: number, end: number): Link {
  const link: Link = { ifindex: readS32(v, start + 4, start + 8), ifname: '', mtu: 0, address: '' };
  for (const a of walkAttrs(v, start + 16, end)) {
    if (a.type === IFLA_IFNAME) link.ifname = readString(v, a.at + 4, a.end);
    else if (a.type === IFLA_MTU) link.mtu = readU32(v, a.at + 4, a.end);
    else if (a.type === IFLA_ADDRESS) link.address = formatMac(v, a.at + 4, a.end);
  }
  return link;
}
/** A link message kept whole: header fields, the fixed header, and every attribute raw (unknown ones included). */
interface KeptMessage {
  type: number;
  flags: number;
  seq: number;
  portId: number;
  fixed: Uint8Array;
  attrs: RawAttribute[];
}
function keep(v: DataView, p: number, len: number): KeptMessage {
  const h = readMessageHeader(v, p, p + len);
  return { type: h.type, flags: h.flags, seq: h.seq, portId: h.portId, fixed: new Uint8Array(v.buffer.slice(p + 16, p + 32)), attrs: walkAttrs(v, p + 32, p + len).map((a) => readRawAttr(v, a.at, a.end - a.at)) };
}

describe('captured multi-datagram link dump', () => {
  const c = capture('link-dump');
  const datagrams = c.replies.map(fromHex);

  it('spans several datagrams, every message NLM_F_MULTI with the request seq, ending in DONE', () => {
    expect(datagrams.length).toBeGreaterThan(2);
    const types: number[] = [];
    for (const d of datagrams) {
      const v = viewOf(d);
      for (const [p] of walkMessages(v, d.length)) {
        const h = readMessageHeader(v, p, d.length);
        expect(h.flags & NLM_F_MULTI).toBe(NLM_F_MULTI);
        expect(h.seq).toBe(1009);
        expect(h.portId).toBe(c.portId);
        types.push(h.type);
      }
    }
    expect(types.at(-1)).toBe(NLMSG_DONE);
    expect(types.slice(0, -1).every((t) => t === RTM_NEWLINK)).toBe(true);
    const last = datagrams.at(-1)!;
    expect(decodeDoneError(viewOf(last), 16, last.length, readMessageHeader(viewOf(last), 0, last.length).flags)).toEqual({ errno: 0, ack: {} });
  });

  it('decodes to what `ip -j link show` reported', () => {
    const links: Link[] = [];
    for (const d of datagrams) {
      const v = viewOf(d);
      for (const [p, len] of walkMessages(v, d.length)) if (v.getUint16(p + 4, true) === RTM_NEWLINK) links.push(decodeLink(v, p + 16, p + len));
    }
    expect(links.sort((a, b) => a.ifindex - b.ifindex)).toEqual(fixture.ipLinkShow);
  });

  it('every attribute, nested ones included, walks cleanly to its container end', () => {
    let count = 0;
    const check = (attrs: ReturnType<typeof walkAttrs>) => {
      for (const a of attrs) {
        count++;
        if (a.children) check(a.children);
      }
    };
    for (const d of datagrams) {
      const v = viewOf(d);
      for (const [p, len] of walkMessages(v, d.length)) if (v.getUint16(p + 4, true) === RTM_NEWLINK) check(walkAttrs(v, p + 32, p + len));
    }
    expect(count).toBeGreaterThan(17 * 30);
  });

  it('re-encoding every kept message (unknown attributes as raw) gives each datagram back byte for byte', () => {
    for (const d of datagrams) {
      const v = viewOf(d);
      const w = new MessageWriter();
      for (const [p, len] of walkMessages(v, d.length)) {
        const type = v.getUint16(p + 4, true);
        if (type === RTM_NEWLINK) {
          const k = keep(v, p, len);
          const m = w.begin(k.type, k.flags, k.seq, k.portId);
          w.raw(k.fixed);
          for (const a of k.attrs) w.rawAttr(a);
          w.end(m);
        } else w.raw(d.subarray(p, p + len));
      }
      expect(toHex(w.toBytes())).toBe(toHex(d));
    }
  });

  it('nested attributes keep NLA_F_NESTED through the raw path', () => {
    const d = datagrams[0]!;
    const v = viewOf(d);
    const [p, len] = walkMessages(v, d.length)[0]!;
    const nested = keep(v, p, len).attrs.filter((a) => a.type & NLA_F_NESTED);
    expect(nested.length).toBeGreaterThan(0);
  });
});

// --- replayed through a Connection ---------------------------------------------------------

/** replay answers each request with a capture's reply datagrams, re-addressed to the request's seq and the fake's port. */
function replay(name: string): FakeKernel {
  const c = capture(name);
  return new FakeKernel({ portId: c.portId, handler: (req, k) => c.replies.map((r) => patchHeader(fromHex(r), req.seq, k.portId)) });
}
/** bodyOf writes a request description's fixed header and attributes. */
const bodyOf = (d: RequestDesc) => (w: MessageWriter) => {
  w.raw(fromHex(d.header));
  encodeAttrs(w, d.attrs);
};
const desc = (name: string) => requests.find((r) => r.name === name)!.desc;

describe('captured replies replayed through Connection', () => {
  it('the connection sends the captured request bytes (its own seq) and raises KernelError with the kernel message', async () => {
    const k = replay('unknown-kind-capped');
    const conn = Connection.over(k);
    const d = desc('unknown-kind-capped');
    const err = await conn.request({ type: d.type, flags: NLM_F_CREATE | NLM_F_EXCL, body: bodyOf(d), label: 'RTM_NEWLINK' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ errno: 95, code: 'EOPNOTSUPP', ack: { message: 'Unknown device type' }, requestType: RTM_NEWLINK });
    expect((err as Error).message).toContain('RTM_NEWLINK: kernel: EOPNOTSUPP');
    const sent = k.requests[0]!.bytes.slice();
    viewOf(sent).setUint32(8, 1002, true);
    expect(toHex(sent)).toBe(capture('unknown-kind-capped').request);
    conn.close();
  });

  it('an offset becomes an attribute path through the attributePath option', async () => {
    const k = replay('bad-attr-capped');
    const seen: [string, number][] = [];
    const conn = Connection.over(k, {
      attributePath: (request, offset) => {
        seen.push([toHex(request), offset]);
        return attrType(viewOf(request), offset) === IFLA_MTU ? 'mtu' : undefined;
      },
    });
    const d = desc('bad-attr-capped');
    const err = (await conn.request({ type: d.type, body: bodyOf(d) }).catch((e: unknown) => e)) as KernelError;
    expect(err).toBeInstanceOf(KernelError);
    expect(err.ack).toMatchObject({ message: 'Attribute failed policy validation', offset: 40, attributePath: 'mtu' });
    expect(err.message).toContain('attribute mtu');
    expect(seen).toEqual([[toHex(k.requests[0]!.bytes), 40]]);
    conn.close();
  });

  it('the htb warning is returned, not thrown', async () => {
    const conn = Connection.over(replay('htb-warning'));
    const d = desc('htb-warning');
    const r = await conn.request({ type: d.type, flags: NLM_F_CREATE | NLM_F_EXCL, body: bodyOf(d) });
    expect(r).toEqual({ replies: [], warning: { message: 'sch_htb: quantum of class 10001 is big. Consider r2q change.' } });
    conn.close();
  });

  it('the link dump through Connection.dump matches `ip -j link show`', async () => {
    const k = replay('link-dump');
    const conn = Connection.over(k);
    const d = desc('link-dump');
    const r = await conn.dump({ type: d.type, body: bodyOf(d) }, decodeLink);
    expect(r.interrupted).toBe(false);
    expect(r.attempts).toBe(1);
    expect(r.items.sort((a, b) => a.ifindex - b.ifindex)).toEqual(fixture.ipLinkShow);
    expect(k.requests[0]!.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
    expect(k.queued).toBe(0);
    conn.close();
  });

  it('the link dump streamed by dumpIterator gives one batch per datagram', async () => {
    const conn = Connection.over(replay('link-dump'));
    const d = desc('link-dump');
    const sizes: number[] = [];
    for await (const batch of conn.dumpIterator({ type: d.type, body: bodyOf(d) }, decodeLink)) sizes.push(batch.length);
    const expected = capture('link-dump').replies.map((r) => {
      const b = fromHex(r);
      return walkMessages(viewOf(b), b.length).filter(([p]) => viewOf(b).getUint16(p + 4, true) === RTM_NEWLINK).length;
    });
    expect(sizes).toEqual(expected.filter((n) => n > 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(fixture.ipLinkShow.length);
    conn.close();
  });

  it('the refused address dump rejects with KernelError EINVAL and the DONE message', async () => {
    const conn = Connection.over(replay('addr-dump-bad-header'));
    const d = desc('addr-dump-bad-header');
    const err = await conn.dump({ type: d.type, body: bodyOf(d) }, () => 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ errno: 22, code: 'EINVAL', ack: { message: 'ipv4: Invalid values in header for address dump request' } });
    conn.close();
  });
});
