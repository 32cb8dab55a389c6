/**
 * Neighbors: the neighbour tables of one namespace — ARP (IPv4) and NDP
 * (IPv6) entries, proxy entries, and bridge forwarding-database entries
 * (family `bridge`: a bridge port's FDB, a vxlan's remotes). Requests are
 * built with the generated rt-neigh codecs; what is returned is a plain
 * `Neighbor`.
 */
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkBoolean, checkInteger, checkKeys, checkOptions, isRecord, lookupName } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { MessageWriter } from '../netlink/writer.js';
import * as rtNeigh from '../generated/rt-neigh.js';
import { Family, type LinkRef, type RtnlContext } from './context.js';
import { parseAddress } from './prefix.js';
import { MAC_LENGTHS, callOptions, checkLinkRef, checkMac, checkUint, dumpOptions } from './validate.js';
import { JsonReady, type JsonObject } from '../codec/json.js';

type NeighAttrs = rtNeigh.NeighAttrs;
type NeighMessage = rtNeigh.NeighMessage;

/** The families that have neighbours: ARP, NDP and the bridge FDB. */
export type NeighborFamily = 'inet' | 'inet6' | 'bridge';

/** A neighbour state (NUD_*) by name: 'permanent', 'reachable', 'stale', 'noarp', … */
export type NeighborState = rtNeigh.NudState;

const NEIGHBOR_FAMILIES: Readonly<Record<number, NeighborFamily>> = { [Family.inet]: 'inet', [Family.inet6]: 'inet6', [Family.bridge]: 'bridge' };

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
    family: NEIGHBOR_FAMILIES[h.ndmFamily] ?? h.ndmFamily,
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

const decodeNeighbor = (view: DataView, start: number, end: number): Neighbor => neighborFromMessage(rtNeigh.decodeNeighMessage(view, start, end));

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

/** Which entry: what `neighbors.delete` takes, and what identifies an entry in `add`. */
export interface NeighborKey {
  /** The device (ndm_ifindex), by name or index. */
  link: LinkRef;
  /** 'inet' / 'inet6' (default: from `address`) or 'bridge' for an FDB entry (then `mac` is the key). */
  family?: NeighborFamily;
  /** The neighbour's IP address (NDA_DST); required for 'inet'/'inet6', not allowed for 'bridge' (use `dst`). */
  address?: string;
  /** Link-layer address (NDA_LLADDR); required for 'bridge'. */
  mac?: string;
  /** A proxy entry (NTF_PROXY). */
  proxy?: boolean;
  /** Bridge FDB: the master's (the bridge's) table (NTF_MASTER). */
  master?: boolean;
  /** Bridge FDB: the device's own table (NTF_SELF); the default when neither `master` nor `self` is set, as `bridge fdb`. */
  self?: boolean;
  /** Bridge FDB: VLAN id 1–4094 (NDA_VLAN). */
  vlan?: number;
  /** vxlan FDB: the remote VTEP address (NDA_DST). */
  dst?: string;
  /** vxlan FDB: the remote UDP port (NDA_PORT). */
  port?: number;
  /** vxlan FDB: the remote VNI (NDA_VNI). */
  vni?: number;
}

/** What `neighbors.add` / `replace` create. */
export interface NeighborSpec extends NeighborKey {
  /** State(s) (ndm_state); default 'permanent'. For a bridge port, 'permanent' is a local entry and 'noarp' a static one. */
  state?: NeighborState | NeighborState[];
  /** The neighbour is a router (NTF_ROUTER, IPv6). */
  router?: boolean;
  /** Who made it (NDA_PROTOCOL, an RTPROT_* number). */
  protocol?: number;
}

/** What a request carries once validated; ndm_ifindex is filled in when the link is resolved. */
interface Plan {
  message: { header: Partial<rtNeigh.Ndmsg>; attrs: NeighAttrs };
  label: string;
}

/** Neighbors: the `neighbors` service of an Rtnl handle (ARP, NDP, proxy and bridge FDB entries). */
export class Neighbors {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps neighbour entries (ARP and NDP by default, the bridge FDB with
   * `family: 'bridge'`, the proxy entries with `proxy: true`); the filter is
   * applied by the kernel. Throws ArgumentError for a bad filter, KernelError
   * (ENODEV for an unknown link or master).
   */
  async list(filter: NeighborFilter = {}, options?: DumpOptions): Promise<Neighbor[]> {
    const f = checkOptions(filter, 'filter', ['link', 'family', 'master', 'proxy']) as NeighborFilter;
    const family = familyOf(f.family, 'filter.family');
    if (f.proxy !== undefined) checkBoolean(f.proxy, 'filter.proxy');
    if (f.proxy && family === Family.bridge) throw new ArgumentError('filter.proxy', { reason: 'proxy entries are ARP/NDP entries: not with family "bridge"' });
    if (f.link !== undefined) checkLinkRef(f.link, 'filter.link');
    if (f.master !== undefined) checkLinkRef(f.master, 'filter.master');
    const dump = dumpOptions(options);
    const attrs: NeighAttrs = {};
    // With strict checking the kernel wants ndm_ifindex 0 in a dump request and the device in NDA_IFINDEX.
    if (f.link !== undefined) attrs.ifindex = await this.ctx.linkIndex(f.link, dump);
    if (f.master !== undefined) attrs.master = await this.ctx.linkIndex(f.master, dump);
    const flags: rtNeigh.NtfFlags[] = f.proxy ? ['proxy'] : [];
    const { items } = await this.ctx.conn.dump(
      {
        type: rtNeigh.RequestType.getneigh,
        label: `RTM_GETNEIGH${f.family ? ` ${f.family}` : ''}${f.proxy ? ' proxy' : ''}`,
        body: (w) => rtNeigh.encodeNeighMessage(w, { header: { ndmFamily: family, ndmFlags: flags }, attrs }),
      },
      decodeNeighbor,
      dump,
    );
    // The kernel filters these (strict checking); checking again keeps the promise on any kernel.
    return items.filter(
      (n) =>
        (family === Family.all || n.family === NEIGHBOR_FAMILIES[family]) &&
        (attrs.ifindex === undefined || n.link === attrs.ifindex) &&
        (f.proxy === undefined || n.proxy === f.proxy),
    );
  }

  /**
   * add creates an entry (RTM_NEWNEIGH with NLM_F_CREATE | NLM_F_EXCL): an
   * ARP/NDP entry (`address`, `mac`, `state` default 'permanent'), a proxy
   * entry (`proxy`), or an FDB entry (`family: 'bridge'`, `mac`, and `vlan`,
   * `dst` for a vxlan remote, `master`/`self`). Throws ArgumentError for invalid
   * input before anything is sent, KernelError (EEXIST when it exists, ENODEV,
   * EINVAL with the kernel's message, …).
   */
  async add(spec: NeighborSpec, options?: CallOptions): Promise<void> {
    await this.send(rtNeigh.RequestType.newneigh, NLM_F_CREATE | NLM_F_EXCL, 'RTM_NEWNEIGH', spec, plan(spec, true), options);
  }

  /**
   * replace creates the entry or overwrites the one with the same key
   * (RTM_NEWNEIGH with NLM_F_CREATE | NLM_F_REPLACE), e.g. to change its MAC
   * or state. Throws ArgumentError before sending, KernelError.
   */
  async replace(spec: NeighborSpec, options?: CallOptions): Promise<void> {
    await this.send(rtNeigh.RequestType.newneigh, NLM_F_CREATE | NLM_F_REPLACE, 'RTM_NEWNEIGH', spec, plan(spec, true), options);
  }

  /**
   * delete removes an entry (RTM_DELNEIGH): by `address` for ARP/NDP, by
   * `mac` (and `vlan`, `dst`) for the FDB. Throws ArgumentError before sending,
   * KernelError (ENOENT when there is no such entry, ENODEV).
   */
  async delete(key: NeighborKey, options?: CallOptions): Promise<void> {
    await this.send(rtNeigh.RequestType.delneigh, 0, 'RTM_DELNEIGH', key, plan(key, false), options);
  }

  private async send(type: number, flags: number, what: string, key: NeighborKey, p: Plan, options: CallOptions | undefined): Promise<void> {
    const call = callOptions(options);
    const message = p.message;
    message.header.ndmIfindex = 1;
    rtNeigh.encodeNeighMessage(new MessageWriter(256), message);
    message.header.ndmIfindex = await this.ctx.linkIndex(key.link, call);
    await this.ctx.conn.request({ type, flags, label: `${what} ${p.label}`, body: (w) => rtNeigh.encodeNeighMessage(w, message) }, undefined, call);
  }
}

/** familyOf maps a NeighborFamily (or nothing: AF_UNSPEC) to AF_*; throws ArgumentError on anything else. */
function familyOf(family: NeighborFamily | undefined, argument: string): number {
  if (family === undefined) return Family.all;
  return lookupName(NEIGHBOR_FAMILY_NUMBERS, family, argument);
}

const NEIGHBOR_FAMILY_NUMBERS: Readonly<Record<NeighborFamily, number>> = { inet: Family.inet, inet6: Family.inet6, bridge: Family.bridge };
const CREATE_KEYS = ['link', 'family', 'address', 'mac', 'proxy', 'master', 'self', 'vlan', 'dst', 'port', 'vni', 'state', 'router', 'protocol'];
const KEY_KEYS = ['link', 'family', 'address', 'mac', 'proxy', 'master', 'self', 'vlan', 'dst', 'port', 'vni'];

/**
 * plan validates a spec (or, for delete, a key) and builds the request's
 * header and attributes; everything that can be wrong with the input is found
 * here, before the link is looked up. Throws ArgumentError naming the field.
 */
function plan(spec: NeighborSpec, create: boolean): Plan {
  const what = create ? 'spec' : 'key';
  if (!isRecord(spec as unknown)) throw new ArgumentError(what, { expected: 'a neighbour object such as { link, address, mac }', received: spec });
  checkKeys(spec, what, create ? CREATE_KEYS : KEY_KEYS);
  checkLinkRef(spec.link, `${what}.link`);
  const fields = spec as unknown as Record<string, unknown>;
  for (const k of ['proxy', 'master', 'self', 'router']) if (fields[k] !== undefined) checkBoolean(fields[k], `${what}.${k}`);
  let family = spec.family === undefined ? undefined : familyOf(spec.family, `${what}.family`);
  const attrs: NeighAttrs = {};
  const flags: rtNeigh.NtfFlags[] = [];
  const dev = typeof spec.link === 'number' ? `index ${spec.link}` : spec.link;
  let label: string;

  if (spec.address !== undefined) {
    if (family === Family.bridge) throw new ArgumentError(`${what}.address`, { reason: 'a bridge FDB entry has no address: give the vxlan remote as `dst`' });
    const af = parseAddress(spec.address, `${what}.address`).family;
    if (family !== undefined && family !== af) throw new ArgumentError(`${what}.address`, { expected: `an ${spec.family} address`, received: spec.address });
    family = af;
    attrs.dst = spec.address;
  } else if (family === undefined) {
    throw new ArgumentError(`${what}.address`, { reason: "a neighbour needs an `address` (or `family: 'bridge'` and a `mac` for an FDB entry)" });
  } else if (family !== Family.bridge) {
    throw new ArgumentError(`${what}.address`, { reason: `an ${spec.family} neighbour needs an address` });
  }

  if (spec.mac !== undefined) {
    checkMac(spec.mac, `${what}.mac`, family === Family.bridge ? [6] : MAC_LENGTHS);
    attrs.lladdr = spec.mac;
  }

  if (family === Family.bridge) {
    if (spec.mac === undefined) throw new ArgumentError(`${what}.mac`, { reason: 'a bridge FDB entry needs a mac' });
    if (spec.proxy || spec.router) throw new ArgumentError(`${what}.${spec.proxy ? 'proxy' : 'router'}`, { reason: 'proxy and router are ARP/NDP flags: not for a bridge FDB entry' });
    if (spec.master) flags.push('master');
    // As `bridge fdb`: the device's own table unless told otherwise.
    if (spec.self || !spec.master) flags.push('self');
    if (spec.vlan !== undefined) attrs.vlan = checkInteger(spec.vlan, `${what}.vlan`, 1, 4094);
    if (spec.dst !== undefined) {
      parseAddress(spec.dst, `${what}.dst`);
      attrs.dst = spec.dst;
    }
    if (spec.port !== undefined) {
      checkUint(spec.port, `${what}.port`, 0xffff);
      attrs.port = spec.port;
    }
    if (spec.vni !== undefined) {
      checkUint(spec.vni, `${what}.vni`, 0xffffff);
      attrs.vni = spec.vni;
    }
    label = `${spec.mac} dev ${dev}${spec.vlan !== undefined ? ` vlan ${spec.vlan}` : ''}${spec.dst !== undefined ? ` dst ${spec.dst}` : ''} (bridge)`;
  } else {
    for (const k of ['master', 'self', 'vlan', 'dst', 'port', 'vni'] as const) {
      if (spec[k] !== undefined) throw new ArgumentError(`${what}.${k}`, { reason: "for bridge FDB entries (family 'bridge') only, not ARP/NDP" });
    }
    if (spec.proxy) flags.push('proxy');
    if (spec.router) flags.push('router');
    label = `${spec.address} dev ${dev}${spec.proxy ? ' proxy' : ''}`;
  }

  let state: NeighborState[] = [];
  if (create) {
    state = spec.state === undefined ? ['permanent'] : Array.isArray(spec.state) ? spec.state : [spec.state];
    for (const [i, s] of state.entries()) lookupName(rtNeigh.NudState, s, Array.isArray(spec.state) ? `${what}.state[${i}]` : `${what}.state`);
    // A proxy entry has no state of its own.
    if (spec.proxy) state = [];
    if (spec.protocol !== undefined) {
      checkUint(spec.protocol, `${what}.protocol`, 255);
      attrs.protocol = spec.protocol;
    }
  }
  return { message: { header: { ndmFamily: family, ndmState: state, ndmFlags: flags }, attrs }, label };
}
