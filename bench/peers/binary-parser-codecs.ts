/**
 * The same decoders built with binary-parser (the design named it as the
 * parsing dependency; these peers measure that choice instead of assuming
 * it). binary-parser compiles a declarative description into a JavaScript
 * function on first use; here it reads the fixed header and splits the
 * attributes into `{ len, type, data }` records (a TLV array read to the end
 * of the message), and a few lines of JavaScript turn the records into the
 * same objects the DataView decoders give:
 *
 * - `decodeRouteWithParser`: what `decodeRouteByHand` (hand-codecs.ts) gives
 *   for an IPv4 route dump, field for field (the workload checks equality);
 * - `decodeLinkWithParser`: what `decodeLink` (decoders.ts) gives: the
 *   ifinfomsg and IFLA_IFNAME, MTU, ADDRESS, OPERSTATE, MASTER, LINK, TXQLEN.
 *
 * binary-parser parses a whole buffer, so each message is handed over as a
 * Uint8Array view of its bytes (no copy).
 */
// The CommonJS build: under tsx the package's ESM entry did not expose `Parser`.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import type { RawAttribute } from '../../src/netlink/index.js';
import type { Link } from './decoders.js';

interface Attr {
  len: number;
  type: number;
  data: Uint8Array;
}

/** One netlink attribute: header, value, padding to 4 bytes. */
const nlattr = new Parser()
  .endianness('little')
  .uint16('len')
  .uint16('type')
  .buffer('data', {
    length(this: { len: number }) {
      return this.len - 4;
    },
  })
  .seek(function (this: { len: number }) {
    return ((this.len + 3) & ~3) - this.len;
  });

/** A stream of attributes to the end of the buffer (a nest's value). */
const nlattrs = new Parser().array('attrs', { type: nlattr, readUntil: 'eof' });

/** struct rtmsg, then the attributes. */
const rtmsg = new Parser()
  .endianness('little')
  .uint8('rtmFamily')
  .uint8('rtmDstLen')
  .uint8('rtmSrcLen')
  .uint8('rtmTos')
  .uint8('rtmTable')
  .uint8('rtmProtocol')
  .uint8('rtmScope')
  .uint8('rtmType')
  .uint32('rtmFlags')
  .array('attrs', { type: nlattr, readUntil: 'eof' });

/** struct ifinfomsg, then the attributes. */
const ifinfomsg = new Parser()
  .endianness('little')
  .uint8('family')
  .uint8('pad')
  .uint16('type')
  .int32('index')
  .uint32('flags')
  .uint32('change')
  .array('attrs', { type: nlattr, readUntil: 'eof' });

const RTM_TYPE_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];

function u32(d: Uint8Array): number {
  return (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}

function ipv4(d: Uint8Array): string {
  return `${d[0]}.${d[1]}.${d[2]}.${d[3]}`;
}

function raw(a: Attr): RawAttribute {
  return { type: a.type, value: a.data.slice() };
}

function metrics(data: Uint8Array) {
  const m = { rtaxMtu: undefined as number | undefined, rtaxAdvmss: undefined as number | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (const a of (nlattrs.parse(data) as { attrs: Attr[] }).attrs) {
    switch (a.type & 0x3fff) {
      case 2: m.rtaxMtu = u32(a.data); break; // RTAX_MTU
      case 8: m.rtaxAdvmss = u32(a.data); break; // RTAX_ADVMSS
      default: (m.unknown ??= []).push(raw(a));
    }
  }
  return m;
}

/**
 * decodeRouteWithParser decodes an RTM_NEWROUTE payload `[start, end)` of an
 * IPv4 route dump into what decodeRouteByHand gives. binary-parser throws a
 * plain Error on a message shorter than its header.
 */
export function decodeRouteWithParser(view: DataView, start: number, end: number) {
  const r = rtmsg.parse(new Uint8Array(view.buffer, view.byteOffset + start, end - start)) as {
    rtmFamily: number; rtmDstLen: number; rtmSrcLen: number; rtmTos: number; rtmTable: number;
    rtmProtocol: number; rtmScope: number; rtmType: number; rtmFlags: number; attrs: Attr[];
  };
  const header = {
    rtmFamily: r.rtmFamily,
    rtmDstLen: r.rtmDstLen,
    rtmSrcLen: r.rtmSrcLen,
    rtmTos: r.rtmTos,
    rtmTable: r.rtmTable,
    rtmProtocol: r.rtmProtocol,
    rtmScope: r.rtmScope,
    rtmType: (RTM_TYPE_NAMES[r.rtmType] ?? r.rtmType) as string | number,
    rtmFlags: r.rtmFlags,
  };
  const attrs = {
    rtaDst: undefined as string | undefined,
    rtaOif: undefined as number | undefined,
    rtaGateway: undefined as string | undefined,
    rtaPriority: undefined as number | undefined,
    rtaPrefsrc: undefined as string | undefined,
    rtaMetrics: undefined as ReturnType<typeof metrics> | undefined,
    rtaTable: undefined as number | undefined,
    unknown: undefined as RawAttribute[] | undefined,
  };
  for (const a of r.attrs) {
    switch (a.type & 0x3fff) {
      case 1: attrs.rtaDst = ipv4(a.data); break; // RTA_DST
      case 4: attrs.rtaOif = u32(a.data); break; // RTA_OIF
      case 5: attrs.rtaGateway = ipv4(a.data); break; // RTA_GATEWAY
      case 6: attrs.rtaPriority = u32(a.data); break; // RTA_PRIORITY
      case 7: attrs.rtaPrefsrc = ipv4(a.data); break; // RTA_PREFSRC
      case 8: attrs.rtaMetrics = metrics(a.data); break; // RTA_METRICS
      case 15: attrs.rtaTable = u32(a.data); break; // RTA_TABLE
      default: (attrs.unknown ??= []).push(raw(a));
    }
  }
  return { header, attrs };
}

const decoder = new TextDecoder();

/**
 * decodeLinkWithParser decodes an RTM_NEWLINK payload `[start, end)` into
 * what decodeLink (decoders.ts) gives.
 */
export function decodeLinkWithParser(view: DataView, start: number, end: number): Link {
  const m = ifinfomsg.parse(new Uint8Array(view.buffer, view.byteOffset + start, end - start)) as { type: number; index: number; flags: number; attrs: Attr[] };
  const link: Link = {
    index: m.index,
    type: m.type,
    flags: m.flags,
    name: undefined,
    mtu: undefined,
    address: undefined,
    operstate: undefined,
    master: undefined,
    link: undefined,
    txqlen: undefined,
  };
  for (const a of m.attrs) {
    const d = a.data;
    switch (a.type & 0x3fff) {
      case 3: link.name = decoder.decode(d.subarray(0, d.indexOf(0) < 0 ? d.length : d.indexOf(0))); break; // IFLA_IFNAME
      case 4: link.mtu = u32(d); break; // IFLA_MTU
      case 1: link.address = Array.from(d, (b) => b.toString(16).padStart(2, '0')).join(':'); break; // IFLA_ADDRESS
      case 16: link.operstate = d[0]; break; // IFLA_OPERSTATE
      case 10: link.master = u32(d); break; // IFLA_MASTER
      case 5: link.link = u32(d); break; // IFLA_LINK
      case 13: link.txqlen = u32(d); break; // IFLA_TXQLEN
    }
  }
  return link;
}
