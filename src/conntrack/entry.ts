/**
 * Conntrack entries as plain objects, both ways: a decoded ctnetlink message
 * → `ConntrackEntry`, and a caller's `ConntrackSpec` / `ConntrackKey` →
 * checked attributes for the generated encoder. Every check runs before a
 * byte is written, so bad input sends nothing.
 */
import { ArgumentError } from '../netlink/errors.js';
import { checkObject } from '../netlink/args.js';
import { checkUint } from '../registry/validate.js';
import { parseIPv4, parseIPv6 } from '../netlink/format.js';
import type * as conntrack from '../generated/conntrack.js';
import { Family, IpProtocol, ipFamilyName, ipFamilyNumber, ipProtocolName, ipProtocolNumber, type IpFamily, type IpProtocolName } from '../registry/vocabulary.js';

/** The generated ctnetlink codec module, loaded by Conntrack.open (importing nlkit loads no codec). */
export type ConntrackCodec = typeof conntrack;

type CtAttrs = conntrack.CtAttrs;
type TupleAttrs = conntrack.TupleAttrs;

/** Address families conntrack tracks: 'inet' (AF_INET, conntrack's "ipv4") and 'inet6'. */
export type ConntrackFamily = IpFamily;

/** Layer-4 protocols by name (IPPROTO_*), as `conntrack -p` takes them: the vocabulary's IpProtocol. */
export const ConntrackProtocols = IpProtocol;
/** A protocol name: 'tcp', 'udp', 'icmp', 'icmpv6', … */
export type ConntrackProtocol = IpProtocolName;
/** Protocols whose tuples carry ports. */
const PORTED: ReadonlySet<number> = new Set([IpProtocol.tcp, IpProtocol.udp, IpProtocol.dccp, IpProtocol.sctp, IpProtocol.udplite]);
/** Protocols whose tuples carry an ICMP type, code and id. */
const ICMP: ReadonlySet<number> = new Set([IpProtocol.icmp, IpProtocol.icmpv6]);

/** A status bit (IPS_*): 'assured', 'seen-reply', 'confirmed', … */
export type ConntrackStatus = conntrack.CtStatus;
/** A TCP conntrack state: 'established', 'syn-sent', 'time-wait', … */
export type TcpState = conntrack.TcpState;
/** A TCP tracking flag (IP_CT_TCP_FLAG_*): 'be-liberal', 'sack-perm', … */
export type TcpTrackingFlag = conntrack.TcpFlags;

/** One direction of a connection: addresses and the protocol's identifiers. */
export interface ConntrackTuple {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Source port (TCP, UDP, SCTP, DCCP, UDP-Lite). */
  srcPort: number | undefined;
  /** Destination port. */
  dstPort: number | undefined;
  /** ICMP / ICMPv6 type, code and identifier. */
  icmpType: number | undefined;
  icmpCode: number | undefined;
  icmpId: number | undefined;
  /** The zone of this direction (CTA_TUPLE_ZONE), when it differs by direction. */
  zone: number | undefined;
}

/** Packet and byte counters of one direction (needs net.netfilter.nf_conntrack_acct=1). */
export interface ConntrackCounters {
  packets: number;
  bytes: number;
}

/** A tracked connection, as the kernel describes it. */
export interface ConntrackEntry {
  /** The kernel's id of the entry (CTA_ID), stable for its life. */
  id: number | undefined;
  family: ConntrackFamily | number;
  /** The layer-4 protocol by name; unknown numbers stay numbers. */
  protocol: ConntrackProtocol | number;
  /** The tuple of the direction that started the connection. */
  original: ConntrackTuple;
  /** The tuple replies are expected with (NAT shows here). */
  reply: ConntrackTuple;
  /** Status bits by name (IPS_*); unknown bits as one number. */
  status: Array<ConntrackStatus | number>;
  /** Seconds until the entry expires. */
  timeout: number | undefined;
  /** The connection mark (CTA_MARK); undefined when the kernel has no mark support. */
  mark: number | undefined;
  /** The conntrack zone (CTA_ZONE); 0 is the default zone. */
  zone: number;
  /** References held on the entry. */
  use: number | undefined;
  /** The TCP state machine's state (TCP only). */
  tcpState: TcpState | number | undefined;
  /** Per-direction counters, when accounting is on. */
  counters: { original: ConntrackCounters; reply: ConntrackCounters } | undefined;
  /** Set connlabel bits (CTA_LABELS), lowest first; undefined when none are set. */
  labels: number[] | undefined;
  /** The helper attached (CTA_HELP_NAME): 'ftp', 'sip', … */
  helper: string | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: CtAttrs;
}

function tupleFrom(t: TupleAttrs | undefined): ConntrackTuple {
  const ip = t?.ip;
  const p = t?.proto;
  return {
    src: ip?.v4Src ?? ip?.v6Src ?? '',
    dst: ip?.v4Dst ?? ip?.v6Dst ?? '',
    srcPort: p?.srcPort,
    dstPort: p?.dstPort,
    icmpType: p?.icmpType ?? p?.icmpv6Type,
    icmpCode: p?.icmpCode ?? p?.icmpv6Code,
    icmpId: p?.icmpId ?? p?.icmpv6Id,
    zone: t?.zone,
  };
}

function labelBits(bytes: Uint8Array | undefined): number[] | undefined {
  if (bytes === undefined) return undefined;
  // The kernel sends the label bitmap as an array of host-order longs: on the
  // little-endian machines this runs on, bit n is bit n % 8 of byte n / 8.
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) for (let b = 0; b < 8; b++) if (bytes[i]! & (1 << b)) out.push(i * 8 + b);
  return out.length === 0 ? undefined : out;
}

const counters = (c: conntrack.CountersAttrs | undefined): ConntrackCounters => ({
  packets: Number(c?.packets ?? c?.packets32 ?? 0),
  bytes: Number(c?.bytes ?? c?.bytes32 ?? 0),
});

/** entryFromMessage turns a decoded IPCTNL_MSG_CT_NEW / _DELETE message into a ConntrackEntry. */
export function entryFromMessage(m: conntrack.CtMessage): ConntrackEntry {
  const a = m.attrs;
  const num = a.tupleOrig?.proto?.num ?? 0;
  return {
    id: a.id,
    family: ipFamilyName(m.header.nfgenFamily),
    protocol: ipProtocolName(num),
    original: tupleFrom(a.tupleOrig),
    reply: tupleFrom(a.tupleReply),
    status: a.status ?? [],
    timeout: a.timeout,
    mark: a.mark,
    zone: a.zone ?? 0,
    use: a.use,
    tcpState: a.protoinfo?.tcp?.state,
    counters: a.countersOrig === undefined && a.countersReply === undefined ? undefined : { original: counters(a.countersOrig), reply: counters(a.countersReply) },
    labels: labelBits(a.labels),
    helper: a.help?.name,
    attrs: a,
  };
}

// ---------------------------------------------------------------------------
// input checks

/** An address and its family; ArgumentError when `v` is neither IPv4 nor IPv6. */
function checkAddress(argument: string, v: unknown): { family: number; text: string } {
  if (typeof v === 'string') {
    if (parseIPv4(v) !== undefined) return { family: Family.inet, text: v };
    if (parseIPv6(v) !== undefined) return { family: Family.inet6, text: v };
  }
  throw new ArgumentError(argument, { expected: 'an IPv4 or IPv6 address', received: v });
}

/** checkNames checks an array of names against a table; ArgumentError naming the first bad one. */
function checkNames<T extends string>(argument: string, v: unknown, table: Readonly<Record<string, number>>): T[] {
  if (!Array.isArray(v)) throw new ArgumentError(argument, { expected: 'an array of names', received: v });
  v.forEach((x, i) => {
    if (typeof x !== 'string' || !Object.hasOwn(table, x)) throw new ArgumentError(`${argument}[${i}]`, { expected: `one of ${Object.keys(table).join(', ')}`, received: x });
  });
  return v as T[];
}

/**
 * The identity of an entry: the original direction's tuple (and zone), as
 * `conntrack -G/-D -p tcp -s … -d … --sport … --dport …` takes it.
 */
export interface ConntrackKey {
  /** Default: the family of `src`. */
  family?: ConntrackFamily;
  protocol: ConntrackProtocol | number;
  src: string;
  dst: string;
  /** Ports: required for TCP, UDP, SCTP, DCCP and UDP-Lite. */
  srcPort?: number;
  dstPort?: number;
  /** ICMP / ICMPv6 type, code and id: required for ICMP. */
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  /** Conntrack zone (CTA_ZONE); default 0. */
  zone?: number;
}

/** The parts of a tuple a caller gives, for the reply direction of `add`. */
export type ConntrackTupleSpec = Partial<Pick<ConntrackKey, 'src' | 'dst' | 'srcPort' | 'dstPort' | 'icmpType' | 'icmpCode' | 'icmpId'>>;

/** What `add` creates: the key, the reply direction and the entry's state. */
export interface ConntrackSpec extends ConntrackKey {
  /**
   * The reply direction; default: the original one reversed (for ICMP echo,
   * type 8 answers with 0). Fields given here replace the reversed ones (NAT).
   */
  reply?: ConntrackTupleSpec;
  /** Seconds until it expires (required by the kernel to create an entry). */
  timeout: number;
  /** Status bits (IPS_*), e.g. ['assured']; 'confirmed' is always sent along (the kernel insists). */
  status?: ConntrackStatus[];
  mark?: number;
  /** TCP state ('established', …). */
  tcpState?: TcpState;
  /** TCP tracking flags set in both directions (with the same mask), e.g. ['be-liberal']. */
  tcpFlags?: TcpTrackingFlag[];
  /** connlabel bits to set (0–127). */
  labels?: number[];
}

/** What `update` may change on an existing entry. */
export interface ConntrackChanges {
  timeout?: number;
  mark?: number;
  /** Status bits to set ('confirmed' is sent along); the kernel only lets a few change ('assured', 'seen-reply', …). */
  status?: ConntrackStatus[];
  tcpState?: TcpState;
  /** connlabel bits to set (0–127); the others are cleared. */
  labels?: number[];
}

/** ICMP echo request → echo reply, and the other request/reply pairs the kernel inverts. */
const ICMP_REPLY: Readonly<Record<number, number>> = { 8: 0, 13: 14, 15: 16, 17: 18 };
const ICMPV6_REPLY: Readonly<Record<number, number>> = { 128: 129, 130: 131 };

interface CheckedTuple {
  family: number;
  proto: number;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
}

/** checkKey checks a key, working out its family; ArgumentError naming the first bad field. */
export function checkKey(argument: string, raw: unknown): CheckedTuple & { zone: number | undefined } {
  const k = checkObject(raw, argument);
  const proto = ipProtocolNumber(k.protocol as IpProtocolName, `${argument}.protocol`);
  const src = checkAddress(`${argument}.src`, k.src);
  const dst = checkAddress(`${argument}.dst`, k.dst);
  if (src.family !== dst.family) throw new ArgumentError(`${argument}.dst`, { reason: `is ${dst.family === Family.inet ? 'IPv4' : 'IPv6'} but src is not` });
  const family = k.family === undefined ? src.family : ipFamilyNumber(k.family as IpFamily, `${argument}.family`);
  if (family !== src.family) throw new ArgumentError(`${argument}.family`, { reason: `is ${String(k.family)} but src is ${src.text}` });
  const out: CheckedTuple & { zone: number | undefined } = { family, proto, src: src.text, dst: dst.text, zone: k.zone === undefined ? undefined : checkUint(k.zone, `${argument}.zone`, 0xffff) };
  if (PORTED.has(proto)) {
    out.srcPort = checkUint(k.srcPort, `${argument}.srcPort`, 0xffff);
    out.dstPort = checkUint(k.dstPort, `${argument}.dstPort`, 0xffff);
  } else if (ICMP.has(proto)) {
    out.icmpType = checkUint(k.icmpType, `${argument}.icmpType`, 0xff);
    out.icmpCode = checkUint(k.icmpCode, `${argument}.icmpCode`, 0xff);
    out.icmpId = checkUint(k.icmpId, `${argument}.icmpId`, 0xffff);
  }
  return out;
}

/** tupleAttrs builds CTA_TUPLE_* for a checked tuple. */
export function tupleAttrs(t: CheckedTuple): TupleAttrs {
  const ip: conntrack.IpAttrs = t.family === Family.inet ? { v4Src: t.src, v4Dst: t.dst } : { v6Src: t.src, v6Dst: t.dst };
  const proto: conntrack.ProtoAttrs = { num: t.proto };
  if (t.proto === IpProtocol.icmpv6) {
    proto.icmpv6Type = t.icmpType;
    proto.icmpv6Code = t.icmpCode;
    proto.icmpv6Id = t.icmpId;
  } else {
    proto.srcPort = t.srcPort;
    proto.dstPort = t.dstPort;
    proto.icmpType = t.icmpType;
    proto.icmpCode = t.icmpCode;
    proto.icmpId = t.icmpId;
  }
  return { ip, proto };
}

/** The reply direction: the original reversed, with the caller's replacements. */
function replyTuple(o: CheckedTuple, spec: Record<string, unknown>): CheckedTuple {
  const r: CheckedTuple = { ...o, src: o.dst, dst: o.src, srcPort: o.dstPort, dstPort: o.srcPort };
  if (o.icmpType !== undefined) r.icmpType = (o.proto === IpProtocol.icmpv6 ? ICMPV6_REPLY : ICMP_REPLY)[o.icmpType] ?? o.icmpType;
  if (spec.src !== undefined) r.src = checkAddressOf('spec.reply.src', spec.src, o.family);
  if (spec.dst !== undefined) r.dst = checkAddressOf('spec.reply.dst', spec.dst, o.family);
  for (const f of ['srcPort', 'dstPort', 'icmpId'] as const) if (spec[f] !== undefined) r[f] = checkUint(spec[f], `spec.reply.${f}`, 0xffff);
  for (const f of ['icmpType', 'icmpCode'] as const) if (spec[f] !== undefined) r[f] = checkUint(spec[f], `spec.reply.${f}`, 0xff);
  return r;
}

function checkAddressOf(argument: string, v: unknown, family: number): string {
  const a = checkAddress(argument, v);
  if (a.family !== family) throw new ArgumentError(argument, { reason: `is not an ${family === Family.inet ? 'IPv4' : 'IPv6'} address like the original tuple's` });
  return a.text;
}

/** labelBytes turns label bit numbers into the 16-byte CTA_LABELS bitmap (see labelBits). */
function labelBytes(argument: string, v: unknown): Uint8Array {
  if (!Array.isArray(v)) throw new ArgumentError(argument, { expected: 'an array of label bits (0 to 127)', received: v });
  const out = new Uint8Array(16);
  v.forEach((b, i) => {
    checkUint(b, `${argument}[${i}]`, 127);
    out[b >> 3]! |= 1 << (b & 7);
  });
  return out;
}

/** The changeable state shared by `add` and `update`, checked. */
function stateAttrs(codec: ConntrackCodec, argument: string, s: Record<string, unknown>, out: CtAttrs, tcp: boolean): void {
  if (s.timeout !== undefined) out.timeout = checkUint(s.timeout, `${argument}.timeout`, 0xffffffff);
  if (s.mark !== undefined) out.mark = checkUint(s.mark, `${argument}.mark`, 0xffffffff);
  if (s.status !== undefined) {
    const status = checkNames<ConntrackStatus>(`${argument}.status`, s.status, codec.CtStatus);
    // ctnetlink refuses (EBUSY) a status that would flip IPS_CONFIRMED, which every
    // entry it creates or changes has: send it along, as conntrack -I/-U do.
    out.status = status.includes('confirmed') ? status : [...status, 'confirmed'];
  }
  if (s.labels !== undefined) {
    out.labels = labelBytes(`${argument}.labels`, s.labels);
    // Without a mask the kernel only adds labels; a full mask makes the set exact.
    out.labelsMask = new Uint8Array(16).fill(0xff);
  }
  if (s.tcpState !== undefined || s.tcpFlags !== undefined) {
    if (!tcp) throw new ArgumentError(`${argument}.${s.tcpState !== undefined ? 'tcpState' : 'tcpFlags'}`, { reason: 'applies to TCP entries only' });
    const t: conntrack.ProtoinfoTcpAttrs = {};
    if (s.tcpState !== undefined) {
      if (typeof s.tcpState !== 'string' || !Object.hasOwn(codec.TcpState, s.tcpState)) {
        throw new ArgumentError(`${argument}.tcpState`, { expected: `one of ${Object.keys(codec.TcpState).join(', ')}`, received: s.tcpState });
      }
      t.state = s.tcpState as TcpState;
    }
    if (s.tcpFlags !== undefined) {
      const flags = checkNames<TcpTrackingFlag>(`${argument}.tcpFlags`, s.tcpFlags, codec.TcpFlags);
      t.flagsOriginal = { flags, mask: flags };
      t.flagsReply = { flags, mask: flags };
    }
    out.protoinfo = { tcp: t };
  }
}

/** createMessage checks a ConntrackSpec and builds the IPCTNL_MSG_CT_NEW that creates it. */
export function createMessage(codec: ConntrackCodec, raw: unknown): conntrack.CtMessageInput {
  const spec = checkObject(raw, 'spec');
  const o = checkKey('spec', spec);
  if (spec.timeout === undefined) throw new ArgumentError('spec.timeout', { expected: 'seconds until the entry expires (the kernel requires it)', received: undefined });
  const r = replyTuple(o, checkObject(spec.reply, 'spec.reply', true));
  const attrs: CtAttrs = { tupleOrig: tupleAttrs(o), tupleReply: tupleAttrs(r) };
  stateAttrs(codec, 'spec', spec, attrs, o.proto === IpProtocol.tcp);
  if (o.zone !== undefined) attrs.zone = o.zone;
  return { header: { nfgenFamily: o.family }, attrs };
}

/** updateMessage checks a key and changes and builds the IPCTNL_MSG_CT_NEW (no NLM_F_CREATE) that applies them. */
export function updateMessage(codec: ConntrackCodec, key: unknown, raw: unknown): conntrack.CtMessageInput {
  const k = checkKey('key', key);
  const changes = checkObject(raw, 'changes');
  const attrs: CtAttrs = { tupleOrig: tupleAttrs(k) };
  stateAttrs(codec, 'changes', changes, attrs, k.proto === IpProtocol.tcp);
  if (Object.keys(attrs).length === 1) throw new ArgumentError('changes', { reason: 'names nothing to change (timeout, mark, status, tcpState, labels)' });
  if (k.zone !== undefined) attrs.zone = k.zone;
  return { header: { nfgenFamily: k.family }, attrs };
}

/** keyMessage checks a key and builds the message that names one entry (get, delete). */
export function keyMessage(key: unknown): conntrack.CtMessageInput {
  const k = checkKey('key', key);
  const attrs: CtAttrs = { tupleOrig: tupleAttrs(k) };
  if (k.zone !== undefined) attrs.zone = k.zone;
  return { header: { nfgenFamily: k.family }, attrs };
}

/** Filters of `list`. */
export interface ConntrackFilter {
  /** Only this family (the kernel filters). */
  family?: ConntrackFamily;
  /** Only this layer-4 protocol. */
  protocol?: ConntrackProtocol | number;
  /** Only this zone. */
  zone?: number;
  /** Only entries whose mark & mask equals mark & mask (the kernel filters); mask default 0xffffffff. */
  mark?: number | { value: number; mask: number };
  /** Only entries whose original source / destination address is this one. */
  src?: string;
  dst?: string;
}

/** A checked filter: what goes to the kernel, and a test for what it cannot filter. */
export interface CheckedFilter {
  family: number;
  attrs: CtAttrs;
  match: ((e: ConntrackEntry) => boolean) | undefined;
}

/** checkFilter checks a ConntrackFilter; ArgumentError naming the bad field. */
export function checkFilter(raw: unknown): CheckedFilter {
  const f = checkObject(raw, 'filter', true);
  const family = f.family === undefined ? Family.all : ipFamilyNumber(f.family as IpFamily, 'filter.family');
  const attrs: CtAttrs = {};
  if (f.mark !== undefined) {
    if (typeof f.mark === 'number') {
      attrs.mark = checkUint(f.mark, 'filter.mark', 0xffffffff);
      attrs.markMask = 0xffffffff;
    } else {
      const m = checkObject(f.mark, 'filter.mark');
      attrs.mark = checkUint(m.value, 'filter.mark.value', 0xffffffff);
      attrs.markMask = checkUint(m.mask, 'filter.mark.mask', 0xffffffff);
    }
  }
  const tests: Array<(e: ConntrackEntry) => boolean> = [];
  if (f.protocol !== undefined) {
    const p = ipProtocolNumber(f.protocol as IpProtocolName, 'filter.protocol');
    tests.push((e) => e.attrs.tupleOrig?.proto?.num === p);
  }
  if (f.zone !== undefined) {
    const z = checkUint(f.zone, 'filter.zone', 0xffff);
    tests.push((e) => e.zone === z);
  }
  for (const side of ['src', 'dst'] as const) {
    if (f[side] === undefined) continue;
    const a = checkAddress(`filter.${side}`, f[side]);
    if (family !== 0 && a.family !== family) throw new ArgumentError(`filter.${side}`, { reason: `is not an address of family ${String(f.family)}` });
    // Compare as bytes: '2001:db8::1' and '2001:0db8::1' are the same address.
    const want = (a.family === Family.inet ? parseIPv4(a.text) : parseIPv6(a.text))!.join(',');
    tests.push((e) => {
      const got = e.original[side];
      const b = got.includes(':') ? parseIPv6(got) : parseIPv4(got);
      return b !== undefined && b.join(',') === want;
    });
  }
  return { family, attrs, match: tests.length === 0 ? undefined : (e) => tests.every((t) => t(e)) };
}
