/**
 * Hand decoders for the objects the dump workloads read, one function per
 * message kind, each a drop-in `MessageDecoder`. They stand in for the
 * generated codecs (src/generated/) until those land: swap `decodeLink` /
 * `decodeAddress` for the generated ones and every workload follows.
 *
 * They follow the house rules so the numbers mean something later: one
 * DataView, `(view, start, end)` bounds, no per-attribute objects, one object
 * literal per result with every field declared up front, `undefined` for an
 * absent attribute, fixed headers read by at least their known size.
 */
import { DecodeError, attrType, attrsDone, checkAttr, formatIP, formatMac, nextAttr, readString, readU32, readU8 } from '../../src/netlink/index.js';

/** RTM_GETLINK / RTM_NEWLINK. */
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
/** RTM_GETADDR / RTM_NEWADDR. */
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
/** RTM_GETROUTE / RTM_NEWROUTE. */
export const RTM_NEWROUTE = 24;
export const RTM_GETROUTE = 26;

/** sizeof(struct ifinfomsg). */
export const IFINFOMSG_SIZE = 16;
/** sizeof(struct ifaddrmsg). */
export const IFADDRMSG_SIZE = 8;
/** sizeof(struct rtmsg). */
export const RTMSG_SIZE = 12;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_CACHEINFO = 6;
export const IFA_FLAGS = 8;

/** Link is the part of an RTM_NEWLINK the benchmark decodes. */
export interface Link {
  /** ifi_index. */
  index: number;
  /** ifi_type (ARPHRD_*). */
  type: number;
  /** ifi_flags (IFF_*). */
  flags: number;
  /** IFLA_IFNAME. */
  name: string | undefined;
  /** IFLA_MTU, bytes. */
  mtu: number | undefined;
  /** IFLA_ADDRESS as `aa:bb:…`. */
  address: string | undefined;
  /** IFLA_OPERSTATE (IF_OPER_*: 2 down, 6 up, …). */
  operstate: number | undefined;
  /** IFLA_MASTER, an ifindex. */
  master: number | undefined;
  /** IFLA_LINK, an ifindex (the veth peer's). */
  link: number | undefined;
  /** IFLA_TXQLEN, packets. */
  txqlen: number | undefined;
}

/**
 * decodeLink decodes an RTM_NEWLINK payload `[start, end)`: the ifinfomsg
 * and IFLA_IFNAME, MTU, ADDRESS, OPERSTATE, MASTER, LINK, TXQLEN; other
 * attributes are skipped. Throws DecodeError on a malformed message.
 */
export function decodeLink(view: DataView, start: number, end: number): Link {
  if (end - start < IFINFOMSG_SIZE) throw new DecodeError(`ifinfomsg: expected ${IFINFOMSG_SIZE} bytes, got ${end - start}`, start);
  const link: Link = {
    index: view.getInt32(start + 4, true),
    type: view.getUint16(start + 2, true),
    flags: view.getUint32(start + 8, true),
    name: undefined,
    mtu: undefined,
    address: undefined,
    operstate: undefined,
    master: undefined,
    link: undefined,
    txqlen: undefined,
  };
  for (let p = start + IFINFOMSG_SIZE; !attrsDone(p, end); ) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (attrType(view, p)) {
      case IFLA_IFNAME: link.name = readString(view, s, e); break;
      case IFLA_MTU: link.mtu = readU32(view, s, e); break;
      case IFLA_ADDRESS: link.address = formatMac(view, s, e); break;
      case IFLA_OPERSTATE: link.operstate = readU8(view, s, e); break;
      case IFLA_MASTER: link.master = readU32(view, s, e); break;
      case IFLA_LINK: link.link = readU32(view, s, e); break;
      case IFLA_TXQLEN: link.txqlen = readU32(view, s, e); break;
    }
    p = nextAttr(p, len);
  }
  return link;
}

/** Address is the part of an RTM_NEWADDR the benchmark decodes. */
export interface Address {
  /** ifa_family (AF_INET 2, AF_INET6 10). */
  family: number;
  /** ifa_prefixlen, bits. */
  prefixlen: number;
  /** ifa_scope (RT_SCOPE_*). */
  scope: number;
  /** ifa_index. */
  index: number;
  /** IFA_ADDRESS (the peer address on point-to-point links). */
  address: string | undefined;
  /** IFA_LOCAL (the local address; IPv6 sends only IFA_ADDRESS). */
  local: string | undefined;
  /** IFA_LABEL. */
  label: string | undefined;
  /** IFA_FLAGS (IFA_F_*, 32 bits), or ifa_flags' 8 bits when absent. */
  flags: number;
  /** IFA_CACHEINFO ifa_prefered, seconds (0xffffffff: forever). */
  preferred: number | undefined;
  /** IFA_CACHEINFO ifa_valid, seconds. */
  valid: number | undefined;
  /** IFA_CACHEINFO cstamp, hundredths of a second since boot. */
  created: number | undefined;
  /** IFA_CACHEINFO tstamp, hundredths of a second since boot. */
  updated: number | undefined;
}

/**
 * decodeAddress decodes an RTM_NEWADDR payload `[start, end)`: the
 * ifaddrmsg and IFA_ADDRESS, LOCAL, LABEL, FLAGS, CACHEINFO. Throws
 * DecodeError on a malformed message.
 */
export function decodeAddress(view: DataView, start: number, end: number): Address {
  if (end - start < IFADDRMSG_SIZE) throw new DecodeError(`ifaddrmsg: expected ${IFADDRMSG_SIZE} bytes, got ${end - start}`, start);
  const a: Address = {
    family: view.getUint8(start),
    prefixlen: view.getUint8(start + 1),
    scope: view.getUint8(start + 3),
    index: view.getUint32(start + 4, true),
    address: undefined,
    local: undefined,
    label: undefined,
    flags: view.getUint8(start + 2),
    preferred: undefined,
    valid: undefined,
    created: undefined,
    updated: undefined,
  };
  for (let p = start + IFADDRMSG_SIZE; !attrsDone(p, end); ) {
    const len = checkAttr(view, p, end);
    const s = p + 4;
    const e = p + len;
    switch (attrType(view, p)) {
      case IFA_ADDRESS: a.address = formatIP(view, s, e); break;
      case IFA_LOCAL: a.local = formatIP(view, s, e); break;
      case IFA_LABEL: a.label = readString(view, s, e); break;
      case IFA_FLAGS: a.flags = readU32(view, s, e); break;
      case IFA_CACHEINFO:
        if (e - s < 16) throw new DecodeError(`IFA_CACHEINFO: expected 16 bytes, got ${e - s}`, s);
        a.preferred = view.getUint32(s, true);
        a.valid = view.getUint32(s + 4, true);
        a.created = view.getUint32(s + 8, true);
        a.updated = view.getUint32(s + 12, true);
        break;
    }
    p = nextAttr(p, len);
  }
  return a;
}
