/**
 * Neighbors: the neighbour tables of one namespace — ARP (IPv4) and NDP
 * (IPv6) entries, proxy entries, and bridge forwarding-database entries
 * (family `bridge`: a bridge port's FDB, a vxlan's remotes). Requests are
 * built with the generated rt-neigh codecs; what is returned is a plain
 * `Neighbor`.
 */
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkBoolean, checkInteger, checkKeys, isRecord, lookupName } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { checkEncodes } from '../netlink/writer.js';
import * as rtNeigh from '../generated/rt-neigh.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { listObjects, sendKind } from '../registry/kind.js';
import { neighborFamilyNumber, type Neighbor, type NeighborFilter, type NeighborState } from '../registry/kinds/neighbor.js';
import { neighborKind } from '../registry/kinds/neighbor-kind.js';
import { Family, type NeighborFamily } from '../registry/vocabulary.js';
import { parseAddress } from '../registry/prefix.js';
import { MAC_LENGTHS, callOptions, checkLinkRef, checkMac, checkUint } from '../registry/validate.js';

type NeighAttrs = rtNeigh.NeighAttrs;

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
    return listObjects(this.ctx, neighborKind, filter, options);
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
    await this.send('new', NLM_F_CREATE | NLM_F_EXCL, spec, plan(spec, true), options);
  }

  /**
   * replace creates the entry or overwrites the one with the same key
   * (RTM_NEWNEIGH with NLM_F_CREATE | NLM_F_REPLACE), e.g. to change its MAC
   * or state. Throws ArgumentError before sending, KernelError.
   */
  async replace(spec: NeighborSpec, options?: CallOptions): Promise<void> {
    await this.send('new', NLM_F_CREATE | NLM_F_REPLACE, spec, plan(spec, true), options);
  }

  /**
   * delete removes an entry (RTM_DELNEIGH): by `address` for ARP/NDP, by
   * `mac` (and `vlan`, `dst`) for the FDB. Throws ArgumentError before sending,
   * KernelError (ENOENT when there is no such entry, ENODEV).
   */
  async delete(key: NeighborKey, options?: CallOptions): Promise<void> {
    await this.send('del', 0, key, plan(key, false), options);
  }

  private async send(op: 'new' | 'del', flags: number, key: NeighborKey, p: Plan, options: CallOptions | undefined): Promise<void> {
    const call = callOptions(options);
    const message = p.message;
    message.header.ndmIfindex = 1;
    checkEncodes(rtNeigh.encodeNeighMessage, message);
    message.header.ndmIfindex = await this.ctx.linkIndex(key.link, call);
    await sendKind(this.ctx.conn, neighborKind, op, message, flags, p.label, call);
  }
}

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
  let family = spec.family === undefined ? undefined : neighborFamilyNumber(spec.family, `${what}.family`);
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
