/**
 * Routes: list, look up, add, replace, append and delete routes of every
 * table, IPv4 and IPv6, of one namespace. Requests are built with the
 * generated rt-route codecs; what is returned is a plain `Route`.
 *
 * Defaults follow `ip route`: table main (local for local, broadcast, nat
 * and anycast routes), protocol boot, type unicast, and the scope `ip`
 * would pick. Tables above 255 travel in RTA_TABLE, rtm_table then says
 * RT_TABLE_COMPAT. RTA_MULTIPATH, which the spec leaves as bytes, is
 * encoded and decoded here (see `decodeMultipath`).
 */
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { ArgumentError, DecodeError } from '../netlink/errors.js';
import { checkArray, checkBoolean, checkInteger, checkKeys, checkOptions, checkString, isRecord, lookupName } from '../netlink/args.js';
import type { BatchOutcome, CallOptions, DumpOptions, Request } from '../netlink/connection.js';
import { formatIP, parseIP } from '../netlink/format.js';
import { MessageWriter } from '../netlink/writer.js';
import * as rtRoute from '../generated/rt-route.js';
import { Family, familyName, familyNumber, type FamilyName, type LinkRef, type RtnlContext } from './context.js';
import { parseAddress, parsePrefix, type Prefix } from './prefix.js';
import { ScopeNumber, scopeName, scopeNumber, type Scope, type ScopeInput } from './scope.js';
import { CALL_OPTION_KEYS, callOptions, checkLinkRef, checkUint, dumpOptions, pickCall } from './validate.js';
import { JsonReady, type JsonObject } from '../codec/json.js';

export { ScopeNumber, scopeName, scopeNumber, type Scope, type ScopeInput } from './scope.js';

type RouteAttrs = rtRoute.RouteAttrs;

/** Routing tables by name (RT_TABLE_*); any other table is its number, 1 to 2^32-1. */
export const RouteTable = {
  /** RT_TABLE_UNSPEC */
  unspec: 0,
  /** RT_TABLE_COMPAT: rtm_table of a route whose table is above 255 (the real one is in RTA_TABLE). */
  compat: 252,
  /** RT_TABLE_DEFAULT */
  default: 253,
  /** RT_TABLE_MAIN */
  main: 254,
  /** RT_TABLE_LOCAL */
  local: 255,
} as const;
/** A table name: 'main', 'local', 'default', … */
export type RouteTableName = keyof typeof RouteTable;

/** Route protocols (RTPROT_*) by name, as /etc/iproute2/rt_protos names them. */
export const RouteProtocol = {
  unspec: 0, // RTPROT_UNSPEC
  redirect: 1, // RTPROT_REDIRECT
  kernel: 2, // RTPROT_KERNEL
  boot: 3, // RTPROT_BOOT
  static: 4, // RTPROT_STATIC
  gated: 8, // RTPROT_GATED
  ra: 9, // RTPROT_RA
  mrt: 10, // RTPROT_MRT
  zebra: 11, // RTPROT_ZEBRA
  bird: 12, // RTPROT_BIRD
  dnrouted: 13, // RTPROT_DNROUTED
  xorp: 14, // RTPROT_XORP
  ntk: 15, // RTPROT_NTK
  dhcp: 16, // RTPROT_DHCP
  mrouted: 17, // RTPROT_MROUTED
  keepalived: 18, // RTPROT_KEEPALIVED
  babel: 42, // RTPROT_BABEL
  openr: 99, // RTPROT_OPENR
  bgp: 186, // RTPROT_BGP
  isis: 187, // RTPROT_ISIS
  ospf: 188, // RTPROT_OSPF
  rip: 189, // RTPROT_RIP
  eigrp: 192, // RTPROT_EIGRP
} as const;
/** A protocol name: 'kernel', 'boot', 'static', … */
export type RouteProtocolName = keyof typeof RouteProtocol;
const PROTOCOL_NAMES = Object.fromEntries(Object.entries(RouteProtocol).map(([k, v]) => [v, k])) as Readonly<Record<number, RouteProtocolName>>;

/**
 * Route flags by name: RTNH_F_* (the low byte, also each nexthop's) and
 * RTM_F_* (RTM_F_OFFLOAD/TRAP/OFFLOAD_FAILED prefixed `rt-` to tell them from
 * the nexthop's).
 */
export const RouteFlag = {
  dead: 0x1, // RTNH_F_DEAD
  pervasive: 0x2, // RTNH_F_PERVASIVE
  onlink: 0x4, // RTNH_F_ONLINK
  offload: 0x8, // RTNH_F_OFFLOAD
  linkdown: 0x10, // RTNH_F_LINKDOWN
  unresolved: 0x20, // RTNH_F_UNRESOLVED
  trap: 0x40, // RTNH_F_TRAP
  notify: 0x100, // RTM_F_NOTIFY
  cloned: 0x200, // RTM_F_CLONED
  equalize: 0x400, // RTM_F_EQUALIZE
  prefix: 0x800, // RTM_F_PREFIX
  'lookup-table': 0x1000, // RTM_F_LOOKUP_TABLE
  'fib-match': 0x2000, // RTM_F_FIB_MATCH
  'rt-offload': 0x4000, // RTM_F_OFFLOAD
  'rt-trap': 0x8000, // RTM_F_TRAP
  'rt-offload-failed': 0x20000000, // RTM_F_OFFLOAD_FAILED
} as const;
/** A route flag name. */
export type RouteFlag = keyof typeof RouteFlag;

/** RTA_PREF values (ICMPV6_ROUTER_PREF_*): an IPv6 router's preference. */
const PREF_NAMES: Readonly<Record<number, 'medium' | 'high' | 'low'>> = { 0: 'medium', 1: 'high', 3: 'low' };
const PREF_VALUES = { medium: 0, high: 1, low: 3 } as const;

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
const METRICS = {
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
type NumericMetric = keyof typeof METRICS;
/** A metric that RTAX_LOCK can lock. */
export type LockableMetric = NumericMetric | 'congctl';
/** RTAX_CC_ALGO */
const RTAX_CC_ALGO = 16;

const metricField = (name: NumericMetric) => `rtax${name[0]!.toUpperCase()}${name.slice(1)}` as keyof rtRoute.RtaMetrics;

/** [name, RTAX_* number, RtaMetrics field] of each numeric metric, worked out once (the decode path runs per route). */
const METRIC_ROWS: ReadonlyArray<readonly [NumericMetric, number, keyof rtRoute.RtaMetrics]> = (Object.entries(METRICS) as Array<[NumericMetric, number]>).map(
  ([name, n]) => [name, n, metricField(name)] as const,
);

/** One path of a multipath route (struct rtnexthop and its attributes). */
export interface Nexthop {
  /** RTA_GATEWAY (or RTA_VIA's address when the gateway is of another family). */
  gateway: string | undefined;
  /** Outgoing interface index (rtnh_ifindex). */
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
  /** The paths of a multipath route (RTA_MULTIPATH). */
  multipath: Nexthop[] | undefined;
  /** rtm_flags by name; unknown bits as a number. */
  flags: Array<RouteFlag | number>;
  /** rtm_tos */
  tos: number;
  /** IPv6 router preference (RTA_PREF). */
  pref: 'low' | 'medium' | 'high' | number | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: RouteAttrs;
}

/** routeFromMessage turns a decoded RTM_NEWROUTE into a Route. Throws DecodeError for a malformed RTA_MULTIPATH or RTA_VIA. */
export function routeFromMessage(m: rtRoute.RouteMessage): Route {
  const h = m.header;
  const a = m.attrs;
  const zero = h.rtmFamily === Family.inet6 ? '::' : '0.0.0.0';
  const out = {
    __proto__: JsonReady,
    family: familyName(h.rtmFamily),
    table: a.rtaTable ?? h.rtmTable,
    dst: h.rtmDstLen === 0 ? 'default' : `${a.rtaDst ?? zero}/${h.rtmDstLen}`,
    dstLength: h.rtmDstLen,
    src: h.rtmSrcLen === 0 ? undefined : `${a.rtaSrc ?? zero}/${h.rtmSrcLen}`,
    gateway: a.rtaGateway ?? (a.rtaVia === undefined ? undefined : decodeVia(a.rtaVia)),
    dev: a.rtaOif,
    prefsrc: a.rtaPrefsrc,
    protocol: PROTOCOL_NAMES[h.rtmProtocol] ?? h.rtmProtocol,
    scope: scopeName(h.rtmScope),
    type: h.rtmType,
    priority: a.rtaPriority,
    metrics: a.rtaMetrics === undefined ? undefined : metricsFromAttrs(a.rtaMetrics),
    multipath: a.rtaMultipath === undefined ? undefined : decodeMultipath(a.rtaMultipath),
    flags: decodeRouteFlags(h.rtmFlags),
    tos: h.rtmTos,
    pref: a.rtaPref === undefined ? undefined : (PREF_NAMES[a.rtaPref] ?? a.rtaPref),
    attrs: a,
  } satisfies JsonObject<Route>;
  return out;
}

const decodeRoute = (view: DataView, start: number, end: number): Route => routeFromMessage(rtRoute.decodeRouteMessage(view, start, end));

const ROUTE_FLAG_ROWS = Object.entries(RouteFlag) as Array<[RouteFlag, number]>;

function decodeRouteFlags(bits: number): Array<RouteFlag | number> {
  if (bits === 0) return [];
  const out: Array<RouteFlag | number> = [];
  let rest = bits >>> 0;
  for (const [name, bit] of ROUTE_FLAG_ROWS) {
    if (rest & bit) {
      out.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) out.push(rest);
  return out;
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

function encodeVia(address: string): Uint8Array {
  const ip = parseIP(address);
  const out = new Uint8Array(2 + ip.length);
  new DataView(out.buffer).setUint16(0, ip.length === 4 ? Family.inet : Family.inet6, true);
  out.set(ip, 2);
  return out;
}

/**
 * decodeMultipath decodes RTA_MULTIPATH: `struct rtnexthop` records, each
 * followed by its own route attributes and padded to 4 bytes. Throws
 * DecodeError (path `rta-multipath`) on a record that does not fit.
 *
 * ```
 *    0 rtnh_len     (u16)  the record with its attributes
 *    2 rtnh_flags   (u8)   RTNH_F_*
 *    3 rtnh_hops    (u8)   weight - 1
 *    4 rtnh_ifindex (s32)
 *    8 attributes (RTA_GATEWAY, RTA_VIA, RTA_FLOW, RTA_ENCAP, …)
 * ```
 */
export function decodeMultipath(bytes: Uint8Array): Nexthop[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Nexthop[] = [];
  const end = bytes.length;
  for (let p = 0; end - p >= RTNH_SIZE; ) {
    const len = view.getUint16(p, true);
    if (len < RTNH_SIZE || len > end - p) throw new DecodeError(`rtnexthop length ${len} does not fit (${end - p} bytes left)`, p, 'rta-multipath');
    let attrs: RouteAttrs;
    try {
      attrs = rtRoute.decodeRouteAttrs(view, p + RTNH_SIZE, p + len);
    } catch (err) {
      throw err instanceof DecodeError ? err.withParent('rta-multipath') : err;
    }
    out.push({
      gateway: attrs.rtaGateway ?? (attrs.rtaVia === undefined ? undefined : decodeVia(attrs.rtaVia)),
      dev: view.getInt32(p + 4, true),
      weight: view.getUint8(p + 3) + 1,
      flags: decodeRouteFlags(view.getUint8(p + 2)),
      attrs,
    });
    p += (len + 3) & ~3;
  }
  return out;
}

/** sizeof(struct rtnexthop) */
const RTNH_SIZE = 8;

/** One path of a new multipath route. */
export interface NexthopSpec {
  /** Gateway address; of the route's family it goes in RTA_GATEWAY, else in RTA_VIA. */
  gateway?: string;
  /** Outgoing interface by name or index. */
  dev?: LinkRef;
  /** 1 to 256 (default 1): the share of flows this path gets. */
  weight?: number;
  /** RTNH_F_ONLINK: the gateway is on the link even if no prefix says so. */
  onlink?: boolean;
}

/**
 * A route to add, replace, append or delete. A `Route` from `list` fits
 * too, so what was listed can be deleted. Absent fields take `ip route`'s
 * defaults.
 */
export interface RouteSpec {
  /** 'default' or a prefix, `10.2.0.0/16`, `2001:db8::/48` (a bare address is a host route). */
  dst: string;
  /** Needed only to say that `default` is IPv6 when nothing else (gateway, prefsrc) does. */
  family?: FamilyName | number;
  /** Source prefix (RTA_SRC), for IPv6 source-specific routes. */
  src?: string;
  /** Gateway; of the dst's family it goes in RTA_GATEWAY, else in RTA_VIA. */
  gateway?: string;
  /** Outgoing interface (RTA_OIF) by name or index. */
  dev?: LinkRef;
  /** Default main; local for local, broadcast, nat and anycast routes. */
  table?: RouteTableName | number;
  /** Preferred source address (RTA_PREFSRC). */
  prefsrc?: string;
  /** rtm_protocol; default 'boot' as `ip` (deletes match any protocol unless given). */
  protocol?: RouteProtocolName | number;
  /** rtm_scope; default as `ip`: link for an IPv4 unicast route without gateway, host for local, … */
  scope?: ScopeInput;
  /** rtm_type; default 'unicast' (deletes match any type unless given). */
  type?: rtRoute.RtmType | number;
  /** The metric (RTA_PRIORITY); IPv6 routes get 1024 from the kernel when absent. */
  priority?: number;
  /** RTA_METRICS */
  metrics?: RouteMetrics;
  /** The paths of a multipath route (RTA_MULTIPATH). */
  multipath?: readonly NexthopSpec[];
  /** RTNH_F_ONLINK: the gateway is on the link even if no prefix says so. */
  onlink?: boolean;
  /** rtm_tos (IPv4). */
  tos?: number;
  /** IPv6 router preference (RTA_PREF). */
  pref?: 'low' | 'medium' | 'high' | number;
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

/** Options of `routes.get`, with the call's `timeout` and `signal`. */
export interface RouteGetOptions extends CallOptions {
  /** Source address of the packet (RTA_SRC). */
  from?: string;
  /** Force the outgoing interface (RTA_OIF). */
  oif?: LinkRef;
  /** The packet arrives on this interface (RTA_IIF): an input-path lookup; usually wants `from`. */
  iif?: LinkRef;
  /** Firewall mark (RTA_MARK). */
  mark?: number;
  /** Socket owner's uid (RTA_UID). */
  uid?: number;
  /** RTM_F_FIB_MATCH: return the FIB entry that matched instead of the resolved (cloned) route. */
  fibMatch?: boolean;
}

/** How `addMany` writes: NLM_F_EXCL (add), NLM_F_REPLACE (replace) or NLM_F_APPEND (append), each with NLM_F_CREATE. */
export type RouteWriteMode = 'add' | 'replace' | 'append';

const MODE_FLAGS: Readonly<Record<RouteWriteMode, number>> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  append: NLM_F_CREATE | NLM_F_APPEND,
};

/** RTM_F_FIB_MATCH */
const RTM_F_FIB_MATCH = 0x2000;

/** Routes is `rtnl.routes`: the routes of every table, both families, of one namespace. */
export class Routes {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps routes (RTM_GETROUTE); every filter is applied by the kernel
   * (strict checking). Default: table main, both families. Throws
   * ArgumentError for a bad filter value, KernelError (ENODEV for a missing
   * `oif`; ENOENT for a table that does not exist in the one family asked).
   */
  async list(filter: RouteFilter = {}, options?: DumpOptions): Promise<Route[]> {
    const f = checkOptions(filter, 'filter', ['table', 'family', 'protocol', 'type', 'oif']) as RouteFilter;
    const family = familyNumber(f.family, 'filter.family');
    // Without a handler for the family (mpls unloaded, bridge) the kernel would dump every family.
    if (family !== Family.all && family !== Family.inet && family !== Family.inet6) {
      throw new ArgumentError('filter.family', { expected: "'inet' or 'inet6'", received: f.family });
    }
    const table = f.table === 'all' ? 0 : tableNumber(f.table === undefined ? 'main' : f.table, 'filter.table');
    const protocol = f.protocol === undefined ? 0 : protocolNumber(f.protocol, 'filter.protocol');
    const type = f.type === undefined ? 0 : typeNumber(f.type, 'filter.type');
    if (f.oif !== undefined) checkLinkRef(f.oif, 'filter.oif');
    const dump = dumpOptions(options);
    const attrs: RouteAttrs = {};
    if (table > 255) attrs.rtaTable = table;
    if (f.oif !== undefined) attrs.rtaOif = await this.ctx.linkIndex(f.oif, dump);
    const header: Partial<rtRoute.Rtmsg> = {
      rtmFamily: family,
      rtmTable: table > 255 ? RouteTable.compat : table,
      rtmProtocol: protocol,
      rtmType: type,
    };
    const { items } = await this.ctx.conn.dump(
      { type: rtRoute.RequestType.getroute, label: 'RTM_GETROUTE', body: (w) => rtRoute.encodeRouteMessage(w, { header, attrs }) },
      decodeRoute,
      dump,
    );
    // The kernel applies each filter under strict checking; checking again here keeps the promise on any kernel.
    const oif = attrs.rtaOif;
    return items.filter(
      (r) =>
        (family === Family.all || r.family === familyName(family)) &&
        (table === 0 || r.table === table) &&
        (protocol === 0 || (typeof r.protocol === 'number' ? r.protocol : RouteProtocol[r.protocol]) === protocol) &&
        (type === 0 || (typeof r.type === 'number' ? r.type : rtRoute.RtmType[r.type]) === type) &&
        (oif === undefined || r.dev === oif || (r.multipath ?? []).some((nh) => nh.dev === oif)),
    );
  }

  /**
   * get asks the kernel which route a packet to `dst` would take (one
   * RTM_GETROUTE, no dump), like `ip route get`. Throws ArgumentError for an
   * invalid address, KernelError (ENETUNREACH, EHOSTUNREACH, …).
   */
  async get(dst: string, options: RouteGetOptions = {}): Promise<Route> {
    const o = checkOptions(options, 'options', ['from', 'oif', 'iif', 'mark', 'uid', 'fibMatch', ...CALL_OPTION_KEYS]) as RouteGetOptions;
    const d = parsePrefix(dst, Family.inet, 'dst');
    if (d.length !== d.bytes.length * 8) throw new ArgumentError('dst', { expected: 'an address, not a prefix', received: dst });
    const full = d.bytes.length * 8;
    const attrs: RouteAttrs = { rtaDst: d.address };
    let srcLen = 0;
    if (o.from !== undefined) {
      const f = parseAddress(o.from, 'options.from');
      if (f.family !== d.family) throw new ArgumentError('options.from', { expected: `an address of ${JSON.stringify(dst)}'s family`, received: o.from });
      attrs.rtaSrc = f.address;
      srcLen = full;
    }
    if (o.mark !== undefined) attrs.rtaMark = checkUint(o.mark, 'options.mark', 0xffffffff);
    if (o.uid !== undefined) attrs.rtaUid = checkUint(o.uid, 'options.uid', 0xffffffff);
    if (o.fibMatch !== undefined) checkBoolean(o.fibMatch, 'options.fibMatch');
    if (o.oif !== undefined) checkLinkRef(o.oif, 'options.oif');
    if (o.iif !== undefined) checkLinkRef(o.iif, 'options.iif');
    const call = pickCall(o);
    if (o.oif !== undefined) attrs.rtaOif = await this.ctx.linkIndex(o.oif, call);
    if (o.iif !== undefined) attrs.rtaIif = await this.ctx.linkIndex(o.iif, call);
    return this.ctx.conn.get(
      {
        type: rtRoute.RequestType.getroute,
        label: `RTM_GETROUTE ${dst}`,
        body: (w) =>
          rtRoute.encodeRouteMessage(w, {
            header: { rtmFamily: d.family, rtmDstLen: full, rtmSrcLen: srcLen, rtmFlags: o.fibMatch ? RTM_F_FIB_MATCH : 0 },
            attrs,
          }),
      },
      decodeRoute,
      call,
    );
  }

  /**
   * add creates a route (RTM_NEWROUTE with NLM_F_CREATE | NLM_F_EXCL).
   * Throws ArgumentError for invalid input before sending, KernelError
   * (`EEXIST` when the table has it already, ENETUNREACH for an unreachable
   * gateway, ENODEV, …).
   */
  async add(route: RouteSpec, options?: CallOptions): Promise<void> {
    await this.write(route, 'add', options);
  }

  /**
   * replace creates the route or replaces the one with the same dst, tos and
   * metric in its table (NLM_F_CREATE | NLM_F_REPLACE). Throws as `add`
   * does, save EEXIST.
   */
  async replace(route: RouteSpec, options?: CallOptions): Promise<void> {
    await this.write(route, 'replace', options);
  }

  /**
   * append adds a route even when one with the same dst exists (IPv4: an
   * alternative behind it; IPv6: a further nexthop of it) (NLM_F_CREATE |
   * NLM_F_APPEND). Throws as `add` does.
   */
  async append(route: RouteSpec, options?: CallOptions): Promise<void> {
    await this.write(route, 'append', options);
  }

  /**
   * delete removes the first route that matches (RTM_DELROUTE): fields left
   * out match anything, as with `ip route del`; a Route from `list` matches
   * itself. Throws ArgumentError for invalid input, KernelError `ESRCH` when
   * nothing matches.
   */
  async delete(route: RouteSpec, options?: CallOptions): Promise<void> {
    const call = callOptions(options);
    const body = await checkedRoute(route, false, 'route');
    await resolveRoute(body, linkResolver(this.ctx, call));
    await this.ctx.conn.request(
      { type: rtRoute.RequestType.delroute, label: `RTM_DELROUTE ${route.dst}`, body: (w) => rtRoute.encodeRouteMessage(w, body.message) },
      undefined,
      call,
    );
  }

  /**
   * addMany writes many routes in as few datagrams as possible
   * (`Connection.batch`, the bulk path; `mode` default 'add') and resolves
   * with one outcome per route, in order: a refused route does not stop the
   * others. Every route is validated and every link name resolved first, so
   * invalid input throws ArgumentError naming the route (`routes[3].gateway`)
   * (or KernelError ENODEV for an unknown link) before anything is sent.
   * `options`: `mode`, `timeout`, `signal`.
   */
  async addMany(routes: readonly RouteSpec[], options: CallOptions & { mode?: RouteWriteMode } = {}): Promise<BatchOutcome<never>[]> {
    const o = checkOptions(options, 'options', ['mode', ...CALL_OPTION_KEYS]) as CallOptions & { mode?: RouteWriteMode };
    const flags = lookupName(MODE_FLAGS, o.mode === undefined ? 'add' : o.mode, 'options.mode');
    checkArray(routes, 'routes');
    const call = pickCall(o);
    const bodies: Checked[] = [];
    for (let i = 0; i < routes.length; i++) bodies.push(await checkedRoute(routes[i]!, true, `routes[${i}]`));
    const resolve = linkResolver(this.ctx, call);
    for (const body of bodies) await resolveRoute(body, resolve);
    const requests: Request[] = bodies.map((body, i) => ({
      type: rtRoute.RequestType.newroute,
      flags,
      label: `RTM_NEWROUTE ${routes[i]!.dst}`,
      body: (w) => rtRoute.encodeRouteMessage(w, body.message),
    }));
    return this.ctx.conn.batch(requests, undefined, call);
  }

  private async write(route: RouteSpec, mode: RouteWriteMode, options: CallOptions | undefined): Promise<void> {
    const call = callOptions(options);
    const body = await checkedRoute(route, true, 'route');
    await resolveRoute(body, linkResolver(this.ctx, call));
    await this.ctx.conn.request(
      {
        type: rtRoute.RequestType.newroute,
        flags: MODE_FLAGS[mode],
        label: `RTM_NEWROUTE ${route.dst}${mode === 'add' ? '' : ` (${mode})`}`,
        body: (w) => rtRoute.encodeRouteMessage(w, body.message),
      },
      undefined,
      call,
    );
  }
}

/** The keys a RouteSpec takes, and those a Route from `list` brings along (accepted, so a listed route can be deleted, and ignored). */
const ROUTE_KEYS = ['dst', 'family', 'src', 'gateway', 'dev', 'table', 'prefsrc', 'protocol', 'scope', 'type', 'priority', 'metrics', 'multipath', 'onlink', 'tos', 'pref'];
const ROUTE_OUTPUT_KEYS = ['dstLength', 'flags', 'attrs'];
const NEXTHOP_KEYS = ['gateway', 'dev', 'weight', 'onlink'];
const NEXTHOP_OUTPUT_KEYS = ['flags', 'attrs'];
const METRIC_KEYS = [...Object.keys(METRICS), 'congctl', 'lock', 'mtuLock'];

/**
 * A validated route: its message with placeholder link indexes, and the
 * references to put in once resolved (`dev`, and each nexthop's).
 */
interface Checked {
  message: rtRoute.RouteMessageInput;
  dev: LinkRef | undefined;
  family: number;
  multipath: readonly NexthopSpec[] | undefined;
}

/**
 * checkedRoute validates a RouteSpec completely — keys, types, ranges, and
 * an encode with placeholder link indexes — so nothing is looked up or sent
 * for a bad one. Throws ArgumentError naming `argument` and the field.
 */
async function checkedRoute(route: RouteSpec, create: boolean, argument: string): Promise<Checked> {
  if (!isRecord(route)) throw new ArgumentError(argument, { expected: 'a route object such as { dst: "10.2.0.0/16", gateway: "10.1.0.1" }', received: route });
  checkKeys(route, argument, [...ROUTE_KEYS, ...ROUTE_OUTPUT_KEYS]);
  if (route.dev !== undefined) checkLinkRef(route.dev, `${argument}.dev`);
  if (route.onlink !== undefined) checkBoolean(route.onlink, `${argument}.onlink`);
  if (route.metrics !== undefined) checkOptions(route.metrics, `${argument}.metrics`, METRIC_KEYS);
  if (route.multipath !== undefined) {
    checkArray(route.multipath, `${argument}.multipath`);
    for (const [i, nh] of route.multipath.entries()) {
      const o = checkOptions(nh, `${argument}.multipath[${i}]`, [...NEXTHOP_KEYS, ...NEXTHOP_OUTPUT_KEYS]);
      if (nh === undefined) throw new ArgumentError(`${argument}.multipath[${i}]`, { expected: 'a nexthop object', received: nh });
      if (o.dev !== undefined) checkLinkRef(o.dev, `${argument}.multipath[${i}].dev`);
      if (o.onlink !== undefined) checkBoolean(o.onlink, `${argument}.multipath[${i}].onlink`);
    }
  }
  try {
    const message = await buildRoute(route, create, async () => 1);
    rtRoute.encodeRouteMessage(new MessageWriter(512), message);
    return { message, dev: route.dev, family: message.header.rtmFamily!, multipath: route.multipath };
  } catch (err) {
    if (err instanceof ArgumentError && !err.argument.startsWith(argument)) {
      err.argument = err.argument ? `${argument}.${err.argument}` : argument;
      err.message = `${argument}.${err.message}`;
    }
    throw err;
  }
}

/** resolveRoute puts the real link indexes into a checked route (RTA_OIF, each nexthop's rtnh_ifindex). */
async function resolveRoute(c: Checked, resolve: (ref: LinkRef) => Promise<number>): Promise<void> {
  if (c.dev !== undefined) c.message.attrs.rtaOif = await resolve(c.dev);
  if (c.multipath !== undefined && c.multipath.some((nh) => nh.dev !== undefined)) c.message.attrs.rtaMultipath = await encodeMultipath(c.multipath, c.family, resolve);
}

/** A link-name resolver that asks the kernel once per distinct name. */
function linkResolver(ctx: RtnlContext, options: CallOptions): (ref: LinkRef) => Promise<number> {
  const known = new Map<string, Promise<number>>();
  return (ref) => {
    if (typeof ref === 'number') return Promise.resolve(ref);
    let p = known.get(ref);
    if (!p) known.set(ref, (p = ctx.linkIndex(ref, options)));
    return p;
  };
}

/**
 * buildRoute validates a RouteSpec and returns the RTM_NEWROUTE (`create`)
 * or RTM_DELROUTE body, with `ip route`'s defaults. Throws ArgumentError.
 */
async function buildRoute(r: RouteSpec, create: boolean, resolve: (ref: LinkRef) => Promise<number>): Promise<rtRoute.RouteMessageInput> {
  if (typeof r.dst !== 'string') throw new ArgumentError('dst', { expected: '"default" or a prefix such as "10.2.0.0/16"', received: r.dst });
  const family = routeFamily(r);
  const dst = parsePrefix(r.dst, family, 'dst');
  if (dst.family !== family) throw new ArgumentError('dst', { expected: `a prefix of family ${familyName(family)}`, received: r.dst });
  const attrs: RouteAttrs = {};
  const header: Partial<rtRoute.Rtmsg> = { rtmFamily: family, rtmDstLen: dst.length };
  if (dst.length > 0) attrs.rtaDst = dst.address;
  if (r.src !== undefined) {
    const src = sameFamily(parsePrefix(r.src, family, 'src'), family, 'src', r.src);
    header.rtmSrcLen = src.length;
    attrs.rtaSrc = src.address;
  }
  if (r.tos !== undefined) header.rtmTos = checkUint(r.tos, 'tos', 255);
  const type = r.type === undefined ? (create ? RTN_UNICAST : 0) : typeNumber(r.type, 'type');
  header.rtmType = type;
  const table = r.table === undefined ? (LOCAL_TABLE_TYPES.has(type) ? RouteTable.local : RouteTable.main) : tableNumber(r.table, 'table');
  header.rtmTable = table > 255 ? RouteTable.compat : table;
  if (table > 255) attrs.rtaTable = table;
  header.rtmProtocol = r.protocol === undefined ? (create ? RouteProtocol.boot : 0) : protocolNumber(r.protocol, 'protocol');
  if (r.gateway !== undefined) setGateway(attrs, r.gateway, family, 'gateway');
  if (r.prefsrc !== undefined) attrs.rtaPrefsrc = sameFamily(parseAddress(r.prefsrc, 'prefsrc'), family, 'prefsrc', r.prefsrc).address;
  if (r.priority !== undefined) attrs.rtaPriority = checkUint(r.priority, 'priority', 0xffffffff);
  if (r.pref !== undefined) attrs.rtaPref = typeof r.pref === 'number' ? checkUint(r.pref, 'pref', 255) : lookupName(PREF_VALUES, r.pref, 'pref', 'or a number 0-255');
  if (r.metrics !== undefined) attrs.rtaMetrics = metricsToAttrs(r.metrics);
  let flags = r.onlink ? RouteFlag.onlink : 0;
  if (r.multipath !== undefined) {
    if (r.multipath.length === 0) throw new ArgumentError('multipath', { reason: 'needs at least one nexthop' });
    attrs.rtaMultipath = await encodeMultipath(r.multipath, family, resolve);
  }
  if (r.dev !== undefined) attrs.rtaOif = await resolve(r.dev);
  // A Route from `list` carries flags; of them only RTNH_F_ONLINK is a request.
  if (!create) flags = 0;
  header.rtmFlags = flags;
  header.rtmScope = r.scope !== undefined ? scopeNumber(r.scope, 'scope') : defaultScope(family, type, create, attrs.rtaGateway !== undefined || attrs.rtaVia !== undefined || attrs.rtaMultipath !== undefined);
  return { header, attrs };
}

/** Types whose routes live in the local table unless told otherwise (as `ip` does). */
const RTN_UNICAST = 1;
const LOCAL_TABLE_TYPES: ReadonlySet<number> = new Set([rtRoute.RtmType.local, rtRoute.RtmType.broadcast, rtRoute.RtmType.nat, rtRoute.RtmType.anycast]);

/** The scope `ip route` picks when none is given. */
function defaultScope(family: number, type: number, create: boolean, viaGateway: boolean): number {
  if (family === Family.inet6 || family === Family.mpls) return ScopeNumber.global;
  if (type === rtRoute.RtmType.local || type === rtRoute.RtmType.nat) return ScopeNumber.host;
  if (type === rtRoute.RtmType.broadcast || type === rtRoute.RtmType.multicast || type === rtRoute.RtmType.anycast) return ScopeNumber.link;
  if (type === RTN_UNICAST || type === 0) {
    // Deletes match any scope; a unicast route straight out of a link is link-scoped.
    if (!create) return ScopeNumber.nowhere;
    if (!viaGateway) return ScopeNumber.link;
  }
  return ScopeNumber.global;
}

/** The route's family: the one named, else the dst's, else the gateway's or prefsrc's (for `default`), else IPv4. */
function routeFamily(r: RouteSpec): number {
  if (r.family !== undefined) {
    const f = familyNumber(r.family, 'family');
    if (f !== Family.inet && f !== Family.inet6) throw new ArgumentError('family', { expected: "'inet' or 'inet6'", received: r.family });
    return f;
  }
  if (r.dst !== 'default' && r.dst !== 'all' && r.dst !== 'any') return parsePrefix(r.dst, Family.inet, 'dst').family;
  const hints: Array<[unknown, string]> = [
    [r.gateway, 'gateway'],
    [r.prefsrc, 'prefsrc'],
    [r.src, 'src'],
    [r.multipath?.[0]?.gateway, 'multipath[0].gateway'],
  ];
  for (const [text, what] of hints) if (text !== undefined) return parsePrefix(text as string, Family.inet, what).family;
  return Family.inet;
}

function sameFamily(p: Prefix, family: number, what: string, text: string): Prefix {
  if (p.family !== family) throw new ArgumentError(what, { expected: "an address of the route's family", received: text });
  return p;
}

/** A gateway of the route's family is RTA_GATEWAY; of the other, RTA_VIA (IPv4 over an IPv6 nexthop). */
function setGateway(attrs: RouteAttrs, gateway: string, family: number, what: string): void {
  const g = parseAddress(gateway, what);
  if (g.family === family) attrs.rtaGateway = g.address;
  else attrs.rtaVia = encodeVia(g.address);
}

/** encodeMultipath writes RTA_MULTIPATH's payload (see decodeMultipath for the layout). Throws ArgumentError. */
async function encodeMultipath(hops: readonly NexthopSpec[], family: number, resolve: (ref: LinkRef) => Promise<number>): Promise<Uint8Array> {
  const resolved: Array<{ attrs: RouteAttrs; flags: number; hops: number; ifindex: number }> = [];
  for (const [i, nh] of hops.entries()) {
    const attrs: RouteAttrs = {};
    if (nh.gateway !== undefined) setGateway(attrs, nh.gateway, family, `multipath[${i}].gateway`);
    const weight = nh.weight === undefined ? 1 : checkInteger(nh.weight, `multipath[${i}].weight`, 1, 256);
    if (nh.gateway === undefined && nh.dev === undefined) throw new ArgumentError(`multipath[${i}]`, { reason: 'needs a gateway or a dev' });
    resolved.push({ attrs, flags: nh.onlink ? RouteFlag.onlink : 0, hops: weight - 1, ifindex: nh.dev === undefined ? 0 : await resolve(nh.dev) });
  }
  const w = new MessageWriter(64 * hops.length);
  for (const nh of resolved) {
    const at = w.reserve(RTNH_SIZE);
    rtRoute.encodeRouteAttrs(w, nh.attrs);
    // The writer may have grown: take its view only now.
    const v = w.view;
    v.setUint16(at, w.length - at, true);
    v.setUint8(at + 2, nh.flags);
    v.setUint8(at + 3, nh.hops);
    v.setInt32(at + 4, nh.ifindex, true);
  }
  return w.toBytes();
}

function metricsToAttrs(m: RouteMetrics): rtRoute.RtaMetrics {
  const out: rtRoute.RtaMetrics = {};
  for (const name of Object.keys(METRICS) as NumericMetric[]) {
    const v = m[name];
    if (v !== undefined) (out as Record<string, number>)[metricField(name)] = checkUint(v, `metrics.${name}`, 0xffffffff);
  }
  if (m.congctl !== undefined) out.rtaxCcAlgo = checkString(m.congctl, 'metrics.congctl', { minBytes: 1, maxBytes: 15 });
  if (m.mtuLock !== undefined) checkBoolean(m.mtuLock, 'metrics.mtuLock');
  let lock = m.mtuLock ? 1 << METRICS.mtu : 0;
  const locked = m.lock === undefined ? [] : checkArray(m.lock, 'metrics.lock');
  for (const [i, name] of locked.entries()) {
    lock |= 1 << (name === 'congctl' ? RTAX_CC_ALGO : lookupName(METRICS, name, `metrics.lock[${i}]`, 'or congctl'));
  }
  if (lock !== 0) out.rtaxLock = lock >>> 0;
  return out;
}

/** tableNumber maps a table name or number (1 to 2^32-1; 0 is no table) to its id; throws ArgumentError naming `argument`. */
function tableNumber(t: RouteTableName | number, argument: string): number {
  if (typeof t === 'number') return checkUint(t, argument, 0xffffffff);
  return lookupName(RouteTable, t, argument, 'or a number');
}

function protocolNumber(p: RouteProtocolName | number, argument: string): number {
  if (typeof p === 'number') return checkUint(p, argument, 255);
  return lookupName(RouteProtocol, p, argument, 'or a number 0-255');
}

function typeNumber(t: rtRoute.RtmType | number, argument: string): number {
  if (typeof t === 'number') return checkUint(t, argument, 255);
  return lookupName(rtRoute.RtmType, t, argument, 'or a number 0-255');
}
