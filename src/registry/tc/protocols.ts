/**
 * The protocol names tc filters use: link-layer protocols (ETH_P_*, tc's
 * `protocol ip`) and IP protocols (IPPROTO_*, flower's `ip_proto tcp`).
 */
import { checkInteger, hasName, lookupName } from '../../netlink/args.js';

/** Link-layer protocols by tc's names (ETH_P_*, linux/if_ether.h). */
export const EthProtocol = {
  all: 0x0003, // ETH_P_ALL
  ip: 0x0800, // ETH_P_IP
  arp: 0x0806, // ETH_P_ARP
  '802.1q': 0x8100, // ETH_P_8021Q
  ipv6: 0x86dd, // ETH_P_IPV6
  mpls_uc: 0x8847, // ETH_P_MPLS_UC
  mpls_mc: 0x8848, // ETH_P_MPLS_MC
  '802.1ad': 0x88a8, // ETH_P_8021AD
} as const;
/** A link-layer protocol name: 'all', 'ip', 'ipv6', 'arp', '802.1q', … */
export type EthProtocolName = keyof typeof EthProtocol;

const ETH_NAMES: Readonly<Record<number, EthProtocolName>> = Object.fromEntries(Object.entries(EthProtocol).map(([k, v]) => [v, k as EthProtocolName]));

/** ethProtocolNumber reads a protocol name or ETH_P_* number (0-65535). Throws ArgumentError naming `argument`. */
export function ethProtocolNumber(p: unknown, argument: string): number {
  if (typeof p === 'number') return checkInteger(p, argument, 0, 0xffff);
  return lookupName(EthProtocol, p, argument, 'or an ETH_P_* number');
}

/** ethProtocolName writes ETH_P_* by name where it has one. */
export function ethProtocolName(n: number): EthProtocolName | number {
  return ETH_NAMES[n] ?? n;
}

/** IP protocols by name (IPPROTO_*). */
export const IpProto = {
  icmp: 1, // IPPROTO_ICMP
  tcp: 6, // IPPROTO_TCP
  udp: 17, // IPPROTO_UDP
  icmpv6: 58, // IPPROTO_ICMPV6
  sctp: 132, // IPPROTO_SCTP
} as const;
/** An IP protocol name flower and u32 take: 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6'. */
export type IpProtoName = keyof typeof IpProto;

const IP_NAMES: Readonly<Record<number, IpProtoName>> = Object.fromEntries(Object.entries(IpProto).map(([k, v]) => [v, k as IpProtoName]));

/** ipProtoNumber reads an IP protocol name or number (0-255). Throws ArgumentError naming `argument`. */
export function ipProtoNumber(p: unknown, argument: string): number {
  if (typeof p === 'number') return checkInteger(p, argument, 0, 255);
  return lookupName(IpProto, p, argument, 'or an IPPROTO_* number');
}

/** ipProtoName writes IPPROTO_* by name where it has one. */
export function ipProtoName(n: number): IpProtoName | number {
  return IP_NAMES[n] ?? n;
}

/** isIpProtoName tells whether `p` is a name IpProto holds. */
export function isIpProtoName(p: unknown): p is IpProtoName {
  return hasName(IpProto, p);
}
