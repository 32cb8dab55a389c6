/**
 * Hand-written decoders for the decode workloads: the same messages the
 * generated `rtRoute.decodeRouteMessage` / `rtLink.decodeLinkMessage` decode,
 * written directly against the DataView the way one would without a
 * generator, producing the same fields with the same values and types
 * (`{ header, attrs }`, spec field names, enum and flag names, u64 as bigint,
 * copies for binary values, unknown attributes kept raw). The workloads check
 * that both give equal objects for every captured message before timing.
 *
 * What they leave out, on purpose, is the generated code's bookkeeping:
 * no `order` array (wire order, for byte-exact re-encoding), no per-set
 * try/catch adding the attribute path to errors, and result objects that declare only the attributes these
 * dumps carry instead of every attribute of the set. They handle exactly the
 * attributes an IPv4 route dump and a veth/lo link dump contain (listed
 * below); anything else lands in `unknown`, so on other messages they would
 * differ from the generated decoders (the equality check would say so).
 *
 * The fixed-struct readers are the same straight-line code as the generated
 * ones (there is one sensible way to read a C struct into an object literal,
 * and bytes past the known size are kept in `trailing` as the generated
 * ones do: the kernel sends a longer ifmap and longer devconf arrays),
 * written out here so that nothing is shared but src/netlink's primitives.
 */
import { DecodeError, checkAttr, formatIP, formatMac, nextAttr, readBytes, readRawAttr, readString, readS32, readU32, readU8, type RawAttribute } from '../../src/netlink/index.js';

function short(what: string, need: number, s: number, e: number): DecodeError {
  return new DecodeError(`${what}: expected ${need} bytes, got ${e - s}`, s);
}

// ---------------------------------------------------------------------------
// routes: struct rtmsg + RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY,
// RTA_PREFSRC, RTA_METRICS (RTAX_MTU, RTAX_ADVMSS), RTA_TABLE.

const RTM_TYPE_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];

function routeMetrics(view: DataView, start: number, end: number) {
  const m = { rtaxMtu: undefined as number | undefined, rtaxAdvmss: undefined as number | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 2: m.rtaxMtu = readU32(view, p + 4, p + len); break; // RTAX_MTU
      case 8: m.rtaxAdvmss = readU32(view, p + 4, p + len); break; // RTAX_ADVMSS
      default: (m.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return m;
}

/** HandRoute is what decodeRouteByHand returns: the generated RouteMessage's shape, minus `order`. */
export type HandRoute = ReturnType<typeof decodeRouteByHand>;

/**
 * decodeRouteByHand decodes an RTM_NEWROUTE payload `[start, end)` (just past
 * the nlmsghdr) into the fields `rtRoute.decodeRouteMessage` gives for an
 * IPv4 route dump. Throws DecodeError on a malformed message.
 */
export function decodeRouteByHand(view: DataView, start: number, end: number) {
  if (end - start < 12) throw short('rtmsg', 12, start, end);
  const type = view.getUint8(start + 7);
  const header = {
    rtmFamily: view.getUint8(start),
    rtmDstLen: view.getUint8(start + 1),
    rtmSrcLen: view.getUint8(start + 2),
    rtmTos: view.getUint8(start + 3),
    rtmTable: view.getUint8(start + 4),
    rtmProtocol: view.getUint8(start + 5),
    rtmScope: view.getUint8(start + 6),
    rtmType: (RTM_TYPE_NAMES[type] ?? type) as string | number,
    rtmFlags: view.getUint32(start + 8, true),
  };
  const attrs = {
    rtaDst: undefined as string | undefined,
    rtaOif: undefined as number | undefined,
    rtaGateway: undefined as string | undefined,
    rtaPriority: undefined as number | undefined,
    rtaPrefsrc: undefined as string | undefined,
    rtaMetrics: undefined as ReturnType<typeof routeMetrics> | undefined,
    rtaTable: undefined as number | undefined,
    unknown: undefined as RawAttribute[] | undefined,
  };
  for (let p = start + 12; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 1: attrs.rtaDst = formatIP(view, s, e); break; // RTA_DST
      case 4: attrs.rtaOif = readU32(view, s, e); break; // RTA_OIF
      case 5: attrs.rtaGateway = formatIP(view, s, e); break; // RTA_GATEWAY
      case 6: attrs.rtaPriority = readU32(view, s, e); break; // RTA_PRIORITY
      case 7: attrs.rtaPrefsrc = formatIP(view, s, e); break; // RTA_PREFSRC
      case 8: attrs.rtaMetrics = routeMetrics(view, s, e); break; // RTA_METRICS
      case 15: attrs.rtaTable = readU32(view, s, e); break; // RTA_TABLE
      default: (attrs.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return { header, attrs };
}

// ---------------------------------------------------------------------------
// links: struct ifinfomsg + every attribute a veth or lo sends on 6.x
// (IFLA_INFO_KIND only inside IFLA_LINKINFO; AF_INET and AF_INET6 inside
// IFLA_AF_SPEC), with the stats, ifmap, devconf and inet6 structs.

const IFF_BITS: ReadonlyArray<readonly [number, string]> = [
  [1, 'up'], [2, 'broadcast'], [4, 'debug'], [8, 'loopback'], [16, 'point-to-point'], [32, 'no-trailers'],
  [64, 'running'], [128, 'no-arp'], [256, 'promisc'], [512, 'all-multi'], [1024, 'master'], [2048, 'slave'],
  [4096, 'multicast'], [8192, 'portsel'], [16384, 'auto-media'], [32768, 'dynamic'], [65536, 'lower-up'],
  [131072, 'dormant'], [262144, 'echo'],
];

/** IFF_* bits as names, in bit order, then one number of any unnamed bits. */
function ifFlags(v: number): Array<string | number> {
  const out: Array<string | number> = [];
  let rest = v >>> 0;
  for (let i = 0; i < IFF_BITS.length; i++) {
    const b = IFF_BITS[i]!;
    if ((rest & b[0]) !== 0) {
      out.push(b[1]);
      rest = (rest & ~b[0]) >>> 0;
    }
  }
  if (rest !== 0) out.push(rest);
  return out;
}


function inetAttrs(view: DataView, start: number, end: number) {
  const o = { conf: undefined as ReturnType<typeof ipv4Devconf> | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    if ((view.getUint16(p + 2, true) & 0x3fff) === 1) o.conf = ipv4Devconf(view, p + 4, p + len); // IFLA_INET_CONF
    else (o.unknown ??= []).push(readRawAttr(view, p, len));
    p = nextAttr(p, len);
  }
  return o;
}

function inet6Attrs(view: DataView, start: number, end: number) {
  const o = {
    flags: undefined as number | undefined,
    conf: undefined as ReturnType<typeof ipv6Devconf> | undefined,
    stats: undefined as ReturnType<typeof inet6Stats> | undefined,
    mcast: undefined as Uint8Array | undefined,
    cacheinfo: undefined as ReturnType<typeof inet6Cacheinfo> | undefined,
    icmp6Stats: undefined as ReturnType<typeof icmp6Stats> | undefined,
    token: undefined as Uint8Array | undefined,
    addrGenMode: undefined as number | undefined,
    raMtu: undefined as number | undefined,
    unknown: undefined as RawAttribute[] | undefined,
  };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 1: o.flags = readU32(view, s, e); break; // IFLA_INET6_FLAGS
      case 2: o.conf = ipv6Devconf(view, s, e); break; // IFLA_INET6_CONF
      case 3: o.stats = inet6Stats(view, s, e); break; // IFLA_INET6_STATS
      case 4: o.mcast = readBytes(view, s, e); break; // IFLA_INET6_MCAST
      case 5: o.cacheinfo = inet6Cacheinfo(view, s, e); break; // IFLA_INET6_CACHEINFO
      case 6: o.icmp6Stats = icmp6Stats(view, s, e); break; // IFLA_INET6_ICMP6STATS
      case 7: o.token = readBytes(view, s, e); break; // IFLA_INET6_TOKEN
      case 8: o.addrGenMode = readU8(view, s, e); break; // IFLA_INET6_ADDR_GEN_MODE
      case 9: o.raMtu = readU32(view, s, e); break; // IFLA_INET6_RA_MTU
      default: (o.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return o;
}

function afSpec(view: DataView, start: number, end: number) {
  const o = {
    inet: undefined as ReturnType<typeof inetAttrs> | undefined,
    inet6: undefined as ReturnType<typeof inet6Attrs> | undefined,
    unknown: undefined as RawAttribute[] | undefined,
  };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 2: o.inet = inetAttrs(view, p + 4, p + len); break; // AF_INET
      case 10: o.inet6 = inet6Attrs(view, p + 4, p + len); break; // AF_INET6
      default: (o.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return o;
}

function linkinfo(view: DataView, start: number, end: number) {
  const o = { kind: undefined as string | undefined, slaveKind: undefined as string | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 1: o.kind = readString(view, p + 4, p + len); break; // IFLA_INFO_KIND
      case 4: o.slaveKind = readString(view, p + 4, p + len); break; // IFLA_INFO_SLAVE_KIND
      default: (o.unknown ??= []).push(readRawAttr(view, p, len)); // IFLA_INFO_DATA would differ from the generated decoder: the equality check catches it
    }
    p = nextAttr(p, len);
  }
  return o;
}

function xdp(view: DataView, start: number, end: number) {
  const o = { attached: undefined as number | undefined, progId: undefined as number | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 2: o.attached = readU8(view, p + 4, p + len); break; // IFLA_XDP_ATTACHED
      case 4: o.progId = readU32(view, p + 4, p + len); break; // IFLA_XDP_PROG_ID
      default: (o.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return o;
}

function dpllPin(view: DataView, start: number, end: number) {
  const o = { id: undefined as number | undefined, unknown: undefined as RawAttribute[] | undefined };
  for (let p = start; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    if ((view.getUint16(p + 2, true) & 0x3fff) === 1) o.id = readU32(view, p + 4, p + len); // DPLL_A_PIN_ID
    else (o.unknown ??= []).push(readRawAttr(view, p, len));
    p = nextAttr(p, len);
  }
  return o;
}

/** HandLink is what decodeLinkByHand returns: the generated LinkMessage's shape, minus `order`. */
export type HandLink = ReturnType<typeof decodeLinkByHand>;

/**
 * decodeLinkByHand decodes an RTM_NEWLINK payload `[start, end)` into the
 * fields `rtLink.decodeLinkMessage` gives for a veth or lo. Throws
 * DecodeError on a malformed message.
 */
export function decodeLinkByHand(view: DataView, start: number, end: number) {
  if (end - start < 16) throw short('ifinfomsg', 16, start, end);
  const header = {
    ifiFamily: view.getUint8(start),
    ifiType: view.getUint16(start + 2, true),
    ifiIndex: view.getInt32(start + 4, true),
    ifiFlags: ifFlags(view.getUint32(start + 8, true)),
    ifiChange: view.getUint32(start + 12, true),
  };
  const attrs = {
    address: undefined as string | undefined,
    broadcast: undefined as string | undefined,
    ifname: undefined as string | undefined,
    mtu: undefined as number | undefined,
    link: undefined as number | undefined,
    qdisc: undefined as string | undefined,
    stats: undefined as ReturnType<typeof linkStats> | undefined,
    master: undefined as number | undefined,
    txqlen: undefined as number | undefined,
    map: undefined as ReturnType<typeof linkIfmap> | undefined,
    operstate: undefined as number | undefined,
    linkmode: undefined as number | undefined,
    linkinfo: undefined as ReturnType<typeof linkinfo> | undefined,
    stats64: undefined as ReturnType<typeof linkStats64> | undefined,
    afSpec: undefined as ReturnType<typeof afSpec> | undefined,
    group: undefined as number | undefined,
    promiscuity: undefined as number | undefined,
    numTxQueues: undefined as number | undefined,
    numRxQueues: undefined as number | undefined,
    carrier: undefined as number | undefined,
    carrierChanges: undefined as number | undefined,
    linkNetnsid: undefined as number | undefined,
    protoDown: undefined as number | undefined,
    gsoMaxSegs: undefined as number | undefined,
    gsoMaxSize: undefined as number | undefined,
    xdp: undefined as ReturnType<typeof xdp> | undefined,
    carrierUpCount: undefined as number | undefined,
    carrierDownCount: undefined as number | undefined,
    minMtu: undefined as number | undefined,
    maxMtu: undefined as number | undefined,
    groMaxSize: undefined as number | undefined,
    tsoMaxSize: undefined as number | undefined,
    tsoMaxSegs: undefined as number | undefined,
    allmulti: undefined as number | undefined,
    devlinkPort: undefined as Uint8Array | undefined,
    gsoIpv4MaxSize: undefined as number | undefined,
    groIpv4MaxSize: undefined as number | undefined,
    dpllPin: undefined as ReturnType<typeof dpllPin> | undefined,
    unknown: undefined as RawAttribute[] | undefined,
  };
  for (let p = start + 16; end - p >= 4; ) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (view.getUint16(p + 2, true) & 0x3fff) {
      case 1: attrs.address = formatMac(view, s, e); break; // IFLA_ADDRESS
      case 2: attrs.broadcast = formatMac(view, s, e); break; // IFLA_BROADCAST
      case 3: attrs.ifname = readString(view, s, e); break; // IFLA_IFNAME
      case 4: attrs.mtu = readU32(view, s, e); break; // IFLA_MTU
      case 5: attrs.link = readU32(view, s, e); break; // IFLA_LINK
      case 6: attrs.qdisc = readString(view, s, e); break; // IFLA_QDISC
      case 7: attrs.stats = linkStats(view, s, e); break; // IFLA_STATS
      case 10: attrs.master = readU32(view, s, e); break; // IFLA_MASTER
      case 13: attrs.txqlen = readU32(view, s, e); break; // IFLA_TXQLEN
      case 14: attrs.map = linkIfmap(view, s, e); break; // IFLA_MAP
      case 16: attrs.operstate = readU8(view, s, e); break; // IFLA_OPERSTATE
      case 17: attrs.linkmode = readU8(view, s, e); break; // IFLA_LINKMODE
      case 18: attrs.linkinfo = linkinfo(view, s, e); break; // IFLA_LINKINFO
      case 23: attrs.stats64 = linkStats64(view, s, e); break; // IFLA_STATS64
      case 26: attrs.afSpec = afSpec(view, s, e); break; // IFLA_AF_SPEC
      case 27: attrs.group = readU32(view, s, e); break; // IFLA_GROUP
      case 30: attrs.promiscuity = readU32(view, s, e); break; // IFLA_PROMISCUITY
      case 31: attrs.numTxQueues = readU32(view, s, e); break; // IFLA_NUM_TX_QUEUES
      case 32: attrs.numRxQueues = readU32(view, s, e); break; // IFLA_NUM_RX_QUEUES
      case 33: attrs.carrier = readU8(view, s, e); break; // IFLA_CARRIER
      case 35: attrs.carrierChanges = readU32(view, s, e); break; // IFLA_CARRIER_CHANGES
      case 37: attrs.linkNetnsid = readS32(view, s, e); break; // IFLA_LINK_NETNSID
      case 39: attrs.protoDown = readU8(view, s, e); break; // IFLA_PROTO_DOWN
      case 40: attrs.gsoMaxSegs = readU32(view, s, e); break; // IFLA_GSO_MAX_SEGS
      case 41: attrs.gsoMaxSize = readU32(view, s, e); break; // IFLA_GSO_MAX_SIZE
      case 43: attrs.xdp = xdp(view, s, e); break; // IFLA_XDP
      case 47: attrs.carrierUpCount = readU32(view, s, e); break; // IFLA_CARRIER_UP_COUNT
      case 48: attrs.carrierDownCount = readU32(view, s, e); break; // IFLA_CARRIER_DOWN_COUNT
      case 50: attrs.minMtu = readU32(view, s, e); break; // IFLA_MIN_MTU
      case 51: attrs.maxMtu = readU32(view, s, e); break; // IFLA_MAX_MTU
      case 58: attrs.groMaxSize = readU32(view, s, e); break; // IFLA_GRO_MAX_SIZE
      case 59: attrs.tsoMaxSize = readU32(view, s, e); break; // IFLA_TSO_MAX_SIZE
      case 60: attrs.tsoMaxSegs = readU32(view, s, e); break; // IFLA_TSO_MAX_SEGS
      case 61: attrs.allmulti = readU32(view, s, e); break; // IFLA_ALLMULTI
      case 62: attrs.devlinkPort = readBytes(view, s, e); break; // IFLA_DEVLINK_PORT
      case 63: attrs.gsoIpv4MaxSize = readU32(view, s, e); break; // IFLA_GSO_IPV4_MAX_SIZE
      case 64: attrs.groIpv4MaxSize = readU32(view, s, e); break; // IFLA_GRO_IPV4_MAX_SIZE
      case 65: attrs.dpllPin = dpllPin(view, s, e); break; // IFLA_DPLL_PIN
      default: (attrs.unknown ??= []).push(readRawAttr(view, p, len));
    }
    p = nextAttr(p, len);
  }
  return { header, attrs };
}

// ---------------------------------------------------------------------------
// fixed structs (linux/if_link.h, linux/ipv6.h, linux/snmp.h via the spec's
// field names)

function linkStats(view: DataView, s: number, e: number) {
  if (e - s < 96) throw short('rtnl-link-stats', 96, s, e);
  return {
    rxPackets: view.getUint32(s, true),
    txPackets: view.getUint32(s + 4, true),
    rxBytes: view.getUint32(s + 8, true),
    txBytes: view.getUint32(s + 12, true),
    rxErrors: view.getUint32(s + 16, true),
    txErrors: view.getUint32(s + 20, true),
    rxDropped: view.getUint32(s + 24, true),
    txDropped: view.getUint32(s + 28, true),
    multicast: view.getUint32(s + 32, true),
    collisions: view.getUint32(s + 36, true),
    rxLengthErrors: view.getUint32(s + 40, true),
    rxOverErrors: view.getUint32(s + 44, true),
    rxCrcErrors: view.getUint32(s + 48, true),
    rxFrameErrors: view.getUint32(s + 52, true),
    rxFifoErrors: view.getUint32(s + 56, true),
    rxMissedErrors: view.getUint32(s + 60, true),
    txAbortedErrors: view.getUint32(s + 64, true),
    txCarrierErrors: view.getUint32(s + 68, true),
    txFifoErrors: view.getUint32(s + 72, true),
    txHeartbeatErrors: view.getUint32(s + 76, true),
    txWindowErrors: view.getUint32(s + 80, true),
    rxCompressed: view.getUint32(s + 84, true),
    txCompressed: view.getUint32(s + 88, true),
    rxNohandler: view.getUint32(s + 92, true),
    trailing: e - s > 96 ? readBytes(view, s + 96, e) : undefined,
  };
}

function linkStats64(view: DataView, s: number, e: number) {
  if (e - s < 200) throw short('rtnl-link-stats64', 200, s, e);
  return {
    rxPackets: view.getBigUint64(s, true),
    txPackets: view.getBigUint64(s + 8, true),
    rxBytes: view.getBigUint64(s + 16, true),
    txBytes: view.getBigUint64(s + 24, true),
    rxErrors: view.getBigUint64(s + 32, true),
    txErrors: view.getBigUint64(s + 40, true),
    rxDropped: view.getBigUint64(s + 48, true),
    txDropped: view.getBigUint64(s + 56, true),
    multicast: view.getBigUint64(s + 64, true),
    collisions: view.getBigUint64(s + 72, true),
    rxLengthErrors: view.getBigUint64(s + 80, true),
    rxOverErrors: view.getBigUint64(s + 88, true),
    rxCrcErrors: view.getBigUint64(s + 96, true),
    rxFrameErrors: view.getBigUint64(s + 104, true),
    rxFifoErrors: view.getBigUint64(s + 112, true),
    rxMissedErrors: view.getBigUint64(s + 120, true),
    txAbortedErrors: view.getBigUint64(s + 128, true),
    txCarrierErrors: view.getBigUint64(s + 136, true),
    txFifoErrors: view.getBigUint64(s + 144, true),
    txHeartbeatErrors: view.getBigUint64(s + 152, true),
    txWindowErrors: view.getBigUint64(s + 160, true),
    rxCompressed: view.getBigUint64(s + 168, true),
    txCompressed: view.getBigUint64(s + 176, true),
    rxNohandler: view.getBigUint64(s + 184, true),
    rxOtherhostDropped: view.getBigUint64(s + 192, true),
    trailing: e - s > 200 ? readBytes(view, s + 200, e) : undefined,
  };
}

function linkIfmap(view: DataView, s: number, e: number) {
  if (e - s < 28) throw short('rtnl-link-ifmap', 28, s, e);
  return {
    memStart: view.getBigUint64(s, true),
    memEnd: view.getBigUint64(s + 8, true),
    baseAddr: view.getBigUint64(s + 16, true),
    irq: view.getUint16(s + 24, true),
    dma: view.getUint8(s + 26),
    port: view.getUint8(s + 27),
    trailing: e - s > 28 ? readBytes(view, s + 28, e) : undefined,
  };
}

function ipv4Devconf(view: DataView, s: number, e: number) {
  if (e - s < 132) throw short('ipv4-devconf', 132, s, e);
  return {
    forwarding: view.getUint32(s, true),
    mcForwarding: view.getUint32(s + 4, true),
    proxyArp: view.getUint32(s + 8, true),
    acceptRedirects: view.getUint32(s + 12, true),
    secureRedirects: view.getUint32(s + 16, true),
    sendRedirects: view.getUint32(s + 20, true),
    sharedMedia: view.getUint32(s + 24, true),
    rpFilter: view.getUint32(s + 28, true),
    acceptSourceRoute: view.getUint32(s + 32, true),
    bootpRelay: view.getUint32(s + 36, true),
    logMartians: view.getUint32(s + 40, true),
    tag: view.getUint32(s + 44, true),
    arpfilter: view.getUint32(s + 48, true),
    mediumId: view.getUint32(s + 52, true),
    noxfrm: view.getUint32(s + 56, true),
    nopolicy: view.getUint32(s + 60, true),
    forceIgmpVersion: view.getUint32(s + 64, true),
    arpAnnounce: view.getUint32(s + 68, true),
    arpIgnore: view.getUint32(s + 72, true),
    promoteSecondaries: view.getUint32(s + 76, true),
    arpAccept: view.getUint32(s + 80, true),
    arpNotify: view.getUint32(s + 84, true),
    acceptLocal: view.getUint32(s + 88, true),
    srcVmark: view.getUint32(s + 92, true),
    proxyArpPvlan: view.getUint32(s + 96, true),
    routeLocalnet: view.getUint32(s + 100, true),
    igmpv2UnsolicitedReportInterval: view.getUint32(s + 104, true),
    igmpv3UnsolicitedReportInterval: view.getUint32(s + 108, true),
    ignoreRoutesWithLinkdown: view.getUint32(s + 112, true),
    dropUnicastInL2Multicast: view.getUint32(s + 116, true),
    dropGratuitousArp: view.getUint32(s + 120, true),
    bcForwarding: view.getUint32(s + 124, true),
    arpEvictNocarrier: view.getUint32(s + 128, true),
    trailing: e - s > 132 ? readBytes(view, s + 132, e) : undefined,
  };
}

function ipv6Devconf(view: DataView, s: number, e: number) {
  if (e - s < 229) throw short('ipv6-devconf', 229, s, e);
  return {
    forwarding: view.getUint32(s, true),
    hoplimit: view.getUint32(s + 4, true),
    mtu6: view.getUint32(s + 8, true),
    acceptRa: view.getUint32(s + 12, true),
    acceptRedirects: view.getUint32(s + 16, true),
    autoconf: view.getUint32(s + 20, true),
    dadTransmits: view.getUint32(s + 24, true),
    rtrSolicits: view.getUint32(s + 28, true),
    rtrSolicitInterval: view.getUint32(s + 32, true),
    rtrSolicitDelay: view.getUint32(s + 36, true),
    useTempaddr: view.getUint32(s + 40, true),
    tempValidLft: view.getUint32(s + 44, true),
    tempPreferedLft: view.getUint32(s + 48, true),
    regenMaxRetry: view.getUint32(s + 52, true),
    maxDesyncFactor: view.getUint32(s + 56, true),
    maxAddresses: view.getUint32(s + 60, true),
    forceMldVersion: view.getUint32(s + 64, true),
    acceptRaDefrtr: view.getUint32(s + 68, true),
    acceptRaPinfo: view.getUint32(s + 72, true),
    acceptRaRtrPref: view.getUint32(s + 76, true),
    rtrProbeInterval: view.getUint32(s + 80, true),
    acceptRaRtInfoMaxPlen: view.getUint32(s + 84, true),
    proxyNdp: view.getUint32(s + 88, true),
    optimisticDad: view.getUint32(s + 92, true),
    acceptSourceRoute: view.getUint32(s + 96, true),
    mcForwarding: view.getUint32(s + 100, true),
    disableIpv6: view.getUint32(s + 104, true),
    acceptDad: view.getUint32(s + 108, true),
    forceTllao: view.getUint32(s + 112, true),
    ndiscNotify: view.getUint32(s + 116, true),
    mldv1UnsolicitedReportInterval: view.getUint32(s + 120, true),
    mldv2UnsolicitedReportInterval: view.getUint32(s + 124, true),
    suppressFragNdisc: view.getUint32(s + 128, true),
    acceptRaFromLocal: view.getUint32(s + 132, true),
    useOptimistic: view.getUint32(s + 136, true),
    acceptRaMtu: view.getUint32(s + 140, true),
    stableSecret: view.getUint32(s + 144, true),
    useOifAddrsOnly: view.getUint32(s + 148, true),
    acceptRaMinHopLimit: view.getUint32(s + 152, true),
    ignoreRoutesWithLinkdown: view.getUint32(s + 156, true),
    dropUnicastInL2Multicast: view.getUint32(s + 160, true),
    dropUnsolicitedNa: view.getUint32(s + 164, true),
    keepAddrOnDown: view.getUint32(s + 168, true),
    rtrSolicitMaxInterval: view.getUint32(s + 172, true),
    seg6Enabled: view.getUint32(s + 176, true),
    seg6RequireHmac: view.getUint32(s + 180, true),
    enhancedDad: view.getUint32(s + 184, true),
    addrGenMode: view.getUint8(s + 188),
    disablePolicy: view.getUint32(s + 189, true),
    acceptRaRtInfoMinPlen: view.getUint32(s + 193, true),
    ndiscTclass: view.getUint32(s + 197, true),
    rplSegEnabled: view.getUint32(s + 201, true),
    raDefrtrMetric: view.getUint32(s + 205, true),
    ioam6Enabled: view.getUint32(s + 209, true),
    ioam6Id: view.getUint32(s + 213, true),
    ioam6IdWide: view.getUint32(s + 217, true),
    ndiscEvictNocarrier: view.getUint32(s + 221, true),
    acceptUntrackedNa: view.getUint32(s + 225, true),
    trailing: e - s > 229 ? readBytes(view, s + 229, e) : undefined,
  };
}

function inet6Stats(view: DataView, s: number, e: number) {
  if (e - s < 288) throw short('ifla-inet6-stats', 288, s, e);
  return {
    inpkts: view.getBigUint64(s, true),
    inoctets: view.getBigUint64(s + 8, true),
    indelivers: view.getBigUint64(s + 16, true),
    outforwdatagrams: view.getBigUint64(s + 24, true),
    outpkts: view.getBigUint64(s + 32, true),
    outoctets: view.getBigUint64(s + 40, true),
    inhdrerrors: view.getBigUint64(s + 48, true),
    intoobigerrors: view.getBigUint64(s + 56, true),
    innoroutes: view.getBigUint64(s + 64, true),
    inaddrerrors: view.getBigUint64(s + 72, true),
    inunknownprotos: view.getBigUint64(s + 80, true),
    intruncatedpkts: view.getBigUint64(s + 88, true),
    indiscards: view.getBigUint64(s + 96, true),
    outdiscards: view.getBigUint64(s + 104, true),
    outnoroutes: view.getBigUint64(s + 112, true),
    reasmtimeout: view.getBigUint64(s + 120, true),
    reasmreqds: view.getBigUint64(s + 128, true),
    reasmoks: view.getBigUint64(s + 136, true),
    reasmfails: view.getBigUint64(s + 144, true),
    fragoks: view.getBigUint64(s + 152, true),
    fragfails: view.getBigUint64(s + 160, true),
    fragcreates: view.getBigUint64(s + 168, true),
    inmcastpkts: view.getBigUint64(s + 176, true),
    outmcastpkts: view.getBigUint64(s + 184, true),
    inbcastpkts: view.getBigUint64(s + 192, true),
    outbcastpkts: view.getBigUint64(s + 200, true),
    inmcastoctets: view.getBigUint64(s + 208, true),
    outmcastoctets: view.getBigUint64(s + 216, true),
    inbcastoctets: view.getBigUint64(s + 224, true),
    outbcastoctets: view.getBigUint64(s + 232, true),
    csumerrors: view.getBigUint64(s + 240, true),
    noectpkts: view.getBigUint64(s + 248, true),
    ect1Pkts: view.getBigUint64(s + 256, true),
    ect0Pkts: view.getBigUint64(s + 264, true),
    cepkts: view.getBigUint64(s + 272, true),
    reasmOverlaps: view.getBigUint64(s + 280, true),
    trailing: e - s > 288 ? readBytes(view, s + 288, e) : undefined,
  };
}

function icmp6Stats(view: DataView, s: number, e: number) {
  if (e - s < 48) throw short('ifla-icmp6-stats', 48, s, e);
  return {
    inmsgs: view.getBigUint64(s, true),
    inerrors: view.getBigUint64(s + 8, true),
    outmsgs: view.getBigUint64(s + 16, true),
    outerrors: view.getBigUint64(s + 24, true),
    csumerrors: view.getBigUint64(s + 32, true),
    ratelimithost: view.getBigUint64(s + 40, true),
    trailing: e - s > 48 ? readBytes(view, s + 48, e) : undefined,
  };
}

function inet6Cacheinfo(view: DataView, s: number, e: number) {
  if (e - s < 16) throw short('ifla-cacheinfo', 16, s, e);
  return {
    maxReasmLen: view.getUint32(s, true),
    tstamp: view.getUint32(s + 4, true),
    reachableTime: view.getInt32(s + 8, true),
    retransTime: view.getUint32(s + 12, true),
    trailing: e - s > 16 ? readBytes(view, s + 16, e) : undefined,
  };
}
