/**
 * Links: list, get, add, set, delete and move network devices of one
 * namespace. Requests are built with the generated rt-link codecs; what is
 * returned is a plain `Link`.
 */
import { NLM_F_CREATE, NLM_F_EXCL } from '../netlink/constants.js';
import { EncodeError } from '../netlink/errors.js';
import type { Connection, DumpOptions } from '../netlink/connection.js';
import { openNetNs, type NetNsLike } from '../netns/index.js';
import * as rtLink from '../generated/rt-link.js';
import type { LinkRef, RtnlContext } from './context.js';
import { moveLink, type MoveOptions, type MoveResult } from './move.js';

type LinkAttrs = rtLink.LinkAttrs;
type LinkMessage = rtLink.LinkMessage;

/** Operational state (IF_OPER_*), as `ip` prints it. */
export type OperState = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';
const OPERSTATES: readonly OperState[] = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** Hardware types (ARPHRD_*) by number, as `ip` names them in `link_type`. */
const LINK_TYPES: Readonly<Record<number, string>> = {
  1: 'ether',
  24: 'ieee1394',
  32: 'infiniband',
  512: 'ppp',
  768: 'ipip',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'gre',
  801: 'ieee802.11',
  823: 'ip6gre',
  824: 'netlink',
  65534: 'none',
};

/** A network device, as the kernel describes it. */
export interface Link {
  /** Interface index (ifi_index). */
  index: number;
  /** Interface name (IFLA_IFNAME). */
  name: string;
  /** Device flags (IFF_*) by name: 'up', 'broadcast', 'lower-up', …; unknown bits as numbers. */
  flags: Array<rtLink.IfinfoFlags | number>;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** IFLA_MTU in bytes. */
  mtu: number | undefined;
  /** Hardware address (IFLA_ADDRESS), e.g. `02:00:00:00:00:01`. */
  mac: string | undefined;
  /** Hardware broadcast address (IFLA_BROADCAST). */
  broadcast: string | undefined;
  /** Operational state (IFLA_OPERSTATE). */
  operstate: OperState | number | undefined;
  /** Transmit queue length (IFLA_TXQLEN). */
  txqlen: number | undefined;
  /** Index of the master device, e.g. a bridge (IFLA_MASTER). */
  master: number | undefined;
  /**
   * The peer or parent link (IFLA_LINK): a veth's peer, a macvlan's lower
   * device. `netnsId` (IFLA_LINK_NETNSID) is set when it lives in another
   * namespace, as this namespace numbers it.
   */
  parent: { index: number; netnsId: number | undefined } | undefined;
  /** Link kind (IFLA_INFO_KIND): 'veth', 'bridge', 'vxlan', …; undefined for physical devices and lo. */
  kind: string | undefined;
  /** Kind-specific settings (IFLA_INFO_DATA) as the spec types them: bridge options, vxlan id/port/group, macvlan mode, … */
  details: rtLink.LinkinfoDataMsg | undefined;
  /** Kind of the master's port data (IFLA_INFO_SLAVE_KIND), e.g. 'bridge' for a bridge port. */
  portKind: string | undefined;
  /** Port settings under the master (IFLA_INFO_SLAVE_DATA), e.g. bridge port state and cost. */
  portDetails: rtLink.LinkinfoMemberDataMsg | undefined;
  /** Hardware type by name ('ether', 'loopback', 'none', …) or ARPHRD_* number. */
  type: string | number;
  /** 64-bit counters (IFLA_STATS64). */
  stats: rtLink.RtnlLinkStats64 | undefined;
  /** IFLA_IFALIAS */
  alias: string | undefined;
  /** Device group (IFLA_GROUP). */
  group: number | undefined;
  /** Root qdisc name (IFLA_QDISC). */
  qdisc: string | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: LinkAttrs;
}

/** linkFromMessage turns a decoded RTM_NEWLINK into a Link. */
export function linkFromMessage(m: LinkMessage): Link {
  const a = m.attrs;
  const info = a.linkinfo;
  const flags = m.header.ifiFlags;
  return {
    index: m.header.ifiIndex,
    name: a.ifname ?? '',
    flags,
    up: flags.includes('up'),
    mtu: a.mtu,
    mac: a.address,
    broadcast: a.broadcast,
    operstate: a.operstate === undefined ? undefined : (OPERSTATES[a.operstate] ?? a.operstate),
    txqlen: a.txqlen,
    master: a.master,
    parent: a.link === undefined || (a.link === m.header.ifiIndex && a.linkNetnsid === undefined) ? undefined : { index: a.link, netnsId: a.linkNetnsid },
    kind: info?.kind,
    details: info?.data,
    portKind: info?.slaveKind,
    portDetails: info?.slaveData,
    type: LINK_TYPES[m.header.ifiType] ?? m.header.ifiType,
    stats: a.stats64,
    alias: a.ifalias,
    group: a.group,
    qdisc: a.qdisc,
    attrs: a,
  };
}

const decodeLink = (view: DataView, start: number, end: number): Link => linkFromMessage(rtLink.decodeLinkMessage(view, start, end));

/** Settings every new link may take. */
export interface LinkCommon {
  /** Interface name, at most 15 bytes. */
  name: string;
  mtu?: number;
  /** Hardware address, `aa:bb:cc:dd:ee:ff`. */
  address?: string;
  txqlen?: number;
  /** Master device (e.g. a bridge) by name or index. */
  master?: LinkRef;
  alias?: string;
  group?: number;
  /** Bring it up once created. */
  up?: boolean;
  /** Create it directly in another namespace. */
  netns?: NetNsLike;
}

/** The peer end of a new veth pair. */
export interface VethPeer {
  name?: string;
  /** Put the peer in another namespace (name under /run/netns, path, pid or NetNs). */
  netns?: NetNsLike;
  address?: string;
  mtu?: number;
}

/** vxlan options: the spec's IFLA_VXLAN_* attributes; `group`/`local` may be IPv6 (sent as GROUP6/LOCAL6). */
export type VxlanOptions = Omit<rtLink.LinkinfoVxlanAttrs, 'link' | 'order' | 'unknown'> & {
  /** VXLAN network identifier (IFLA_VXLAN_ID). */
  id: number;
  /** Underlying device (IFLA_VXLAN_LINK) by name or index. */
  dev?: LinkRef;
};

type Clean<T> = Omit<T, 'order' | 'unknown'>;

/** What `links.add` creates: common settings plus the kind and its options. */
export type LinkSpec = LinkCommon &
  (
    | { kind: 'veth'; peer?: VethPeer }
    | { kind: 'bridge'; bridge?: Clean<rtLink.LinkinfoBridgeAttrs> }
    | { kind: 'vxlan'; vxlan: VxlanOptions }
    | { kind: 'macvlan' | 'macvtap'; parent: LinkRef; mode?: rtLink.MacvlanMode; macvlan?: Clean<rtLink.LinkinfoMacvlanAttrs> }
    | { kind: 'ipvlan' | 'ipvtap'; parent: LinkRef; mode?: rtLink.IpvlanMode; flags?: rtLink.IpvlanFlags[] }
    | { kind: 'vlan'; parent: LinkRef; id: number; protocol?: rtLink.VlanProtocols }
    | { kind: 'bond'; bond?: Clean<rtLink.LinkinfoBondAttrs> }
    | { kind: 'vrf'; table: number }
    | { kind: 'dummy' | 'ifb' | 'wireguard' }
  );

/** What `links.set` changes; absent fields are left alone. */
export interface LinkChanges {
  up?: boolean;
  mtu?: number;
  /** New hardware address. */
  address?: string;
  /** Enslave to a master by name or index; `null` releases it. */
  master?: LinkRef | null;
  /** Rename (the device must be down). */
  name?: string;
  txqlen?: number;
  alias?: string;
  group?: number;
}

/** Filters `links.list` hands to the kernel (strict checking): only matching links are dumped. */
export interface LinkFilter {
  /** Only links of this kind ('veth', 'bridge', …). */
  kind?: string;
  /** Only ports of this master. */
  master?: LinkRef;
}

/**
 * checkLinkName validates an interface name before anything is sent:
 * 1–15 bytes, not `.` or `..`, no `/`, `:` or white space (the kernel's
 * dev_valid_name). Throws EncodeError naming the problem.
 */
export function checkLinkName(name: string, what = 'link name'): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > 15) throw new EncodeError(`${what} ${JSON.stringify(name)} must be 1 to 15 bytes long (is ${bytes})`);
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) throw new EncodeError(`${what} ${JSON.stringify(name)} may not be "." or ".." or contain "/", ":" or white space`);
}

export class Links {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps the links of this namespace; `filter` is applied by the
   * kernel. Throws KernelError.
   */
  async list(filter: LinkFilter = {}, options?: DumpOptions): Promise<Link[]> {
    const attrs: LinkAttrs = {};
    if (filter.master !== undefined) attrs.master = await this.ctx.linkIndex(filter.master);
    if (filter.kind !== undefined) attrs.linkinfo = { kind: filter.kind };
    const { items } = await this.ctx.conn.dump(
      { type: rtLink.RequestType.getlink, label: 'RTM_GETLINK', body: (w) => rtLink.encodeLinkMessage(w, { header: {}, attrs }) },
      decodeLink,
      options,
    );
    return items;
  }

  /**
   * get fetches one link by name or index with a single RTM_GETLINK (no
   * dump). Throws KernelError `ENODEV` when there is no such link.
   */
  async get(ref: LinkRef): Promise<Link> {
    return getLink(this.ctx.conn, ref);
  }

  /**
   * add creates a link (RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL) and
   * returns it as the kernel reports it (or undefined when created in another
   * namespace). Throws EncodeError for an invalid name before sending,
   * KernelError (`EEXIST`, `EOPNOTSUPP` for a kind this kernel lacks, …).
   */
  async add(spec: LinkSpec): Promise<Link | undefined> {
    checkLinkName(spec.name);
    if (spec.kind === 'veth' && spec.peer?.name !== undefined) checkLinkName(spec.peer.name, 'veth peer name');
    const held: Array<{ close(): void }> = [];
    try {
      const attrs = await this.commonAttrs(spec, held);
      // macvlan, ipvlan and vlan sit on a lower device, named in IFLA_LINK.
      if ('parent' in spec) attrs.link = await this.ctx.linkIndex(spec.parent);
      attrs.linkinfo = await this.linkinfo(spec, held);
      const flags = spec.up ? (['up'] as rtLink.IfinfoFlags[]) : [];
      await this.ctx.conn.request({
        type: rtLink.RequestType.newlink,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        label: `RTM_NEWLINK ${spec.name} (${spec.kind})`,
        body: (w) => rtLink.encodeLinkMessage(w, { header: { ifiFlags: flags, ifiChange: spec.up ? rtLink.IfinfoFlags.up : 0 }, attrs }),
      });
    } finally {
      for (const h of held) h.close();
    }
    return spec.netns === undefined ? this.get(spec.name) : undefined;
  }

  /**
   * set changes a link's settings in one RTM_NEWLINK. Throws KernelError
   * (ENODEV, EBUSY when renaming an up device, …).
   */
  async set(ref: LinkRef, changes: LinkChanges): Promise<void> {
    if (changes.name !== undefined) checkLinkName(changes.name);
    const index = await this.ctx.linkIndex(ref);
    const attrs: LinkAttrs = {};
    if (changes.mtu !== undefined) attrs.mtu = changes.mtu;
    if (changes.address !== undefined) attrs.address = changes.address;
    if (changes.name !== undefined) attrs.ifname = changes.name;
    if (changes.txqlen !== undefined) attrs.txqlen = changes.txqlen;
    if (changes.alias !== undefined) attrs.ifalias = changes.alias;
    if (changes.group !== undefined) attrs.group = changes.group;
    if (changes.master !== undefined) attrs.master = changes.master === null ? 0 : await this.ctx.linkIndex(changes.master);
    const up = changes.up;
    await this.ctx.conn.request({
      type: rtLink.RequestType.newlink,
      label: `RTM_NEWLINK ${JSON.stringify(ref)} (set)`,
      body: (w) =>
        rtLink.encodeLinkMessage(w, {
          header: { ifiIndex: index, ifiFlags: up ? ['up'] : [], ifiChange: up === undefined ? 0 : rtLink.IfinfoFlags.up },
          attrs,
        }),
    });
  }

  /** delete removes a link (a veth takes its peer with it). Throws KernelError ENODEV. */
  async delete(ref: LinkRef): Promise<void> {
    const index = await this.ctx.linkIndex(ref);
    await this.ctx.conn.request({
      type: rtLink.RequestType.dellink,
      label: `RTM_DELLINK ${JSON.stringify(ref)}`,
      body: (w) => rtLink.encodeLinkMessage(w, { header: { ifiIndex: index }, attrs: {} }),
    });
  }

  /**
   * move puts a device into another namespace under a (new) name in ONE
   * RTM_NEWLINK, carrying its permanent global addresses over, and either
   * completes or undoes everything it did. See `moveLink` for the steps.
   */
  move(ref: LinkRef, options: MoveOptions): Promise<MoveResult> {
    return moveLink(this.ctx, ref, options);
  }

  private async commonAttrs(spec: LinkCommon, held: Array<{ close(): void }>): Promise<LinkAttrs> {
    const attrs: LinkAttrs = { ifname: spec.name };
    if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
    if (spec.address !== undefined) attrs.address = spec.address;
    if (spec.txqlen !== undefined) attrs.txqlen = spec.txqlen;
    if (spec.alias !== undefined) attrs.ifalias = spec.alias;
    if (spec.group !== undefined) attrs.group = spec.group;
    if (spec.master !== undefined) attrs.master = await this.ctx.linkIndex(spec.master);
    if (spec.netns !== undefined) attrs.netNsFd = nsFd(spec.netns, held);
    return attrs;
  }

  private async linkinfo(spec: LinkSpec, held: Array<{ close(): void }>): Promise<rtLink.LinkinfoAttrs> {
    switch (spec.kind) {
      case 'veth': {
        if (!spec.peer) return { kind: 'veth' };
        const p = spec.peer;
        const peer: LinkAttrs = {};
        if (p.name !== undefined) peer.ifname = p.name;
        if (p.address !== undefined) peer.address = p.address;
        if (p.mtu !== undefined) peer.mtu = p.mtu;
        if (p.netns !== undefined) peer.netNsFd = nsFd(p.netns, held);
        return { kind: 'veth', data: { peer: { header: {}, attrs: peer } } };
      }
      case 'bridge':
        return { kind: 'bridge', data: spec.bridge ? { ...spec.bridge } : undefined };
      case 'vxlan': {
        const { dev, group, local, ...rest } = spec.vxlan;
        const data: rtLink.LinkinfoVxlanAttrs = { ...rest };
        if (dev !== undefined) data.link = await this.ctx.linkIndex(dev);
        if (group !== undefined) {
          if (group.includes(':')) data.group6 = group;
          else data.group = group;
        }
        if (local !== undefined) {
          if (local.includes(':')) data.local6 = local;
          else data.local = local;
        }
        return { kind: 'vxlan', data };
      }
      case 'macvlan':
      case 'macvtap':
        return { kind: spec.kind, data: { ...spec.macvlan, ...(spec.mode !== undefined ? { mode: spec.mode } : {}) } };
      case 'ipvlan':
      case 'ipvtap':
        return { kind: spec.kind, data: { mode: spec.mode, flags: spec.flags } };
      case 'vlan':
        return { kind: 'vlan', data: { id: spec.id, protocol: spec.protocol } };
      case 'bond':
        return { kind: 'bond', data: spec.bond ? { ...spec.bond } : undefined };
      case 'vrf':
        return { kind: 'vrf', data: { table: spec.table } };
      default:
        return { kind: spec.kind };
    }
  }
}

/**
 * getLink fetches one link by name or index over `conn` with a single
 * RTM_GETLINK (links.get, and links.move on both of its namespaces).
 * Throws EncodeError for an invalid name, KernelError ENODEV when absent.
 */
export async function getLink(conn: Connection, ref: LinkRef): Promise<Link> {
  if (typeof ref === 'string') checkLinkName(ref);
  const { replies } = await conn.request(
    {
      type: rtLink.RequestType.getlink,
      label: `RTM_GETLINK ${JSON.stringify(ref)}`,
      body: (w) =>
        rtLink.encodeLinkMessage(w, typeof ref === 'number' ? { header: { ifiIndex: ref }, attrs: {} } : { header: {}, attrs: { ifname: ref } }),
    },
    decodeLink,
  );
  return replies[0]!;
}

/** setLinkUp sets a link administratively up or down (IFF_UP) over `conn`. Throws KernelError. */
export async function setLinkUp(conn: Connection, index: number, up: boolean): Promise<void> {
  await conn.request({
    type: rtLink.RequestType.newlink,
    label: `RTM_NEWLINK set ${up ? 'up' : 'down'}`,
    body: (w) => rtLink.encodeLinkMessage(w, { header: { ifiIndex: index, ifiFlags: up ? ['up'] : [], ifiChange: rtLink.IfinfoFlags.up }, attrs: {} }),
  });
}

/** Opens a namespace for its fd (IFLA_NET_NS_FD); the handle is closed by the caller via `held`. */
function nsFd(like: NetNsLike, held: Array<{ close(): void }>): number {
  const { ns, owned } = openNetNs(like);
  if (owned) held.push(ns);
  return ns.fd;
}
