/**
 * Bridge VLANs: the VLANs each bridge port (and the bridge itself) carries,
 * with pvid and untagged, as `bridge vlan show/add/del` do it — RTM_GETLINK
 * dumps and RTM_SETLINK / RTM_DELLINK with ifi_family AF_BRIDGE and the
 * VLANs in IFLA_AF_SPEC (codec generated from codegen/overlays/rt-link-bridge.yaml)
 * — and the bridge's own `vlan_filtering` switch (IFLA_BR_VLAN_FILTERING).
 *
 *   RTM_SETLINK  ifinfomsg{family AF_BRIDGE, index PORT}
 *     IFLA_AF_SPEC
 *       IFLA_BRIDGE_FLAGS      u16 BRIDGE_FLAGS_SELF | _MASTER   (only when asked)
 *       IFLA_BRIDGE_VLAN_INFO  {flags u16, vid u16}              one VLAN, or
 *       IFLA_BRIDGE_VLAN_INFO  {flags | RANGE_BEGIN, first}      a range:
 *       IFLA_BRIDGE_VLAN_INFO  {flags | RANGE_END,   last}       two entries
 *
 * A kernel built without CONFIG_BRIDGE_VLAN_FILTERING answers the changes
 * with EOPNOTSUPP, which reaches the caller as a KernelError.
 */
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { ArgumentError } from '../netlink/errors.js';
import * as rtLinkBridge from '../generated/rt-link-bridge.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { Family } from '../registry/vocabulary.js';
import { checkLinkRef } from '../registry/validate.js';
import { sendKind } from '../registry/kind.js';
import { linkKind } from '../registry/kinds/link.js';
import { checkBoolean, checkInteger, checkKeys, isRecord } from '../netlink/args.js';
import { loadedAttributePaths } from '../registry/attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.addBridge(Object.values(rtLinkBridge.RequestType), rtLinkBridge.attributePathAt);

/** VLAN ids run from 1 to 4094 (0 and 4095 are reserved by 802.1Q). */
const VID_MIN = 1;
const VID_MAX = 4094;

type VlanFlag = rtLinkBridge.BridgeVlanInfoFlags | number;

/** One VLAN (or, from a compressed dump, a range of them) on a bridge port or the bridge itself. */
export interface BridgeVlan {
  /** Interface index of the port (or the bridge, for its own VLANs). */
  link: number;
  /** Its name (IFLA_IFNAME). */
  name: string;
  /** Index of the bridge it belongs to (IFLA_MASTER); the bridge's own entries name itself. */
  master: number | undefined;
  /** The VLAN id, or the first of a range. */
  vid: number;
  /** The last id of a range (compressed dumps); undefined for a single VLAN. */
  vidEnd: number | undefined;
  /** Untagged frames arriving here are put in this VLAN (BRIDGE_VLAN_INFO_PVID). */
  pvid: boolean;
  /** Frames leave untagged (BRIDGE_VLAN_INFO_UNTAGGED; `bridge` prints "Egress Untagged"). */
  untagged: boolean;
  /** Every BRIDGE_VLAN_INFO_* flag sent, save the range markers: 'pvid', 'untagged', 'brentry', …; unknown bits as numbers. */
  flags: VlanFlag[];
}

/** Filters of `bridgeVlans.list`. */
export interface BridgeVlanFilter {
  /** Only this port (or bridge), as `bridge vlan show dev LINK`. */
  link?: LinkRef;
  /** Ask for ranges (RTEXT_FILTER_BRVLAN_COMPRESSED) instead of one entry per VLAN id. */
  compressed?: boolean;
}

/** Which VLANs `bridgeVlans.delete` removes. */
export interface BridgeVlanRef {
  /** The VLAN id, 1-4094, or the first of a range. */
  vid: number;
  /** The last id of a range (`vid 30-40`), greater than `vid`. */
  vidEnd?: number;
  /** Act on the device itself (BRIDGE_FLAGS_SELF): needed for the bridge's own VLANs (`self`). */
  self?: boolean;
  /** Act on the port's bridge (BRIDGE_FLAGS_MASTER; `master`). With neither, the kernel acts as for master. */
  master?: boolean;
}

/** A VLAN (or range) to add, with how it treats untagged frames. */
export interface BridgeVlanSpec extends BridgeVlanRef {
  /** Make it the port's pvid (ingress untagged frames join it); not for a range. */
  pvid?: boolean;
  /** Send its frames out untagged. */
  untagged?: boolean;
}

/** BridgeVlans is `rtnl.bridgeVlans`: per-port VLANs of the bridges of one namespace. */
export class BridgeVlans {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps the VLANs of every bridge port and bridge (RTM_GETLINK,
   * AF_BRIDGE, IFLA_EXT_MASK RTEXT_FILTER_BRVLAN[_COMPRESSED]), as
   * `bridge vlan show`, optionally for one link. Throws ArgumentError for a
   * bad filter, KernelError (ENODEV for a link that does not exist).
   */
  async list(filter: BridgeVlanFilter = {}, options?: DumpOptions): Promise<BridgeVlan[]> {
    checkObject(filter, 'filter', ['link', 'compressed']);
    if (filter.link !== undefined) checkLinkRef(filter.link, 'filter.link');
    if (filter.compressed !== undefined) checkBoolean(filter.compressed, 'filter.compressed');
    const index = filter.link === undefined ? undefined : await this.ctx.linkIndex(filter.link);
    const extMask: rtLinkBridge.RtextFilter[] = [filter.compressed ? 'brvlan-compressed' : 'brvlan'];
    const { items } = await this.ctx.conn.dump(
      {
        type: rtLinkBridge.RequestType.getlink,
        label: 'RTM_GETLINK (AF_BRIDGE, VLANs)',
        body: (w) => rtLinkBridge.encodeBridgeLinkMessage(w, { header: { ifiFamily: Family.bridge }, attrs: { extMask } }),
      },
      (view, start, end) => vlansOf(rtLinkBridge.decodeBridgeLinkMessage(view, start, end)),
      options,
    );
    const all = items.flat();
    return index === undefined ? all : all.filter((v) => v.link === index);
  }

  /**
   * add puts a VLAN, or a range, on a bridge port (or with `self` on the
   * bridge itself), as `bridge vlan add` (RTM_SETLINK, AF_BRIDGE). Adding
   * one that is there updates its pvid/untagged. Throws ArgumentError for
   * bad input (nothing sent), KernelError — EOPNOTSUPP from a kernel
   * without VLAN filtering, EINVAL for a device that is no bridge port.
   */
  async add(port: LinkRef, spec: BridgeVlanSpec, options?: CallOptions): Promise<void> {
    await this.change(rtLinkBridge.RequestType.setlink, 'RTM_SETLINK', port, checkSpec(spec, true), options);
  }

  /**
   * delete removes a VLAN or a range from a port (or with `self` from the
   * bridge itself), as `bridge vlan del` (RTM_DELLINK, AF_BRIDGE). Throws
   * ArgumentError for bad input (nothing sent), KernelError.
   */
  async delete(port: LinkRef, ref: BridgeVlanRef, options?: CallOptions): Promise<void> {
    await this.change(rtLinkBridge.RequestType.dellink, 'RTM_DELLINK', port, checkSpec(ref, false), options);
  }

  /**
   * setFiltering turns VLAN filtering of a bridge on or off, as
   * `ip link set BRIDGE type bridge vlan_filtering 1|0` (RTM_NEWLINK,
   * IFLA_LINKINFO kind bridge, IFLA_BR_VLAN_FILTERING). Until it is on, the
   * bridge forwards regardless of port VLANs. Throws ArgumentError,
   * KernelError (EOPNOTSUPP from a kernel without VLAN filtering).
   */
  async setFiltering(bridge: LinkRef, enabled: boolean, options?: CallOptions): Promise<void> {
    checkLinkRef(bridge, 'bridge');
    checkBoolean(enabled, 'enabled');
    const index = await this.ctx.linkIndex(bridge);
    // Through the link kind, whose encoder the services hold: this module carries no copy of it.
    const message = { header: { ifiIndex: index }, attrs: { linkinfo: { kind: 'bridge', data: { vlanFiltering: enabled ? 1 : 0 } } } } as const;
    await sendKind(this.ctx.conn, linkKind, 'new', message, 0, `${JSON.stringify(bridge)} (vlan_filtering ${enabled ? 1 : 0})`, options);
  }

  private async change(type: number, label: string, port: LinkRef, afSpec: rtLinkBridge.BridgeAfSpecAttrs, options?: CallOptions): Promise<void> {
    checkLinkRef(port, 'port');
    const index = await this.ctx.linkIndex(port);
    const info = afSpec.vlanInfo!;
    const vids = info.length === 1 ? `${info[0]!.vid}` : `${info[0]!.vid}-${info[1]!.vid}`;
    await this.ctx.conn.request(
      {
        type,
        label: `${label} ${JSON.stringify(port)} vid ${vids}`,
        body: (w) => rtLinkBridge.encodeBridgeLinkMessage(w, { header: { ifiFamily: Family.bridge, ifiIndex: index }, attrs: { afSpec } }),
      },
      undefined,
      options,
    );
  }
}

/**
 * vlansOf turns one AF_BRIDGE RTM_NEWLINK into its VLAN entries, joining a
 * RANGE_BEGIN entry with the RANGE_END that follows it.
 */
export function vlansOf(m: rtLinkBridge.BridgeLinkMessage): BridgeVlan[] {
  const out: BridgeVlan[] = [];
  let begin: rtLinkBridge.BridgeVlanInfo | undefined;
  for (const info of m.attrs.afSpec?.vlanInfo ?? []) {
    if (info.flags.includes('range-begin')) {
      begin = info;
      continue;
    }
    const first = info.flags.includes('range-end') && begin !== undefined ? begin : info;
    const flags = first.flags.filter((f) => f !== 'range-begin' && f !== 'range-end');
    out.push({
      link: m.header.ifiIndex,
      name: m.attrs.ifname ?? '',
      master: m.attrs.master,
      vid: first.vid,
      vidEnd: first === info ? undefined : info.vid,
      pvid: flags.includes('pvid'),
      untagged: flags.includes('untagged'),
      flags,
    });
    begin = undefined;
  }
  return out;
}

const SPEC_KEYS = ['vid', 'vidEnd', 'self', 'master', 'pvid', 'untagged'];
const REF_KEYS = ['vid', 'vidEnd', 'self', 'master'];

/** checkSpec validates a VLAN spec (or, for delete, a reference) and builds its IFLA_AF_SPEC; throws ArgumentError. */
function checkSpec(spec: BridgeVlanSpec, adding: boolean): rtLinkBridge.BridgeAfSpecAttrs {
  checkObject(spec, adding ? 'spec' : 'ref', adding ? SPEC_KEYS : REF_KEYS);
  const what = adding ? 'spec' : 'ref';
  const vid = checkInteger(spec.vid, `${what}.vid`, VID_MIN, VID_MAX);
  const vidEnd = spec.vidEnd === undefined ? undefined : checkInteger(spec.vidEnd, `${what}.vidEnd`, VID_MIN, VID_MAX);
  if (vidEnd !== undefined && vidEnd <= vid) throw new ArgumentError(`${what}.vidEnd`, { expected: `an id greater than vid ${vid}`, received: vidEnd });
  for (const key of ['self', 'master', 'pvid', 'untagged'] as const) {
    if (spec[key] !== undefined) checkBoolean(spec[key], `${what}.${key}`);
  }
  if (spec.pvid && vidEnd !== undefined) throw new ArgumentError(`${what}.pvid`, { reason: 'a range of VLANs cannot be the pvid (only one VLAN can)' });
  const flags: rtLinkBridge.BridgeVlanInfoFlags[] = [];
  if (spec.pvid) flags.push('pvid');
  if (spec.untagged) flags.push('untagged');
  const afSpec: rtLinkBridge.BridgeAfSpecAttrs = {
    vlanInfo:
      vidEnd === undefined
        ? [{ flags, vid }]
        : [
            { flags: [...flags, 'range-begin'], vid },
            { flags: [...flags, 'range-end'], vid: vidEnd },
          ],
  };
  const target: rtLinkBridge.BridgeFlags[] = [];
  if (spec.master) target.push('master');
  if (spec.self) target.push('self');
  if (target.length > 0) afSpec.flags = target;
  return afSpec;
}

/** checkObject: `value` is an object with no key outside `keys`; throws ArgumentError. */
function checkObject(value: unknown, argument: string, keys: readonly string[]): void {
  if (!isRecord(value)) throw new ArgumentError(argument, { expected: 'an object', received: value });
  checkKeys(value, argument, keys);
}
