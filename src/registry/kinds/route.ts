/**
 * The route kind: routes of every table, IPv4 and IPv6 (RTM_NEWROUTE /
 * RTM_DELROUTE / RTM_GETROUTE), the plain `Route`, and what `list()`
 * filters by. RTA_MULTIPATH comes decoded by the generated codec (records
 * of `struct rtnexthop` and route attributes); `nexthopsFromRecords` makes
 * the plain Nexthops of it.
 */
import * as rtRoute from '../../generated/rt-route.js';
import { ArgumentError, DecodeError } from '../../netlink/errors.js';
import { flatText, formatIP, prefixText } from '../../netlink/format.js';
import { KeptObject, lazyAccessor, peek, type KeptMessage } from '../../codec/lazy.js';
import { NLA_TYPE_MASK, align4 } from '../../netlink/constants.js';
import { readU32 } from '../../netlink/reader.js';
import {
  Family,
  RouteTable,
  familyName,
  familyNumber,
  prefName,
  protocolName,
  protocolNumber,
  routeFlagNames,
  lookups,
  scopeName,
  tableNumber,
  type FamilyName,
  type RouteFlag,
  type RouteProtocolName,
  type RoutePrefName,
  type RouteTableName,
  type Scope,
} from '../vocabulary.js';
import type { LinkRef } from '../context.js';
import type { KindCodec } from '../deferred.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtRoute.attributePathAt);

type RouteAttrs = rtRoute.RouteAttrs;

/** RTM_F_CLONED: a cached clone (PMTU exception), not a FIB entry; dumps leave them out. */
const RTM_F_CLONED = 0x200;

/** routeTypeNumber maps a route type name (RTN_*, the generated `rtRoute.RtmType`) or a number 0-255 to RTN_*; throws ArgumentError naming `argument`. */
export const routeTypeNumber: (t: unknown, argument: string) => number = lookups(rtRoute.RtmType, 255).number;

/**
 * Route metrics (RTA_METRICS). Units are the kernel's: bytes for mtu,
 * advmss and window, milliseconds for rtoMin, 1/8 ms for rtt and 1/4 ms
 * for rttvar (what `ip` sends for `rtt 1ms`: 8), packets for the windows.
 */
export interface RouteMetrics {
  /** RTAX_MTU */ mtu?: number;
  /** RTAX_WINDOW */ window?: number;
  /** RTAX_RTT */ rtt?: number;
  /** RTAX_RTTVAR */ rttvar?: number;
  /** RTAX_SSTHRESH */ ssthresh?: number;
  /** RTAX_CWND */ cwnd?: number;
  /** RTAX_ADVMSS */ advmss?: number;
  /** RTAX_REORDERING */ reordering?: number;
  /** RTAX_HOPLIMIT */ hoplimit?: number;
  /** RTAX_INITCWND */ initcwnd?: number;
  /** RTAX_FEATURES */ features?: number;
  /** RTAX_RTO_MIN */ rtoMin?: number;
  /** RTAX_INITRWND */ initrwnd?: number;
  /** RTAX_QUICKACK */ quickack?: number;
  /** RTAX_CC_ALGO: congestion control, e.g. 'cubic' (`ip`: congctl). */ congctl?: string;
  /** RTAX_FASTOPEN_NO_COOKIE */ fastopenNoCookie?: number;
  /** RTAX_LOCK: metrics the kernel must not change (e.g. PMTU discovery lowering `mtu`). */
  lock?: LockableMetric[];
  /** Shorthand for `lock` including 'mtu' (`ip route … mtu lock N`). */
  mtuLock?: boolean;
}

/** Numeric metrics and their RTAX_* numbers; the generated RtaMetrics field is `rtax` + the capitalised name. */
export const METRICS = {
  mtu: 2,
  window: 3,
  rtt: 4,
  rttvar: 5,
  ssthresh: 6,
  cwnd: 7,
  advmss: 8,
  reordering: 9,
  hoplimit: 10,
  initcwnd: 11,
  features: 12,
  rtoMin: 13,
  initrwnd: 14,
  quickack: 15,
  fastopenNoCookie: 17,
} as const;
export type NumericMetric = keyof typeof METRICS;
/** A metric that RTAX_LOCK can lock. */
export type LockableMetric = NumericMetric | 'congctl';
/** RTAX_CC_ALGO */
export const RTAX_CC_ALGO = 16;

export const metricField = (name: NumericMetric) => `rtax${name[0]!.toUpperCase()}${name.slice(1)}` as keyof rtRoute.RtaMetrics;

/** [name, RTAX_* number, RtaMetrics field] of each numeric metric, worked out once (the decode path runs per route). */
const METRIC_ROWS: ReadonlyArray<readonly [NumericMetric, number, keyof rtRoute.RtaMetrics]> = (Object.entries(METRICS) as Array<[NumericMetric, number]>).map(
  ([name, n]) => [name, n, metricField(name)] as const,
);


/** One path of a multipath route (a `struct rtnexthop` record of RTA_MULTIPATH and its attributes). */
export interface Nexthop {
  /** RTA_GATEWAY (or RTA_VIA's address when the gateway is of another family). */
  gateway: string | undefined;
  /** Outgoing interface index (rtnh_ifindex; 0 for none). */
  dev: number;
  /** rtnh_hops + 1, as `ip` prints it. */
  weight: number;
  /** RTNH_F_* by name ('onlink', 'linkdown', 'dead', …); unknown bits as a number. */
  flags: Array<RouteFlag | number>;
  /** The nexthop's attributes (RTA_GATEWAY, RTA_VIA, RTA_FLOW, RTA_ENCAP…). */
  attrs: RouteAttrs;
}

/** A route, as the kernel describes it. */
export interface Route {
  /** 'inet', 'inet6', or the AF_* number (rtm_family; 128/129 are the multicast routing tables). */
  family: FamilyName | number;
  /** The table: RTA_TABLE, else rtm_table. */
  table: number;
  /** 'default' for the zero-length prefix, else `a.b.c.d/n` or `x::y/n` (always with the length). */
  dst: string;
  /** rtm_dst_len */
  dstLength: number;
  /** Source prefix (RTA_SRC with rtm_src_len), for IPv6 source-specific routes. */
  src: string | undefined;
  /** RTA_GATEWAY, or RTA_VIA's address. */
  gateway: string | undefined;
  /** Outgoing interface index (RTA_OIF). */
  dev: number | undefined;
  /** Preferred source address (RTA_PREFSRC). */
  prefsrc: string | undefined;
  /** rtm_protocol by name ('kernel', 'boot', 'static', …), or the number. */
  protocol: RouteProtocolName | number;
  /** rtm_scope by name, or the number. */
  scope: Scope | number;
  /** rtm_type: 'unicast', 'local', 'blackhole', … */
  type: rtRoute.RtmType | number;
  /** The metric (RTA_PRIORITY; `ip` prints `metric`). */
  priority: number | undefined;
  /** Decoded RTA_METRICS. */
  metrics: RouteMetrics | undefined;
  /** The paths of a multipath route (RTA_MULTIPATH); for a route through a nexthop group, the group's paths. */
  multipath: Nexthop[] | undefined;
  /** The nexthop object the route goes through (RTA_NH_ID; `ip route … nhid N`, see `rt.nexthops`). */
  nexthopId: number | undefined;
  /** rtm_flags by name; unknown bits as a number. */
  flags: Array<RouteFlag | number>;
  /** rtm_tos */
  tos: number;
  /** IPv6 router preference (RTA_PREF). */
  pref: RoutePrefName | number | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: RouteAttrs;
}

/**
 * routeFromMessage turns a decoded RTM_NEWROUTE into a Route, `attrs`
 * included. Throws DecodeError for a malformed RTA_MULTIPATH or RTA_VIA.
 */
export function routeFromMessage(m: rtRoute.RouteMessage): Route {
  return new RouteObject(m, undefined) as unknown as Route;
}

/**
 * routeObject is routeFromMessage for the registry. With `kept` (where a
 * copy of the message after its nlmsghdr is), `attrs` is a getter that
 * decodes the copy again on first access: a listing keeps the copy (a few
 * dozen bytes) instead of the decoded attribute tree (a few hundred). With a
 * number (routeTag's), nothing is kept: `attrs` is rebuilt from the fields.
 */
function routeObject(m: rtRoute.RouteMessage, kept?: KeptMessage | number): Route {
  return new RouteObject(m, kept) as unknown as Route;
}

/** Bits of a route's tag: attributes whose presence its fields do not show. */
const HAS_DST = 1;
const HAS_SRC = 2;
const HAS_TABLE = 4;

/**
 * The attributes a Route's fields show whole (RTA_DST and RTA_SRC with their
 * prefix lengths, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC,
 * RTA_TABLE, RTA_NH_ID, and RTA_METRICS of the metrics below), by number.
 */
const SHOWN_ATTRS = new Uint8Array(32);
for (const t of ['rtaDst', 'rtaSrc', 'rtaOif', 'rtaGateway', 'rtaPriority', 'rtaPrefsrc', 'rtaMetrics', 'rtaTable', 'rtaNhId'] as const) SHOWN_ATTRS[rtRoute.RouteAttr[t]] = 1;
/** The metrics `metrics` shows whole: every numeric one and RTAX_CC_ALGO (not RTAX_LOCK, which it shows only in part). */
const SHOWN_METRICS = new Uint8Array(32);
for (const n of Object.values(METRICS)) SHOWN_METRICS[n] = 1;
SHOWN_METRICS[RTAX_CC_ALGO] = 1;

/**
 * routeTag is the registry's `lazy.derive` for routes: when every attribute
 * of the message (at `[start, end)` of `view`, decoded as `m`) is one a
 * Route's fields show whole, in the kernel's order, the bits of the
 * attributes whose presence the fields do not show; else -1 (keep a copy).
 * Most IPv4 routes qualify; IPv6 routes carry RTA_CACHEINFO and RTA_PREF.
 */
function routeTag(m: rtRoute.RouteMessage, view: DataView, start: number, end: number): number {
  const a = m.attrs;
  const h = m.header;
  // A prefix length of 0 shows as 'default' / no src: an address sent with it would be lost.
  if (a.order !== undefined || a.unknown !== undefined || (a.rtaDst !== undefined && h.rtmDstLen === 0) || (a.rtaSrc !== undefined && h.rtmSrcLen === 0)) return -1;
  const x = a.rtaMetrics;
  if (x !== undefined && (x.order !== undefined || x.unknown !== undefined)) return -1;
  // The wire, not the decoded object, says what else is there: an attribute a newer spec adds cannot slip through.
  for (let p = start + rtRoute.RtmsgSize; end - p >= 4; ) {
    const len = view.getUint16(p, true);
    const t = view.getUint16(p + 2, true) & NLA_TYPE_MASK;
    if (len < 4 || t >= SHOWN_ATTRS.length || SHOWN_ATTRS[t] === 0) return -1;
    if (t === rtRoute.RouteAttr.rtaMetrics && !metricsShown(view, p + 4, p + len)) return -1;
    p += align4(len);
  }
  return (a.rtaDst !== undefined ? HAS_DST : 0) | (a.rtaSrc !== undefined ? HAS_SRC : 0) | (a.rtaTable !== undefined ? HAS_TABLE : 0);
}

/** metricsShown tells whether every metric in the RTA_METRICS payload at `[s, e)` is one `metrics` shows whole. */
function metricsShown(view: DataView, s: number, e: number): boolean {
  for (let q = s; e - q >= 4; ) {
    const mlen = view.getUint16(q, true);
    const mt = view.getUint16(q + 2, true) & NLA_TYPE_MASK;
    if (mlen < 4 || mt >= SHOWN_METRICS.length || SHOWN_METRICS[mt] === 0) return false;
    q += align4(mlen);
  }
  return true;
}

/**
 * The attributes a Route's fields show whole, in the order the kernel writes
 * them (fib_dump_info; the generated decoder's rank): a message holding only
 * these, in this order, with no flag bits in their types, is one routeTag
 * accepts, so routeFromWire can build it with nothing kept. The order is
 * checked against the generated decoder in test/rtnl/lazy.test.ts.
 */
export const SHOWN_IN_ORDER: readonly number[] = [
  rtRoute.RouteAttr.rtaTable,
  rtRoute.RouteAttr.rtaDst,
  rtRoute.RouteAttr.rtaSrc,
  rtRoute.RouteAttr.rtaPriority,
  rtRoute.RouteAttr.rtaMetrics,
  rtRoute.RouteAttr.rtaPrefsrc,
  rtRoute.RouteAttr.rtaNhId,
  rtRoute.RouteAttr.rtaGateway,
  rtRoute.RouteAttr.rtaOif,
];
/** Rank (1…) of each attribute of SHOWN_IN_ORDER by number; 0 for every other. */
const SHOWN_RANK = new Uint8Array(Math.max(...SHOWN_IN_ORDER) + 1);
SHOWN_IN_ORDER.forEach((t, i) => (SHOWN_RANK[t] = i + 1));

/**
 * Where routeFromWire found each attribute of SHOWN_IN_ORDER in the message
 * it reads (payload start and end), valid where `seen` holds that message's
 * stamp: reused, and nothing to clear between messages.
 */
const spans = new Int32Array(2 * SHOWN_RANK.length);
const seen = new Int32Array(SHOWN_RANK.length);
let stamp = 0;
/** The message routeFromWire hands RouteObject: one, reused (RouteObject copies what it keeps). */
const wire: { header: rtRoute.Rtmsg; attrs: RouteAttrs } = { header: rtRoute.readRtmsg(new DataView(new ArrayBuffer(12)), 0, 12), attrs: rtRoute.decodeRouteAttrs(new DataView(new ArrayBuffer(0)), 0, 0) };
const routeTypes = lookups(rtRoute.RtmType, 255);

/**
 * routeFromWire is the route kind's wire converter (ObjectKind `fromWire`):
 * for a route whose message holds only attributes its fields show, in the
 * kernel's order (most IPv4 routes), the Route read straight from the
 * message, with `attrs` to be rebuilt from its fields (nothing kept), and
 * no generated message object or attribute tree made. Undefined for any
 * other message (IPv6 routes with RTA_CACHEINFO, multipath, RTA_VIA, …) or
 * anything off: the generated path then decodes it (routeTag, routeObject).
 */
function routeFromWire(view: DataView, start: number, end: number): Route | undefined {
  const size = rtRoute.RtmsgSize;
  if (end - start < size) return undefined;
  let last = 0;
  stamp = (stamp + 1) | 0;
  for (let p = start + size; p < end; ) {
    if (end - p < 4) return undefined;
    const len = view.getUint16(p, true);
    const raw = view.getUint16(p + 2, true);
    if (len < 4 || len > end - p) return undefined;
    // A type with flag bits, one the fields do not show whole, a repeat or a step back: the generated way.
    const rank = raw < SHOWN_RANK.length ? SHOWN_RANK[raw]! : 0;
    if (rank <= last) return undefined;
    last = rank;
    seen[raw] = stamp;
    spans[2 * raw] = p + 4;
    spans[2 * raw + 1] = p + len;
    p += align4(len);
  }
  const A = rtRoute.RouteAttr;
  const h = wire.header;
  const a = wire.attrs;
  h.rtmFamily = view.getUint8(start);
  h.rtmDstLen = view.getUint8(start + 1);
  h.rtmSrcLen = view.getUint8(start + 2);
  h.rtmTos = view.getUint8(start + 3);
  h.rtmTable = view.getUint8(start + 4);
  h.rtmProtocol = view.getUint8(start + 5);
  h.rtmScope = view.getUint8(start + 6);
  h.rtmType = routeTypes.name(view.getUint8(start + 7)) as rtRoute.RtmType;
  h.rtmFlags = view.getUint32(start + 8, true);
  // A prefix length of 0 shows as 'default' / no src: an address sent with it would be lost.
  if ((seen[A.rtaDst] === stamp && h.rtmDstLen === 0) || (seen[A.rtaSrc] === stamp && h.rtmSrcLen === 0)) return undefined;
  try {
    a.rtaTable = u32At(view, A.rtaTable);
    a.rtaDst = ipAt(view, A.rtaDst);
    a.rtaSrc = ipAt(view, A.rtaSrc);
    a.rtaPriority = u32At(view, A.rtaPriority);
    a.rtaPrefsrc = ipAt(view, A.rtaPrefsrc);
    a.rtaNhId = u32At(view, A.rtaNhId);
    a.rtaGateway = ipAt(view, A.rtaGateway);
    a.rtaOif = u32At(view, A.rtaOif);
    a.rtaMetrics = undefined;
    if (seen[A.rtaMetrics] === stamp) {
      const m = spans[2 * A.rtaMetrics]!;
      const e = spans[2 * A.rtaMetrics + 1]!;
      if (!metricsShown(view, m, e)) return undefined;
      const x = rtRoute.decodeRtaMetrics(view, m, e);
      if (x.order !== undefined || x.unknown !== undefined) return undefined;
      a.rtaMetrics = x;
    }
  } catch {
    return undefined;
  }
  const tag = (a.rtaDst !== undefined ? HAS_DST : 0) | (a.rtaSrc !== undefined ? HAS_SRC : 0) | (a.rtaTable !== undefined ? HAS_TABLE : 0);
  return new RouteObject(wire, tag) as unknown as Route;
}

// Readers of an attribute routeFromWire found: its value, or undefined when absent.
const u32At = (view: DataView, type: number) => (seen[type] !== stamp ? undefined : readU32(view, spans[2 * type]!, spans[2 * type + 1]!));
const ipAt = (view: DataView, type: number) => (seen[type] !== stamp ? undefined : formatIP(view, spans[2 * type]!, spans[2 * type + 1]!));

/** An empty attribute list: the generated decoders give their objects' every field, all undefined, from it. */
const NO_ATTRS = new DataView(new ArrayBuffer(0));

/**
 * attrsFromFields rebuilds what the generated decoder gave for a route routeTag
 * accepted (`tag`), from its fields: the decoder's own empty object, with the
 * attributes the fields show set. (A field changed by the caller before
 * `attrs` is first read shows in `attrs`.)
 */
function attrsFromFields(r: RouteObject, tag: number): RouteAttrs {
  const a = rtRoute.decodeRouteAttrs(NO_ATTRS, 0, 0);
  if (tag & HAS_DST) a.rtaDst = r.dst.slice(0, r.dst.lastIndexOf('/'));
  if (tag & HAS_SRC) a.rtaSrc = r.src!.slice(0, r.src!.lastIndexOf('/'));
  a.rtaOif = r.dev;
  a.rtaGateway = r.gateway;
  a.rtaPriority = r.priority;
  a.rtaPrefsrc = r.prefsrc;
  const metrics = r.metrics;
  if (metrics !== undefined) {
    const x = rtRoute.decodeRtaMetrics(NO_ATTRS, 0, 0);
    for (const [name, , field] of METRIC_ROWS) (x as Record<string, number | undefined>)[field] = metrics[name];
    x.rtaxCcAlgo = metrics.congctl;
    a.rtaMetrics = x;
  }
  if (tag & HAS_TABLE) a.rtaTable = r.table;
  a.rtaNhId = r.nexthopId;
  return a;
}

const decodeAttrs = (view: DataView, start: number, end: number): RouteAttrs => rtRoute.decodeRouteMessage(view, start, end).attrs;

/** The accessor of a lazy Route's `attrs`, one for every Route (see KeptObject). */
let lazyAttrs: PropertyDescriptor;

/** RouteObject builds a Route, field by field in the order the type declares them, whole or with `attrs` lazy. */
class RouteObject extends KeptObject<RouteAttrs> {
  // Declared only (nothing emitted): assigned in the constructor, in this order, through `this`,
  // which also lets V8 size the object to hold every field in place.
  declare family: Route['family'];
  declare table: Route['table'];
  declare dst: Route['dst'];
  declare dstLength: Route['dstLength'];
  declare src: Route['src'];
  declare gateway: Route['gateway'];
  declare dev: Route['dev'];
  declare prefsrc: Route['prefsrc'];
  declare protocol: Route['protocol'];
  declare scope: Route['scope'];
  declare type: Route['type'];
  declare priority: Route['priority'];
  declare metrics: Route['metrics'];
  declare multipath: Route['multipath'];
  declare nexthopId: Route['nexthopId'];
  declare flags: Route['flags'];
  declare tos: Route['tos'];
  declare pref: Route['pref'];
  declare attrs: Route['attrs'];

  static {
    lazyAttrs = lazyAccessor(function (this: RouteObject) {
      return this.whole(decodeAttrs, (tag) => attrsFromFields(this, tag));
    });
  }

  constructor(m: rtRoute.RouteMessage, kept: KeptMessage | number | undefined) {
    super();
    const h = m.header;
    const a = m.attrs;
    const zero = h.rtmFamily === Family.inet6 ? '::' : '0.0.0.0';
    this.family = familyName(h.rtmFamily);
    this.table = a.rtaTable ?? h.rtmTable;
    this.dst = h.rtmDstLen === 0 ? 'default' : prefixText(a.rtaDst ?? zero, h.rtmDstLen);
    this.dstLength = h.rtmDstLen;
    this.src = h.rtmSrcLen === 0 ? undefined : prefixText(a.rtaSrc ?? zero, h.rtmSrcLen);
    this.gateway = a.rtaGateway ?? (a.rtaVia === undefined ? undefined : decodeVia(a.rtaVia));
    this.dev = a.rtaOif;
    this.prefsrc = a.rtaPrefsrc;
    this.protocol = protocolName(h.rtmProtocol);
    this.scope = scopeName(h.rtmScope);
    this.type = h.rtmType;
    this.priority = a.rtaPriority;
    this.metrics = a.rtaMetrics === undefined ? undefined : metricsFromAttrs(a.rtaMetrics);
    this.multipath = a.rtaMultipath === undefined ? undefined : nexthopsFromRecords(a.rtaMultipath);
    this.nexthopId = a.rtaNhId;
    this.flags = routeFlagNames(h.rtmFlags);
    this.tos = h.rtmTos;
    this.pref = a.rtaPref === undefined ? undefined : prefName(a.rtaPref);
    if (kept === undefined) this.attrs = a;
    else {
      Object.defineProperty(this, 'attrs', lazyAttrs);
      this.keep(kept);
    }
  }
}

function metricsFromAttrs(x: rtRoute.RtaMetrics): RouteMetrics {
  const out: RouteMetrics = {};
  for (const [name, , field] of METRIC_ROWS) {
    const v = x[field] as number | undefined;
    if (v !== undefined) out[name] = v;
  }
  if (x.rtaxCcAlgo !== undefined) out.congctl = x.rtaxCcAlgo;
  if (x.rtaxLock !== undefined && x.rtaxLock !== 0) {
    const lock: LockableMetric[] = [];
    for (const [name, n] of METRIC_ROWS) if (x.rtaxLock & (1 << n)) lock.push(name);
    if (x.rtaxLock & (1 << RTAX_CC_ALGO)) lock.push('congctl');
    out.lock = lock;
    out.mtuLock = lock.includes('mtu');
  }
  return out;
}

/**
 * RTA_VIA: `struct rtvia`, a gateway of another family than the route's
 * (an IPv4 route via an IPv6 neighbour).
 *
 * ```
 *    0 rtvia_family (u16)
 *    2 rtvia_addr   (4 or 16 bytes)
 * ```
 */
function decodeVia(bytes: Uint8Array): string {
  if (bytes.length < 2) throw new DecodeError(`RTA_VIA of ${bytes.length} bytes is shorter than its 2-byte family`, 0, 'rta-via');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return formatIP(view, 2, bytes.length);
  } catch (err) {
    throw err instanceof DecodeError ? err.withParent('rta-via') : err;
  }
}

/**
 * nexthopsFromRecords turns RTA_MULTIPATH's records, decoded by the
 * generated codec (`struct rtnexthop` followed by route attributes, the
 * rt-route overlay's x-array of records), into Nexthops. Throws DecodeError
 * for a malformed RTA_VIA (path `rta-multipath[i].rta-via`).
 */
function nexthopsFromRecords(records: readonly rtRoute.RtnexthopRecordInput[]): Nexthop[] {
  const out: Nexthop[] = [];
  for (let i = 0; i < records.length; i++) {
    const { header: h, attrs } = records[i]!;
    let gateway = attrs.rtaGateway;
    if (gateway === undefined && attrs.rtaVia !== undefined) {
      try {
        gateway = decodeVia(attrs.rtaVia);
      } catch (err) {
        throw err instanceof DecodeError ? err.withParent(`rta-multipath[${i}]`) : err;
      }
    }
    out.push({ gateway, dev: h.rtnhIfindex ?? 0, weight: (h.rtnhHops ?? 0) + 1, flags: h.rtnhFlags ?? [], attrs });
  }
  return out;
}

/**
 * decodeMultipath decodes the payload of an RTA_MULTIPATH attribute (what
 * `Route.multipath` is made from) with the generated record decoder. Throws
 * DecodeError with the path inside it (`rta-multipath[1].rta-gateway`).
 */
export function decodeMultipath(bytes: Uint8Array): Nexthop[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let records: rtRoute.RtnexthopRecord[];
  try {
    records = rtRoute.decodeRtnexthopRecords(view, 0, bytes.length);
  } catch (err) {
    throw err instanceof DecodeError ? err.withParent('rta-multipath') : err;
  }
  return nexthopsFromRecords(records);
}

/** Filters `routes.list` hands to the kernel (strict checking): only matching routes are dumped. */
export interface RouteFilter {
  /**
   * The table (default main, as `ip route`); 'all' dumps every table. A
   * table that does not exist is empty when both families are dumped, but
   * the kernel answers ENOENT when asked for one family.
   */
  table?: RouteTableName | 'all' | number;
  /** Only this family: 'inet' or 'inet6' (default both). */
  family?: FamilyName | number;
  /** Only routes of this protocol (rtm_protocol). */
  protocol?: RouteProtocolName | number;
  /** Only routes of this type (rtm_type). */
  type?: rtRoute.RtmType | number;
  /** Only routes through this link (RTA_OIF; a nexthop of a multipath route counts). The kernel answers ENODEV when there is none. */
  oif?: LinkRef;
}

/**
 * The route kind's members that need its codec (see route-kind.ts, which
 * declares the kind and imports this module on first use).
 */
export const routeCodec: KindCodec<rtRoute.RouteMessage, rtRoute.RouteMessageInput, Route> = {
  decode: rtRoute.decodeRouteMessage,
  encode: rtRoute.encodeRouteMessage,
  convert: routeObject,
  // Every attribute feeds a field: decoded up front; `attrs` is decoded again from a kept copy when
  // read, or rebuilt from the fields when they show every attribute (routeTag: no copy kept).
  lazy: { headerSize: 12, derive: routeTag },
  fromWire: routeFromWire,
  accept: (view, start, end) => end - start < 12 || (view.getUint32(start + 8, true) & RTM_F_CLONED) === 0,
  // What the FIB tells routes apart by: table, destination and source
  // prefixes, TOS, metric, type — and the nexthop, since routes that differ
  // only there coexist (`ip route append`; IPv6 device routes such as
  // fe80::/64 on every link). `ip route replace` swaps the nexthop under the
  // same group identity with one RTM_NEWROUTE carrying NLM_F_REPLACE.
  // The key starts with the group key and a space (see ObjectKind.groupKey).
  key: routeKey,
  groupKey: (m) => routeGroup(m),
  // What key() read, from the fields and `attrs` (decoded again from the kept copy, or rebuilt
  // from the fields: peek, so the route does not keep the decode).
  objectKey: (r) => routeKey({ header: keyHeader(r), attrs: peek(() => r.attrs) }),
  // rtm_table 0 with strict checking: every table.
  dump: (family) => ({ header: { rtmFamily: family }, attrs: {} }),
  filters: {
    table: {
      // Default main, as `ip route`. 'all' (or 0, unspec) is no filter: the dump's rtm_table stays 0, every table.
      check: (v, argument) => {
        const table = v === 'all' ? 0 : tableNumber(v === undefined ? 'main' : (v as RouteTableName | number), argument, "'all' or a number");
        return table === 0 ? undefined : table;
      },
      kernel: (r, table: number) => {
        r.header.rtmTable = table > 255 ? RouteTable.compat : table;
        if (table > 255) r.attrs.rtaTable = table;
      },
      holds: (route, table: number) => route.table === table,
    },
    family: {
      check: (v, argument) => {
        const family = familyNumber(v as FamilyName | number | undefined, argument);
        if (family === Family.all) return undefined;
        // Without a handler for the family (mpls unloaded, bridge) the kernel would dump every family.
        if (family !== Family.inet && family !== Family.inet6) throw new ArgumentError(argument, { expected: "'inet' or 'inet6'", received: v });
        return family;
      },
      kernel: (r, family: number) => void (r.header.rtmFamily = family),
      holds: (route, family: number) => route.family === familyName(family),
    },
    protocol: {
      check: (v, argument) => (v === undefined ? undefined : protocolNumber(v as RouteProtocolName | number, argument)),
      kernel: (r, protocol: number) => void (r.header.rtmProtocol = protocol),
      holds: (route, protocol: number) => (typeof route.protocol === 'number' ? route.protocol : protocolNumber(route.protocol, 'protocol')) === protocol,
    },
    type: {
      check: (v, argument) => (v === undefined ? undefined : routeTypeNumber(v as rtRoute.RtmType | number, argument)),
      kernel: (r, type: number) => void (r.header.rtmType = type),
      holds: (route, type: number) => (typeof route.type === 'number' ? route.type : rtRoute.RtmType[route.type]) === type,
    },
    oif: {
      link: true,
      kernel: (r, index) => void (r.attrs.rtaOif = index),
      // A nexthop of a multipath route counts.
      holds: (route, index) => route.dev === index || (route.multipath ?? []).some((nh) => nh.dev === index),
    },
  },
};

/** What a route's key reads of its message. */
interface KeyMessage {
  header: Pick<rtRoute.Rtmsg, 'rtmFamily' | 'rtmTable' | 'rtmDstLen' | 'rtmSrcLen' | 'rtmTos' | 'rtmType'>;
  attrs: RouteAttrs;
}

function routeKey(m: KeyMessage): string {
  const a = m.attrs;
  const nh = a.rtaNhId !== undefined ? ` nh${a.rtaNhId}` : a.rtaMultipath !== undefined ? ' mp' : flatText(` ${a.rtaOif ?? ''} ${a.rtaGateway ?? ''}`);
  // One flat string, starting with the group key and a space (see ObjectKind.groupKey).
  return flatText(routeGroup(m) + nh);
}

/**
 * keyHeader gives back the rtmsg fields a key reads from a Route's fields:
 * `table` is RTA_TABLE or else rtm_table, which is what the key reads;
 * `src` is absent exactly when rtm_src_len is 0 and ends in `/len` otherwise.
 */
function keyHeader(r: Route): KeyMessage['header'] {
  const src = r.src;
  return {
    rtmFamily: familyNumber(r.family),
    rtmTable: r.table,
    rtmDstLen: r.dstLength,
    rtmSrcLen: src === undefined ? 0 : Number(src.slice(src.lastIndexOf('/') + 1)),
    rtmTos: r.tos,
    rtmType: r.type,
  };
}

function routeGroup(m: KeyMessage): string {
  // key and groupKey both ask, one after the other: one string for both.
  if (m === lastGroupOf) return lastGroup;
  const h = m.header;
  const a = m.attrs;
  lastGroup = flatText(`${h.rtmFamily} ${a.rtaTable ?? h.rtmTable} ${a.rtaDst ?? ''}/${h.rtmDstLen} ${a.rtaSrc ?? ''}/${h.rtmSrcLen} ${h.rtmTos} ${a.rtaPriority ?? 0} ${h.rtmType}`);
  lastGroupOf = m;
  return lastGroup;
}
let lastGroupOf: KeyMessage | undefined;
let lastGroup = '';
