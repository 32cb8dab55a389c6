/**
 * The neighbour kind: ARP (IPv4) and NDP (IPv6) entries, proxy entries and
 * bridge forwarding-database entries (RTM_NEWNEIGH / RTM_DELNEIGH /
 * RTM_GETNEIGH), the plain `Neighbor`, and what `list()` filters by.
 */
import * as rtNeigh from '../../generated/rt-neigh.js';
import { ArgumentError } from '../../netlink/errors.js';
import { checkBoolean } from '../../netlink/args.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import { Family, neighborFamilyName, neighborFamilyNumber, type NeighborFamily } from '../vocabulary.js';
import type { LinkRef } from '../context.js';
import type { KindCodec } from '../deferred.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtNeigh.attributePathAt);

type NeighAttrs = rtNeigh.NeighAttrs;
export type NeighMessage = rtNeigh.NeighMessage;

export type { NeighborFamily } from '../vocabulary.js';

/** NTF_PROXY: a proxy entry; the neighbour dump leaves them out. */
const NTF_PROXY = 0x08;


/** A neighbour state (NUD_*) by name: 'permanent', 'reachable', 'stale', 'noarp', … */
export type NeighborState = rtNeigh.NudState;

/** A neighbour entry or bridge FDB entry, as the kernel describes it. */
export interface Neighbor {
  /** ndm_family: 'inet' (ARP), 'inet6' (NDP), 'bridge' (FDB), or the AF_* number. */
  family: NeighborFamily | number;
  /** Interface index (ndm_ifindex); 0 for a proxy entry on no device. */
  link: number;
  /** The neighbour's IP address (NDA_DST); undefined for bridge FDB entries. */
  address: string | undefined;
  /** Link-layer address (NDA_LLADDR), e.g. `02:00:00:00:00:09`; undefined while unresolved. */
  mac: string | undefined;
  /** States (NUD_*) by name, as `ip neigh` prints them lower-cased; empty for NUD_NONE; unknown bits as a number. */
  state: Array<NeighborState | number>;
  /** Flags (NTF_*) by name: 'router', 'proxy', 'self', 'master', 'ext-learned', …; unknown bits as a number. */
  flags: Array<rtNeigh.NtfFlags | number>;
  /** The neighbour is a router (NTF_ROUTER, IPv6). */
  router: boolean;
  /** A proxy (NTF_PROXY) entry: this host answers for `address`. */
  proxy: boolean;
  /** Bridge FDB: VLAN id (NDA_VLAN). */
  vlan: number | undefined;
  /** Bridge FDB: index of the bridge the entry belongs to (NDA_MASTER). */
  master: number | undefined;
  /** vxlan FDB: the remote VTEP (NDA_DST). */
  dst: string | undefined;
  /** vxlan FDB: the remote UDP port (NDA_PORT), when not the device's. */
  port: number | undefined;
  /** vxlan FDB: the remote VNI (NDA_VNI). */
  vni: number | undefined;
  /** Unanswered probes so far (NDA_PROBES). */
  probes: number | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: NeighAttrs;
}

/** neighborFromMessage turns a decoded RTM_NEWNEIGH into a Neighbor. */
export function neighborFromMessage(m: NeighMessage): Neighbor {
  const h = m.header;
  const a = m.attrs;
  // In an FDB entry NDA_DST is a vxlan remote, not the neighbour's own address.
  const fdb = h.ndmFamily === Family.bridge;
  const out = {
    __proto__: JsonReady,
    family: neighborFamilyName(h.ndmFamily),
    link: h.ndmIfindex,
    address: fdb ? undefined : a.dst,
    mac: a.lladdr,
    state: h.ndmState,
    flags: h.ndmFlags,
    router: h.ndmFlags.includes('router'),
    proxy: h.ndmFlags.includes('proxy'),
    vlan: a.vlan,
    master: a.master,
    dst: fdb ? a.dst : undefined,
    port: a.port,
    vni: a.vni,
    probes: a.probes,
    attrs: a,
  } satisfies JsonObject<Neighbor>;
  return out;
}

/** Filters `neighbors.list` hands to the kernel (strict checking): only matching entries are dumped. */
export interface NeighborFilter {
  /** Only entries on this device (NDA_IFINDEX). */
  link?: LinkRef;
  /** Only this family (ndm_family); default: ARP and NDP ('bridge' dumps the FDB instead). */
  family?: NeighborFamily;
  /** Only entries on ports of this master (NDA_MASTER): a bridge, a VRF. */
  master?: LinkRef;
  /** Dump the proxy entries (NTF_PROXY) instead of the neighbour cache; not with 'bridge'. */
  proxy?: boolean;
}

export { neighborFamilyNumber } from '../vocabulary.js';

/** The neighbour kind's members that need its codec (see neighbor-kind.ts, which declares the kind and imports this module on first use). */
export const neighborCodec: KindCodec<NeighMessage, rtNeigh.NeighMessageInput, Neighbor> = {
  decode: rtNeigh.decodeNeighMessage,
  encode: rtNeigh.encodeNeighMessage,
  convert: neighborFromMessage,
  accept: (view, start, end) => end - start < 12 || (view.getUint8(start + 10) & NTF_PROXY) === 0,
  // ARP/NDP: device and IP address. Bridge FDB: the bridge's table is keyed
  // by (MAC, VLAN) — a MAC that moves to another port is one RTM_NEWNEIGH —
  // and a device's own table (vxlan) by (device, MAC, VLAN, remote).
  key: (m) => {
    const h = m.header;
    const a = m.attrs;
    if (h.ndmFamily !== Family.bridge) return `${h.ndmIfindex} ${h.ndmFamily} ${a.dst ?? ''}`;
    if (a.master !== undefined) return `br${a.master} 7 ${a.lladdr ?? ''} ${a.vlan ?? ''}`;
    return `${h.ndmIfindex} 7 ${a.lladdr ?? ''} ${a.vlan ?? ''} ${a.dst ?? ''} ${a.vni ?? ''}`;
  },
  // Entries made on the fly — multicast/broadcast mappings (noarp) and
  // resolutions in progress (incomplete, none) — appear with no
  // RTM_NEWNEIGH; `ip neigh show` hides noarp ones too.
  silent: (m) => m.header.ndmFamily !== Family.bridge && m.header.ndmState.every((s) => s === 'noarp' || s === 'incomplete'),
  dump: (family) => ({ header: { ndmFamily: family }, attrs: {} }),
  filters: {
    family: {
      check: (v, argument) => (v === undefined ? undefined : neighborFamilyNumber(v as NeighborFamily, argument)),
      kernel: (r, family: number) => void (r.header.ndmFamily = family),
      holds: (n, family: number) => n.family === neighborFamilyName(family),
    },
    proxy: {
      check: (v, argument) => (v === undefined ? undefined : checkBoolean(v, argument)),
      kernel: (r, proxy: boolean) => void (r.header.ndmFlags = proxy ? ['proxy'] : []),
      holds: (n, proxy: boolean) => n.proxy === proxy,
    },
    // With strict checking the kernel wants ndm_ifindex 0 in a dump request and the device in NDA_IFINDEX.
    link: {
      link: true,
      kernel: (r, index) => void (r.attrs.ifindex = index),
      holds: (n, index) => n.link === index,
    },
    master: {
      link: true,
      kernel: (r, index) => void (r.attrs.master = index),
    },
  },
  checkFilter: (f) => {
    if (f.proxy === true && f.family === 'bridge') throw new ArgumentError('filter.proxy', { reason: 'proxy entries are ARP/NDP entries: not with family "bridge"' });
  },
};
