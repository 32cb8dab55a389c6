/**
 * flower: match packets by parsed header fields — MAC addresses, IP
 * prefixes, IP protocol, ports — built as iproute2's f_flower.c builds
 * them: each field with its mask, the ethertype from the filter's
 * protocol, TCA_FLOWER_FLAGS always sent.
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkInteger } from '../../../netlink/args.js';
import * as tc from '../../../generated/tc.js';
import { formatIP, parseIP } from '../../../netlink/format.js';
import { parsePrefix } from '../../prefix.js';
import { checkMac } from '../../validate.js';
import { decodeActions, encodeActions, type Action } from '../actions.js';
import { formatHandle, parseHandle, type Handle } from '../handle.js';
import { EthProtocol, ipProtocolName, ipProtocolNumber, IpProtocol, type IpProtocolName } from '../../vocabulary.js';
import { checkIndev, clsFlags, type OptionsCodec } from './filter-common.js';

/** Options of a flower filter (`tc filter add … protocol ip flower dst_ip 10.0.0.1 ip_proto tcp dst_port 80 action drop`). */
export interface FlowerOptions {
  /** The class a match goes to. */
  classid?: Handle;
  /** Only packets that arrived on this device. */
  indev?: string;
  /** Source MAC address. */
  srcMac?: string;
  /** Destination MAC address. */
  dstMac?: string;
  /** IP protocol: 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6' or a number (needs the filter's protocol 'ip' or 'ipv6'). */
  ipProto?: IpProtocolName | number;
  /** Source prefix (`'10.0.0.0/8'`, a bare address is a host prefix; IPv4 needs protocol 'ip', IPv6 'ipv6'). Listed as a prefix. */
  srcIp?: string;
  /** Destination prefix. */
  dstIp?: string;
  /** Source port (needs ipProto tcp, udp or sctp). */
  srcPort?: number;
  /** Destination port. */
  dstPort?: number;
  /** Actions run on a match. */
  actions?: Action[];
  skipHw?: boolean;
  skipSw?: boolean;
}

/** The port attributes of each IP protocol that has ports. */
const PORT_KEYS = {
  [IpProtocol.tcp]: { src: 'keyTcpSrc', dst: 'keyTcpDst', srcMask: 'keyTcpSrcMask', dstMask: 'keyTcpDstMask' },
  [IpProtocol.udp]: { src: 'keyUdpSrc', dst: 'keyUdpDst', srcMask: 'keyUdpSrcMask', dstMask: 'keyUdpDstMask' },
  [IpProtocol.sctp]: { src: 'keySctpSrc', dst: 'keySctpDst', srcMask: 'keySctpSrcMask', dstMask: 'keySctpDstMask' },
} as const;

const ADDRESS_KEYS = {
  4: { src: 'keyIpv4Src', srcMask: 'keyIpv4SrcMask', dst: 'keyIpv4Dst', dstMask: 'keyIpv4DstMask' },
  16: { src: 'keyIpv6Src', srcMask: 'keyIpv6SrcMask', dst: 'keyIpv6Dst', dstMask: 'keyIpv6DstMask' },
} as const;

/** flower's options. */
export const flower: OptionsCodec<FlowerOptions> = {
  keys: ['classid', 'indev', 'srcMac', 'dstMac', 'ipProto', 'srcIp', 'dstIp', 'srcPort', 'dstPort', 'actions', 'skipHw', 'skipSw'],
  async encode(o, arg, env): Promise<tc.TcFlowerAttrs> {
    const out: tc.TcFlowerAttrs = {};
    const ip = env.protocol === EthProtocol.ip ? 4 : env.protocol === EthProtocol.ipv6 ? 16 : 0;
    if (o.classid !== undefined) out.classid = parseHandle(o.classid, `${arg}.classid`);
    if (o.indev !== undefined) out.indev = checkIndev(o.indev, `${arg}.indev`);
    if (o.actions !== undefined) out.act = await encodeActions(o.actions, `${arg}.actions`, env.link);
    if (o.dstMac !== undefined) {
      out.keyEthDst = checkMac(o.dstMac, `${arg}.dstMac`);
      out.keyEthDstMask = 'ff:ff:ff:ff:ff:ff';
    }
    if (o.srcMac !== undefined) {
      out.keyEthSrc = checkMac(o.srcMac, `${arg}.srcMac`);
      out.keyEthSrcMask = 'ff:ff:ff:ff:ff:ff';
    }
    // tc sends the filter's protocol as the ethertype to match, unless it is 'all'.
    if (env.protocol !== EthProtocol.all) out.keyEthType = env.protocol;
    if (o.ipProto !== undefined) {
      if (ip === 0) throw new ArgumentError(`${arg}.ipProto`, { reason: "needs the filter's protocol 'ip' or 'ipv6'" });
      out.keyIpProto = ipProtocolNumber(o.ipProto, `${arg}.ipProto`);
    }
    for (const side of ['src', 'dst'] as const) {
      const given = o[`${side}Ip`];
      if (given === undefined) continue;
      const p = parsePrefix(given as string, 2, `${arg}.${side}Ip`);
      if (p.bytes.length !== ip) throw new ArgumentError(`${arg}.${side}Ip`, { reason: `an IPv${p.bytes.length === 4 ? 4 : 6} prefix needs the filter's protocol '${p.bytes.length === 4 ? 'ip' : 'ipv6'}'` });
      const k = ADDRESS_KEYS[p.bytes.length as 4 | 16];
      out[k[side]] = formatIP(new DataView(p.bytes.buffer, p.bytes.byteOffset), 0, p.bytes.length);
      out[k[`${side}Mask`]] = prefixMask(p.length, p.bytes.length);
    }
    for (const side of ['src', 'dst'] as const) {
      const given = o[`${side}Port`];
      if (given === undefined) continue;
      const keys = out.keyIpProto === undefined ? undefined : PORT_KEYS[out.keyIpProto as keyof typeof PORT_KEYS];
      if (keys === undefined) throw new ArgumentError(`${arg}.${side}Port`, { reason: "needs ipProto 'tcp', 'udp' or 'sctp'" });
      out[keys[side]] = checkInteger(given, `${arg}.${side}Port`, 0, 0xffff);
    }
    out.flags = clsFlags(o, arg);
    return out;
  },
  decode(options) {
    const a = options as tc.TcFlowerAttrs | undefined;
    if (a === undefined) return undefined;
    const ports = a.keyIpProto === undefined ? undefined : PORT_KEYS[a.keyIpProto as keyof typeof PORT_KEYS];
    const v6 = a.keyIpv6Src !== undefined || a.keyIpv6Dst !== undefined;
    const k = ADDRESS_KEYS[v6 ? 16 : 4];
    const flags = a.flags ?? [];
    return {
      classid: a.classid === undefined ? undefined : formatHandle(a.classid),
      indev: a.indev,
      srcMac: a.keyEthSrc,
      dstMac: a.keyEthDst,
      ipProto: a.keyIpProto === undefined ? undefined : ipProtocolName(a.keyIpProto),
      srcIp: prefixText(a[k.src], a[k.srcMask]),
      dstIp: prefixText(a[k.dst], a[k.dstMask]),
      srcPort: ports === undefined ? undefined : (a[ports.src] as number | undefined),
      dstPort: ports === undefined ? undefined : (a[ports.dst] as number | undefined),
      actions: decodeActions(a.act),
      skipHw: flags.includes('skip-hw') ? true : undefined,
      skipSw: flags.includes('skip-sw') ? true : undefined,
    };
  },
};

/** The netmask of a prefix length, as address text. */
function prefixMask(length: number, bytes: number): string {
  const mask = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) mask[i] = 0xff & (0xff << Math.max(0, Math.min(8, (i + 1) * 8 - length)));
  return formatIP(new DataView(mask.buffer), 0, bytes);
}

/** `address/length` from an address and its netmask (undefined without an address). */
function prefixText(address: string | undefined, mask: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const bytes = parseIP(mask ?? (address.includes(':') ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255'));
  let length = 0;
  for (const b of bytes) length += popcount(b);
  return `${address}/${length}`;
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}
