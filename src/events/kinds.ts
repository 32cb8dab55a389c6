/**
 * The rtnetlink objects events are about: which multicast group carries
 * them, which message types mean "new" and "del", how a message is decoded
 * and turned into the object `list()` returns, which messages `list()` would
 * not show (so events skip them too), and the kernel's identity of each
 * object, which `watch` keys its view by.
 *
 * Keys are computed from the decoded message, not from the converted object,
 * so they follow the kernel's notion of "the same object" exactly.
 */
import type { Request } from '../netlink/connection.js';
import { ArgumentError } from '../netlink/errors.js';
import * as rtAddr from '../generated/rt-addr.js';
import * as rtLink from '../generated/rt-link.js';
import * as rtNeigh from '../generated/rt-neigh.js';
import * as rtRoute from '../generated/rt-route.js';
import * as rtRule from '../generated/rt-rule.js';
import { linkFromMessage, type Link } from '../rtnl/link.js';
import { addressFromMessage, type Address } from '../rtnl/address.js';
import { routeFromMessage, type Route } from '../rtnl/route.js';
import { neighborFromMessage, type Neighbor } from '../rtnl/neighbor.js';
import { ruleFromMessage, type Rule } from '../rtnl/rule.js';

/** AF_INET */
const AF_INET = 2;
/** AF_INET6 */
const AF_INET6 = 10;
/** AF_BRIDGE */
const AF_BRIDGE = 7;
/** RTM_F_CLONED: a cached clone (PMTU exception), not a FIB entry; dumps leave them out. */
const RTM_F_CLONED = 0x200;
/** NTF_PROXY: a proxy entry; the neighbour dump leaves them out. */
const NTF_PROXY = 0x08;

/**
 * RtnlGroup: rtnetlink multicast groups by name, with their RTNLGRP_*
 * numbers. The numbers come from the generated codecs where the kernel's
 * spec lists the group; `rt_route.yaml` lists none, so the two route groups
 * are given here (include/uapi/linux/rtnetlink.h).
 */
export const RtnlGroup = {
  /** RTNLGRP_LINK: links (RTM_NEWLINK / RTM_DELLINK). */
  link: rtLink.McastGroup['rtnlgrp-link'],
  /** RTNLGRP_IPV4_IFADDR: IPv4 addresses. */
  'ipv4-addr': rtAddr.McastGroup['rtnlgrp-ipv4-ifaddr'],
  /** RTNLGRP_IPV6_IFADDR: IPv6 addresses. */
  'ipv6-addr': rtAddr.McastGroup['rtnlgrp-ipv6-ifaddr'],
  /** RTNLGRP_IPV4_ROUTE: IPv4 routes of every table. */
  'ipv4-route': rtRoute.McastGroup['rtnlgrp-ipv4-route'],
  /** RTNLGRP_IPV6_ROUTE: IPv6 routes of every table. */
  'ipv6-route': rtRoute.McastGroup['rtnlgrp-ipv6-route'],
  /** RTNLGRP_NEIGH: ARP and NDP neighbours, bridge and vxlan FDB entries. */
  neigh: rtNeigh.McastGroup['rtnlgrp-neigh'],
  /** RTNLGRP_IPV4_RULE: IPv4 policy-routing rules. */
  'ipv4-rule': rtRule.McastGroup['rtnlgrp-ipv4-rule'],
  /** RTNLGRP_IPV6_RULE: IPv6 policy-routing rules. */
  'ipv6-rule': rtRule.McastGroup['rtnlgrp-ipv6-rule'],
} as const;

/** A group name `subscribe` takes: 'link', 'ipv4-addr', … */
export type RtnlGroupName = keyof typeof RtnlGroup;

/** The objects events carry, by kind. */
export interface RtnlObjects {
  link: Link;
  address: Address;
  route: Route;
  neighbor: Neighbor;
  rule: Rule;
}

/** An object kind: 'link', 'address', … */
export type RtnlKind = keyof RtnlObjects;

/** A change to one object: it appeared or changed (`new`), or went away (`del`). */
export type RtnlChange = { [K in RtnlKind]: { type: 'new' | 'del'; kind: K; object: RtnlObjects[K] } }[RtnlKind];

/**
 * KindCodec describes one object kind to the event machinery. `M` is the
 * generated message type, `O` the object `list()` returns.
 * @internal
 */
export interface KindCodec<K extends RtnlKind = RtnlKind, M = unknown> {
  kind: K;
  /** RTM_NEW… and RTM_DEL… */
  newType: number;
  delType: number;
  /** The groups that carry this kind, by address family (0: every family of `families`). */
  groups: ReadonlyArray<{ family: number; group: number }>;
  /** The address families (first header byte) the kind's messages may have; 0 for links. */
  families: readonly number[];
  /** The families dumped when none is asked for (neighbours: not the bridge FDB, as `list()`). */
  defaultFamilies: readonly number[];
  /**
   * Peek before decoding (the family is already checked): false for
   * messages `list()` never shows (decoding is skipped).
   */
  accept(view: DataView, start: number, end: number): boolean;
  decode(view: DataView, start: number, end: number): M;
  /** The kernel's identity of the object. */
  key(m: M): string;
  /**
   * Objects that share this identity can replace one another (NLM_F_REPLACE)
   * or merge (IPv6 multipath siblings): routes only.
   */
  groupKey?(m: M): string;
  convert(m: M): RtnlObjects[K];
  /** Dump requests that list every object of the kind in the given families. */
  dumps(families: readonly number[]): Request[];
  /**
   * Objects the kernel creates or changes without notifying (so a view could
   * never follow them): views leave them out; subscriptions still carry what
   * is sent about them.
   */
  silent?(m: M): boolean;
  /** Fields that change without a notification (counters, timers): ignored when comparing for a resync. */
  volatile: ReadonlySet<string>;
}

// --- links ---------------------------------------------------------------------

const linkCodec: KindCodec<'link', rtLink.LinkMessage> = {
  kind: 'link',
  newType: rtLink.RequestType.newlink, // RTM_NEWLINK
  delType: rtLink.RequestType.dellink, // RTM_DELLINK
  groups: [{ family: 0, group: RtnlGroup.link }],
  // Only ifi_family AF_UNSPEC describes a device: AF_BRIDGE messages on the
  // same group describe bridge-port state, and their RTM_DELLINK means "left
  // the bridge", not "deleted".
  families: [0],
  defaultFamilies: [0],
  accept: () => true,
  decode: rtLink.decodeLinkMessage,
  key: (m) => String(m.header.ifiIndex),
  convert: linkFromMessage,
  dumps: () => [{ type: rtLink.RequestType.getlink, label: 'RTM_GETLINK', body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs: {} }) }],
  volatile: new Set(['stats', 'stats64', 'afSpec', 'order']),
};

// --- addresses -----------------------------------------------------------------

const addressCodec: KindCodec<'address', rtAddr.AddrMessage> = {
  kind: 'address',
  newType: rtAddr.RequestType.newaddr, // RTM_NEWADDR
  delType: rtAddr.RequestType.deladdr, // RTM_DELADDR
  groups: [
    { family: AF_INET, group: RtnlGroup['ipv4-addr'] },
    { family: AF_INET6, group: RtnlGroup['ipv6-addr'] },
  ],
  families: [AF_INET, AF_INET6],
  defaultFamilies: [AF_INET, AF_INET6],
  accept: () => true,
  decode: rtAddr.decodeAddrMessage,
  // IPv4 refuses a second address with the same local address, prefix and
  // peer prefix on one device (__inet_insert_ifa); IPv6 one with the same
  // address. IFA_ADDRESS is the peer (or the local address again).
  key: (m) => `${m.header.ifaIndex} ${m.header.ifaFamily} ${m.attrs.ifaLocal ?? m.attrs.ifaAddress ?? ''}/${m.header.ifaPrefixlen} ${m.attrs.ifaAddress ?? ''}`,
  convert: addressFromMessage,
  dumps: (families) =>
    families.map((f) => ({
      type: rtAddr.RequestType.getaddr,
      label: 'RTM_GETADDR',
      body: (w) => rtAddr.encodeAddrMessage(w, { header: { ifaFamily: f }, attrs: {} }),
    })),
  volatile: new Set(['ifaCacheinfo', 'validLifetime', 'preferredLifetime', 'order']),
};

// --- routes --------------------------------------------------------------------

const routeCodec: KindCodec<'route', rtRoute.RouteMessage> = {
  kind: 'route',
  newType: rtRoute.RequestType.newroute, // RTM_NEWROUTE
  delType: rtRoute.RequestType.delroute, // RTM_DELROUTE
  groups: [
    { family: AF_INET, group: RtnlGroup['ipv4-route'] },
    { family: AF_INET6, group: RtnlGroup['ipv6-route'] },
  ],
  families: [AF_INET, AF_INET6],
  defaultFamilies: [AF_INET, AF_INET6],
  accept: (view, start, end) => end - start < 12 || (view.getUint32(start + 8, true) & RTM_F_CLONED) === 0,
  decode: rtRoute.decodeRouteMessage,
  // What the FIB tells routes apart by: table, destination and source
  // prefixes, TOS, metric, type — and the nexthop, since routes that differ
  // only there coexist (`ip route append`; IPv6 device routes such as
  // fe80::/64 on every link). `ip route replace` swaps the nexthop under the
  // same group identity with one RTM_NEWROUTE carrying NLM_F_REPLACE.
  key: (m) => {
    const a = m.attrs;
    const nh = a.rtaNhId !== undefined ? `nh${a.rtaNhId}` : a.rtaMultipath !== undefined ? 'mp' : `${a.rtaOif ?? ''} ${a.rtaGateway ?? ''}`;
    return `${routeGroup(m)} ${nh}`;
  },
  groupKey: (m) => routeGroup(m),
  convert: routeFromMessage,
  // rtm_table 0 with strict checking: every table.
  dumps: (families) =>
    families.map((f) => ({
      type: rtRoute.RequestType.getroute,
      label: 'RTM_GETROUTE',
      body: (w) => rtRoute.encodeRouteMessage(w, { header: { rtmFamily: f }, attrs: {} }),
    })),
  volatile: new Set(['rtaCacheinfo', 'rtaExpires', 'order']),
};

function routeGroup(m: rtRoute.RouteMessage): string {
  const h = m.header;
  const a = m.attrs;
  return `${h.rtmFamily} ${a.rtaTable ?? h.rtmTable} ${a.rtaDst ?? ''}/${h.rtmDstLen} ${a.rtaSrc ?? ''}/${h.rtmSrcLen} ${h.rtmTos} ${a.rtaPriority ?? 0} ${h.rtmType}`;
}

// --- neighbours ------------------------------------------------------------------

const neighborCodec: KindCodec<'neighbor', rtNeigh.NeighMessage> = {
  kind: 'neighbor',
  newType: rtNeigh.RequestType.newneigh, // RTM_NEWNEIGH
  delType: rtNeigh.RequestType.delneigh, // RTM_DELNEIGH
  groups: [{ family: 0, group: RtnlGroup.neigh }],
  families: [AF_INET, AF_INET6, AF_BRIDGE],
  defaultFamilies: [AF_INET, AF_INET6],
  accept: (view, start, end) => end - start < 12 || (view.getUint8(start + 10) & NTF_PROXY) === 0,
  decode: rtNeigh.decodeNeighMessage,
  // ARP/NDP: device and IP address. Bridge FDB: the bridge's table is keyed
  // by (MAC, VLAN) — a MAC that moves to another port is one RTM_NEWNEIGH —
  // and a device's own table (vxlan) by (device, MAC, VLAN, remote).
  key: (m) => {
    const h = m.header;
    const a = m.attrs;
    if (h.ndmFamily !== AF_BRIDGE) return `${h.ndmIfindex} ${h.ndmFamily} ${a.dst ?? ''}`;
    if (a.master !== undefined) return `br${a.master} 7 ${a.lladdr ?? ''} ${a.vlan ?? ''}`;
    return `${h.ndmIfindex} 7 ${a.lladdr ?? ''} ${a.vlan ?? ''} ${a.dst ?? ''} ${a.vni ?? ''}`;
  },
  convert: neighborFromMessage,
  // Entries made on the fly — multicast/broadcast mappings (noarp) and
  // resolutions in progress (incomplete, none) — appear with no
  // RTM_NEWNEIGH; `ip neigh show` hides noarp ones too.
  silent: (m) => m.header.ndmFamily !== AF_BRIDGE && m.header.ndmState.every((s) => s === 'noarp' || s === 'incomplete'),
  dumps: (families) =>
    families.map((f) => ({
      type: rtNeigh.RequestType.getneigh,
      label: 'RTM_GETNEIGH',
      body: (w) => rtNeigh.encodeNeighMessage(w, { header: { ndmFamily: f }, attrs: {} }),
    })),
  volatile: new Set(['cacheinfo', 'probes', 'order']),
};

// --- rules -------------------------------------------------------------------------

const ruleCodec: KindCodec<'rule', rtRule.RuleMessage> = {
  kind: 'rule',
  newType: rtRule.RequestType.newrule, // RTM_NEWRULE
  delType: rtRule.RequestType.delrule, // RTM_DELRULE
  groups: [
    { family: AF_INET, group: RtnlGroup['ipv4-rule'] },
    { family: AF_INET6, group: RtnlGroup['ipv6-rule'] },
  ],
  families: [AF_INET, AF_INET6],
  defaultFamilies: [AF_INET, AF_INET6],
  accept: () => true,
  decode: rtRule.decodeRuleMessage,
  // A rule is all of its selectors and its action (the kernel's rule_exists
  // compares them all), so the key is the whole message.
  key: (m) => stableText({ h: { ...m.header, trailing: undefined }, a: { ...m.attrs, order: undefined } }),
  convert: ruleFromMessage,
  dumps: (families) =>
    families.map((f) => ({
      type: rtRule.RequestType.getrule,
      label: 'RTM_GETRULE',
      body: (w) => rtRule.encodeRuleMessage(w, { header: { family: f }, attrs: {} }),
    })),
  volatile: new Set(['order']),
};

/** Text of a decoded value, fields sorted, bigints and bytes spelled out (for keys). */
function stableText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`;
  if (Array.isArray(v)) return `[${v.map(stableText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${k}:${stableText(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Every kind the event machinery knows, by kind. @internal */
export const KINDS: { readonly [K in RtnlKind]: KindCodec<K, any> } = {
  link: linkCodec,
  address: addressCodec,
  route: routeCodec,
  neighbor: neighborCodec,
  rule: ruleCodec,
};

/** Kinds by the message types that carry them. @internal */
export const KIND_BY_TYPE: ReadonlyMap<number, KindCodec> = new Map(
  Object.values(KINDS).flatMap((c: KindCodec) => [
    [c.newType, c],
    [c.delType, c],
  ]),
);

/** The kind a group carries and the families it is for. @internal */
export function groupInfo(name: RtnlGroupName): { codec: KindCodec; families: readonly number[]; group: number } {
  const group = Object.hasOwn(RtnlGroup, name) ? RtnlGroup[name] : undefined;
  if (group === undefined) throw new ArgumentError('groups', { expected: `rtnetlink group names (${Object.keys(RtnlGroup).join(', ')})`, received: name });
  for (const c of Object.values(KINDS) as KindCodec[]) {
    const g = c.groups.find((x) => x.group === group);
    if (g) return { codec: c, families: g.family === 0 ? c.families : [g.family], group };
  }
  throw new ArgumentError('groups', { reason: `rtnetlink group ${JSON.stringify(name)} carries no object kind nlkit converts` });
}

/**
 * sameObject compares two objects of one kind field by field, skipping the
 * kind's volatile fields (counters, remaining lifetimes) at any depth.
 * @internal
 */
export function sameObject(a: unknown, b: unknown, skip: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameObject(a[i], bb[i], skip)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of Object.keys(ao)) if (!skip.has(k) && !sameObject(ao[k], bo[k], skip)) return false;
  for (const k of Object.keys(bo)) if (!skip.has(k) && !(k in ao) && bo[k] !== undefined) return false;
  return true;
}
