/**
 * Routes: list, look up, add, replace, append and delete routes of every
 * table, IPv4 and IPv6, of one namespace. Requests are built with the
 * generated rt-route codecs; what is returned is a plain `Route`.
 *
 * Defaults follow `ip route`: table main (local for local, broadcast, nat
 * and anycast routes), protocol boot, type unicast, and the scope `ip`
 * would pick. Tables above 255 travel in RTA_TABLE, rtm_table then says
 * RT_TABLE_COMPAT. RTA_MULTIPATH's records (`struct rtnexthop` and route
 * attributes) are built here (`multipathRecords`) and written by the
 * generated encoder; the route kind (src/registry/kinds/route.ts, which
 * also defines `Route`) reads them back.
 */
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkArray, checkBoolean, checkInteger, checkKeys, checkOptions, checkString, isRecord, lookupName } from '../netlink/args.js';
import type { BatchOutcome, CallOptions, DumpOptions, Request } from '../netlink/connection.js';
import { parseIP } from '../netlink/format.js';
import { checkEncodes } from '../netlink/writer.js';
import * as rtRoute from '../generated/rt-route.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { getObject, kindRequest, listObjects, sendKind } from '../registry/kind.js';
import { routeKind } from '../registry/kinds/route-kind.js';
import { METRICS, RTAX_CC_ALGO, metricField, routeTypeNumber, type NumericMetric, type Route, type RouteFilter, type RouteMetrics } from '../registry/kinds/route.js';
import { parseAddress, parsePrefix, type Prefix } from '../registry/prefix.js';
import {
  Family,
  RoutePref,
  RouteFlag,
  RouteProtocol,
  RouteTable,
  ScopeNumber,
  familyName,
  familyNumber,
  protocolNumber,
  scopeNumber,
  tableNumber,
  type FamilyName,
  type RouteProtocolName,
  type RouteTableName,
  type ScopeInput,
} from '../registry/vocabulary.js';
import { CALL_OPTION_KEYS, callOptions, checkLinkRef, checkUint, pickCall } from '../registry/validate.js';

type RouteAttrs = rtRoute.RouteAttrs;

/** RTA_VIA's payload (struct rtvia): the gateway's family and address (see decodeVia in the route kind). */
function encodeVia(address: string): Uint8Array {
  const ip = parseIP(address);
  const out = new Uint8Array(2 + ip.length);
  new DataView(out.buffer).setUint16(0, ip.length === 4 ? Family.inet : Family.inet6, true);
  out.set(ip, 2);
  return out;
}

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
  /**
   * Go through the nexthop object with this id (RTA_NH_ID; `ip route … nhid N`),
   * made with `rt.nexthops.add`; instead of `gateway`, `dev` and `multipath`.
   */
  nexthopId?: number;
  /** RTNH_F_ONLINK: the gateway is on the link even if no prefix says so. */
  onlink?: boolean;
  /** rtm_tos (IPv4). */
  tos?: number;
  /** IPv6 router preference (RTA_PREF). */
  pref?: 'low' | 'medium' | 'high' | number;
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
    return listObjects(this.ctx, routeKind, filter, options);
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
    // IPv4: RTM_F_LOOKUP_TABLE, as `ip route get` sends, so the reply names the table the route
    // was found in (IPv6 refuses the flag: "Invalid flags for get route request").
    const header = { rtmFamily: d.family, rtmDstLen: full, rtmSrcLen: srcLen, rtmFlags: (d.family === Family.inet ? RouteFlag['lookup-table'] : 0) | (o.fibMatch ? RouteFlag['fib-match'] : 0) };
    return getObject(this.ctx.conn, routeKind, { header, attrs }, dst, call);
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
    const body = checkedRoute(route, false, 'route');
    await resolveRoutes([body], this.ctx, call);
    await sendKind(this.ctx.conn, routeKind, 'del', body.message, 0, route.dst, call);
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
    for (let i = 0; i < routes.length; i++) bodies.push(checkedRoute(routes[i]!, true, `routes[${i}]`));
    await resolveRoutes(bodies, this.ctx, call);
    const requests: Request[] = bodies.map((body, i) => kindRequest(routeKind, 'new', body.message, flags, routes[i]!.dst));
    return this.ctx.conn.batch(requests, undefined, call);
  }

  private async write(route: RouteSpec, mode: RouteWriteMode, options: CallOptions | undefined): Promise<void> {
    const call = callOptions(options);
    const body = checkedRoute(route, true, 'route');
    await resolveRoutes([body], this.ctx, call);
    await sendKind(this.ctx.conn, routeKind, 'new', body.message, MODE_FLAGS[mode], `${route.dst}${mode === 'add' ? '' : ` (${mode})`}`, call);
  }
}

/** The keys a RouteSpec takes, and those a Route from `list` brings along (accepted, so a listed route can be deleted, and ignored). */
const ROUTE_KEYS = ['dst', 'family', 'src', 'gateway', 'dev', 'table', 'prefsrc', 'protocol', 'scope', 'type', 'priority', 'metrics', 'multipath', 'nexthopId', 'onlink', 'tos', 'pref'];
const ROUTE_OUTPUT_KEYS = ['dstLength', 'flags', 'attrs'];
/** Every key checkedRoute takes: a RouteSpec's and a listed Route's. */
const ROUTE_SPEC_KEYS = [...ROUTE_KEYS, ...ROUTE_OUTPUT_KEYS];
const NEXTHOP_KEYS = ['gateway', 'dev', 'weight', 'onlink'];
const NEXTHOP_OUTPUT_KEYS = ['flags', 'attrs'];
const METRIC_KEYS = [...Object.keys(METRICS), 'congctl', 'lock', 'mtuLock'];

/**
 * A validated route: its message with placeholder link indexes (PLACEHOLDER_LINK),
 * and the references to put in once resolved (`dev`, and each nexthop's).
 */
interface Checked {
  message: rtRoute.RouteMessageInput;
  dev: LinkRef | undefined;
  multipath: readonly NexthopSpec[] | undefined;
}

/**
 * checkedRoute validates a RouteSpec completely — keys, types, ranges, and
 * an encode with placeholder link indexes — so nothing is looked up or sent
 * for a bad one. Throws ArgumentError naming `argument` and the field.
 */
function checkedRoute(route: RouteSpec, create: boolean, argument: string): Checked {
  if (!isRecord(route)) throw new ArgumentError(argument, { expected: 'a route object such as { dst: "10.2.0.0/16", gateway: "10.1.0.1" }', received: route });
  checkKeys(route, argument, ROUTE_SPEC_KEYS);
  if (route.nexthopId !== undefined) {
    // A listed route through a nexthop object carries the object's paths too, which the kernel refuses beside RTA_NH_ID.
    if ('attrs' in route) route = { ...route, gateway: undefined, dev: undefined, multipath: undefined };
    const given = (['gateway', 'dev', 'multipath'] as const).find((k) => route[k] !== undefined);
    if (given !== undefined) throw new ArgumentError(`${argument}.${given}`, { reason: 'not with nexthopId: the nexthop object holds the gateway, device and paths' });
  }
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
    const message = buildRoute(route, create);
    checkEncodes(rtRoute.encodeRouteMessage, message);
    return { message, dev: route.dev, multipath: route.multipath };
  } catch (err) {
    if (err instanceof ArgumentError && !err.argument.startsWith(argument)) {
      err.argument = err.argument ? `${argument}.${err.argument}` : argument;
      err.message = `${argument}.${err.message}`;
    }
    throw err;
  }
}

/**
 * resolveRoutes puts the real link indexes into checked routes (RTA_OIF, each
 * nexthop's rtnh_ifindex), asking the kernel once per distinct name, in the
 * order the routes name them: the first unknown name rejects (KernelError
 * ENODEV) before any route is sent. One wait per name, not per route: a
 * batch of 10,000 routes through one device waits once.
 */
async function resolveRoutes(bodies: readonly Checked[], ctx: RtnlContext, options: CallOptions): Promise<void> {
  // Every name, in the order first named (a Map keeps insertion order); the index comes next.
  const indexes = new Map<string, number>();
  const named = (ref: LinkRef | undefined) => {
    if (typeof ref === 'string' && !indexes.has(ref)) indexes.set(ref, PLACEHOLDER_LINK);
  };
  for (const c of bodies) {
    named(c.dev);
    c.multipath?.forEach((nh) => named(nh.dev));
  }
  for (const name of indexes.keys()) indexes.set(name, await ctx.linkIndex(name, options));
  const index = (ref: LinkRef) => (typeof ref === 'number' ? ref : indexes.get(ref)!);
  for (const c of bodies) {
    if (c.dev !== undefined) c.message.attrs.rtaOif = index(c.dev);
    // buildRoute made one record per nexthop, in order.
    const records = c.message.attrs.rtaMultipath;
    c.multipath?.forEach((nh, i) => {
      if (nh.dev !== undefined) records![i]!.header.rtnhIfindex = index(nh.dev);
    });
  }
}

/** The link index a checked route carries until resolveRoutes puts the real one in: valid for every encoder, never sent. */
const PLACEHOLDER_LINK = 1;

/**
 * buildRoute validates a RouteSpec and returns the RTM_NEWROUTE (`create`)
 * or RTM_DELROUTE body, with `ip route`'s defaults. Throws ArgumentError.
 */
function buildRoute(r: RouteSpec, create: boolean): rtRoute.RouteMessageInput {
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
  const type = r.type === undefined ? (create ? RTN_UNICAST : 0) : routeTypeNumber(r.type, 'type');
  header.rtmType = type;
  const table = r.table === undefined ? (LOCAL_TABLE_TYPES.has(type) ? RouteTable.local : RouteTable.main) : tableNumber(r.table, 'table');
  header.rtmTable = table > 255 ? RouteTable.compat : table;
  if (table > 255) attrs.rtaTable = table;
  header.rtmProtocol = r.protocol === undefined ? (create ? RouteProtocol.boot : 0) : protocolNumber(r.protocol, 'protocol');
  if (r.gateway !== undefined) setGateway(attrs, r.gateway, family, 'gateway');
  if (r.prefsrc !== undefined) attrs.rtaPrefsrc = sameFamily(parseAddress(r.prefsrc, 'prefsrc'), family, 'prefsrc', r.prefsrc).address;
  if (r.priority !== undefined) attrs.rtaPriority = checkUint(r.priority, 'priority', 0xffffffff);
  if (r.pref !== undefined) attrs.rtaPref = typeof r.pref === 'number' ? checkUint(r.pref, 'pref', 255) : lookupName(RoutePref, r.pref, 'pref', 'or a number 0-255');
  if (r.metrics !== undefined) attrs.rtaMetrics = metricsToAttrs(r.metrics);
  let flags = r.onlink ? RouteFlag.onlink : 0;
  if (r.multipath !== undefined) {
    if (r.multipath.length === 0) throw new ArgumentError('multipath', { reason: 'needs at least one nexthop' });
    attrs.rtaMultipath = multipathRecords(r.multipath, family);
  }
  if (r.dev !== undefined) attrs.rtaOif = PLACEHOLDER_LINK;
  if (r.nexthopId !== undefined) attrs.rtaNhId = checkInteger(r.nexthopId, 'nexthopId', 1, 0xffffffff);
  // A Route from `list` carries flags; of them only RTNH_F_ONLINK is a request.
  if (!create) flags = 0;
  header.rtmFlags = flags;
  header.rtmScope = r.scope !== undefined ? scopeNumber(r.scope, 'scope') : defaultScope(family, type, create, attrs.rtaGateway !== undefined || attrs.rtaVia !== undefined || attrs.rtaMultipath !== undefined || attrs.rtaNhId !== undefined);
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

/** The route's family: the one named, else the dst's, else the gateway's or prefsrc's (for `default`), else IPv4. `r.dst` is a string. */
function routeFamily(r: RouteSpec): number {
  if (r.family !== undefined) {
    const f = familyNumber(r.family, 'family');
    if (f !== Family.inet && f !== Family.inet6) throw new ArgumentError('family', { expected: "'inet' or 'inet6'", received: r.family });
    return f;
  }
  // A prefix's family is in its text (buildRoute parses it next, and says what is wrong with it).
  if (r.dst !== 'default' && r.dst !== 'all' && r.dst !== 'any') return r.dst.includes(':') ? Family.inet6 : Family.inet;
  // [text, its name, whether it is an address (else a prefix)]: each says what is wrong with it in its own terms.
  const hints: Array<[unknown, string, boolean]> = [
    [r.gateway, 'gateway', true],
    [r.prefsrc, 'prefsrc', true],
    [r.src, 'src', false],
    [r.multipath?.[0]?.gateway, 'multipath[0].gateway', true],
  ];
  for (const [text, what, address] of hints) {
    if (text !== undefined) return (address ? parseAddress(text as string, what) : parsePrefix(text as string, Family.inet, what)).family;
  }
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

/**
 * multipathRecords builds RTA_MULTIPATH's records: per path a `struct
 * rtnexthop` (flags, weight - 1, ifindex; the encoder works out rtnh_len)
 * and its RTA_GATEWAY or RTA_VIA. Throws ArgumentError (`multipath[i]…`).
 */
function multipathRecords(hops: readonly NexthopSpec[], family: number): rtRoute.RtnexthopRecordInput[] {
  const out: rtRoute.RtnexthopRecordInput[] = [];
  for (const [i, nh] of hops.entries()) {
    const attrs: RouteAttrs = {};
    if (nh.gateway !== undefined) setGateway(attrs, nh.gateway, family, `multipath[${i}].gateway`);
    const weight = nh.weight === undefined ? 1 : checkInteger(nh.weight, `multipath[${i}].weight`, 1, 256);
    if (nh.gateway === undefined && nh.dev === undefined) throw new ArgumentError(`multipath[${i}]`, { reason: 'needs a gateway or a dev' });
    out.push({ header: { rtnhFlags: nh.onlink ? ['onlink'] : [], rtnhHops: weight - 1, rtnhIfindex: nh.dev === undefined ? 0 : PLACEHOLDER_LINK }, attrs });
  }
  return out;
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
