/**
 * The nexthop kind: the kernel's nexthop objects (`ip nexthop`;
 * RTM_NEWNEXTHOP / RTM_DELNEXTHOP / RTM_GETNEXTHOP, the rt-nexthop overlay
 * spec) — a gateway through a device, a device alone, a blackhole, or a
 * group of other nexthops with weights — that routes use by id
 * (`routes.add({ dst, nexthopId })`). Served as `rt.nexthops` by the
 * generic service: list, get, add, replace, delete, and `watch('nexthops')`.
 */
import * as rtNexthop from '../../generated/rt-nexthop.js';
import { ArgumentError } from '../../netlink/errors.js';
import { checkArray, checkBoolean, checkInteger, checkKeys, checkOptions, isRecord } from '../../netlink/args.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import type { LinkRef } from '../context.js';
import type { KindRequests, ResolveLink } from '../kind.js';
import type { KindCodec } from '../deferred.js';
import { parseAddress } from '../prefix.js';
import { checkLinkRef } from '../validate.js';
import {
  Family,
  familyName,
  familyNumber,
  protocolName,
  protocolNumber,
  scopeName,
  type FamilyName,
  type RouteProtocolName,
  type Scope,
} from '../vocabulary.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtNexthop.attributePathAt);

type NexthopMessage = rtNexthop.NexthopMessage;
type NexthopMessageInput = rtNexthop.NexthopMessageInput;

/** How a group spreads flows (NHA_GROUP_TYPE), as `ip nexthop` names it. */
export type NexthopGroupType = 'mpath' | 'resilient';
const GROUP_TYPE_NAMES: Readonly<Record<string, NexthopGroupType>> = { mpath: 'mpath', res: 'resilient' };

/**
 * USER_HZ: the clock ticks per second NHA_RES_GROUP's timers travel in
 * (clock_t, as `ip` converts them); the kernel fixes it at 100 for user space.
 */
const USER_HZ = 100;

/** A resilient group's parameters as listed (NHA_RES_GROUP); timers in seconds, as `ip -j nexthop show` prints them. */
export interface NexthopResilient {
  /** Number of buckets (NHA_RES_GROUP_BUCKETS). */
  buckets: number;
  /** Seconds a bucket must be idle before it may move to another member (NHA_RES_GROUP_IDLE_TIMER). */
  idleTimer: number;
  /** Seconds the group may stay unbalanced before busy buckets move too; 0: never (NHA_RES_GROUP_UNBALANCED_TIMER). */
  unbalancedTimer: number;
  /** Seconds the group has been unbalanced (NHA_RES_GROUP_UNBALANCED_TIME). */
  unbalancedTime: number;
}

/**
 * A resilient group's parameters to set (`ip nexthop … type resilient buckets N
 * idle_timer S unbalanced_timer S`); absent ones are the kernel's (idle 120 s,
 * unbalanced 0) or, on replace, the group's.
 */
export interface NexthopResilientSpec {
  /** 1 to 65535; the kernel needs it when the group is made ("Number of buckets not specified"), and cannot change it later. */
  buckets?: number;
  /** Seconds (to 1/100 s), 0 to 42949672.95. */
  idleTimer?: number;
  /** Seconds (to 1/100 s), 0 to 42949672.95; 0 turns the timer off. */
  unbalancedTimer?: number;
  /** Accepted (and ignored) so a listed NexthopResilient can be written back: the kernel keeps this time. */
  unbalancedTime?: number;
}

/** One member of a nexthop group. */
export interface NexthopGroupMember {
  /** The member nexthop's id. */
  id: number;
  /** Its share of flows, 1 to 256 (`ip`'s weight; the wire carries weight - 1). */
  weight: number;
}

/** A nexthop object, as the kernel describes it (what `ip -j nexthop show` lists). */
export interface NexthopEntry {
  /** NHA_ID */
  id: number;
  /** nh_family: 'inet', 'inet6' (gateway nexthops), or the number (0 for groups). */
  family: FamilyName | number;
  /** NHA_GATEWAY */
  gateway: string | undefined;
  /** The device (NHA_OIF), by index. */
  dev: number | undefined;
  /** NHA_BLACKHOLE: packets are dropped. */
  blackhole: boolean;
  /** The members of a group (NHA_GROUP), weights as `ip` prints them (1–256). */
  group: NexthopGroupMember[] | undefined;
  /** NHA_GROUP_TYPE of a group: 'mpath' (hash-threshold) or 'resilient'. */
  groupType: NexthopGroupType | number | undefined;
  /** A resilient group's buckets and timers (NHA_RES_GROUP); undefined for other nexthops. */
  resilient: NexthopResilient | undefined;
  /** NHA_FDB: a nexthop for vxlan FDB entries, not for routes. */
  fdb: boolean;
  /** nh_scope by name ('link' for a gateway, 'host' for a device alone), or the number. */
  scope: Scope | number;
  /** nh_protocol by name ('boot', 'static', …), or the number; `ip` shows it when not 'unspec'. */
  protocol: RouteProtocolName | number;
  /** nh_flags by name ('onlink', 'dead', 'linkdown', …); unknown bits as a number. */
  flags: Array<rtNexthop.RtnhFlags | number>;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: rtNexthop.NexthopAttrs;
}

/** nexthopFromMessage turns a decoded RTM_NEWNEXTHOP into a NexthopEntry. */
export function nexthopFromMessage(m: NexthopMessage): NexthopEntry {
  const h = m.header;
  const a = m.attrs;
  const type = a.groupType;
  const out = {
    __proto__: JsonReady,
    id: a.id ?? 0,
    family: familyName(h.nhFamily),
    gateway: a.gateway,
    dev: a.oif,
    blackhole: a.blackhole === true,
    group: a.group?.map((g) => ({ id: g.id, weight: g.weight + 1 })),
    groupType: a.group === undefined ? undefined : typeof type === 'string' ? (GROUP_TYPE_NAMES[type] ?? type) : (type ?? 'mpath'),
    resilient: a.resGroup === undefined ? undefined : resilientFromAttrs(a.resGroup),
    fdb: a.fdb === true,
    scope: scopeName(h.nhScope),
    protocol: protocolName(h.nhProtocol),
    flags: h.nhFlags,
    attrs: a,
  } satisfies JsonObject<NexthopEntry>;
  return out;
}

/** NHA_RES_GROUP's timers (clock ticks) in seconds. */
function resilientFromAttrs(r: rtNexthop.ResGroupAttrs): NexthopResilient {
  return {
    buckets: r.buckets ?? 0,
    idleTimer: (r.idleTimer ?? 0) / USER_HZ,
    unbalancedTimer: (r.unbalancedTimer ?? 0) / USER_HZ,
    unbalancedTime: Number(r.unbalancedTime ?? 0n) / USER_HZ,
  };
}

/** checkTimer turns seconds into clock ticks for NHA_RES_GROUP; throws ArgumentError naming `argument`. */
function checkTimer(v: unknown, argument: string): number {
  const expected = 'a number of seconds from 0 to 42949672.95, to 1/100 s';
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(argument, { expected, received: v });
  const ticks = Math.round(v * USER_HZ);
  if (Math.abs(ticks - v * USER_HZ) > 1e-6 || ticks > 0xffffffff) throw new ArgumentError(argument, { expected, received: v });
  return ticks;
}

/** What `nexthops.add` / `replace` make: exactly one of a gateway and/or device, `blackhole`, or `group`. */
export interface NexthopEntrySpec {
  /** NHA_ID, 1 to 2^32-1. */
  id: number;
  /** Gateway address (NHA_GATEWAY); its family is the nexthop's. */
  gateway?: string;
  /** The device (NHA_OIF) by name or index; needed unless `blackhole`, `group` or `fdb`. */
  dev?: LinkRef;
  /** RTNH_F_ONLINK: the gateway is on the link even if no prefix says so. */
  onlink?: boolean;
  /** Drop packets (NHA_BLACKHOLE). */
  blackhole?: boolean;
  /** A group of other nexthops (NHA_GROUP): ids with weights 1–256 (default 1). */
  group?: ReadonlyArray<{ id: number; weight?: number }>;
  /**
   * With `group`: 'mpath' (hash-threshold, the default) or 'resilient' (NHA_GROUP_TYPE;
   * flows stay on their bucket's member when members come and go). `resilient` implies
   * 'resilient'; the NEXTHOP_GRP_TYPE_* numbers 0 and 1 are taken too. The kernel
   * cannot turn a group of one type into the other.
   */
  groupType?: NexthopGroupType | number;
  /** A resilient group's buckets and timers (NHA_RES_GROUP). */
  resilient?: NexthopResilientSpec;
  /** For vxlan FDB entries (NHA_FDB): with a gateway (no device) or a group of such nexthops. */
  fdb?: boolean;
  /** nh_protocol (default 'unspec', as `ip`). */
  protocol?: RouteProtocolName | number;
  /** 'inet' or 'inet6': needed only for a device-only or blackhole nexthop of IPv6 (default: the gateway's, else 'inet'). */
  family?: 'inet' | 'inet6';
}

/** Which nexthop: its id, or an object with one (a NexthopEntry from `list()`). */
export type NexthopKey = number | { id: number };

/** Filters of `nexthops.list`. */
export interface NexthopEntryFilter {
  /** Only nexthops through this device (NHA_OIF; the kernel filters, and it holds here too). */
  dev?: LinkRef;
  /** true: only groups (NHA_GROUPS, kernel-filtered); false: no groups. */
  groups?: boolean;
  /** true: only FDB nexthops (NHA_FDB, kernel-filtered); false: no FDB nexthops. */
  fdb?: boolean;
  /** Only this family ('inet', 'inet6'; groups are family 0), checked here: the kernel has no such filter. */
  family?: FamilyName | number;
}

const SPEC_KEYS = ['id', 'gateway', 'dev', 'onlink', 'blackhole', 'group', 'groupType', 'resilient', 'fdb', 'protocol', 'family'];
/** The fields of a NexthopEntry that are not spec keys: accepted (and ignored) so a listed nexthop can be added again. */
const ENTRY_KEYS = ['scope', 'flags', 'attrs'];
/** NexthopResilientSpec's keys, and NexthopResilient's `unbalancedTime` (listed, ignored). */
const RESILIENT_KEYS = ['buckets', 'idleTimer', 'unbalancedTimer', 'unbalancedTime'];

/** checkId returns a nexthop id (1 to 2^32-1); throws ArgumentError naming `argument`. */
function checkId(v: unknown, argument: string): number {
  return checkInteger(v, argument, 1, 0xffffffff);
}

/** The id a NexthopKey names; throws ArgumentError. */
function keyId(key: unknown): number {
  if (isRecord(key)) return checkId(key.id, 'key.id');
  if (typeof key !== 'number') throw new ArgumentError('key', { expected: 'a nexthop id or an object with one ({ id })', received: key });
  return checkId(key, 'key');
}

/**
 * createMessage validates a NexthopEntrySpec and builds its RTM_NEWNEXTHOP,
 * refusing what the kernel would (a group with a gateway, a gateway without
 * a device, …) with ArgumentError naming the field.
 */
async function createMessage(spec: NexthopEntrySpec, resolve: ResolveLink): Promise<NexthopMessageInput> {
  if (!isRecord(spec as unknown)) throw new ArgumentError('spec', { expected: 'a nexthop object such as { id: 1, gateway: "10.1.0.1", dev: "veth0" }', received: spec });
  checkKeys(spec, 'spec', [...SPEC_KEYS, ...ENTRY_KEYS]);
  // A listed group or blackhole carries `gateway: undefined` and `blackhole: false`: only what is set counts.
  const s = { ...spec, blackhole: spec.blackhole === false ? undefined : spec.blackhole, fdb: spec.fdb === false ? undefined : spec.fdb };
  const attrs: rtNexthop.NexthopAttrs = { id: checkId(s.id, 'spec.id') };
  for (const k of ['onlink', 'blackhole', 'fdb'] as const) if (s[k] !== undefined) checkBoolean(s[k], `spec.${k}`);
  const header: Partial<rtNexthop.Nhmsg> = {};
  if (s.protocol !== undefined) header.nhProtocol = protocolNumber(s.protocol, 'spec.protocol');

  if (s.group !== undefined) {
    const other = (['gateway', 'dev', 'blackhole', 'onlink'] as const).find((k) => s[k] !== undefined);
    if (other !== undefined) throw new ArgumentError(`spec.${other}`, { reason: 'not with group: a group takes its paths from its members' });
    const members = checkArray(s.group, 'spec.group');
    if (members.length === 0) throw new ArgumentError('spec.group', { reason: 'a group needs at least one member' });
    attrs.group = members.map((m, i) => {
      const o = checkOptions(m, `spec.group[${i}]`, ['id', 'weight']);
      const weight = o.weight === undefined ? 1 : checkInteger(o.weight, `spec.group[${i}].weight`, 1, 256);
      return { id: checkId(o.id, `spec.group[${i}].id`), weight: weight - 1 };
    });
    const given = s.groupType === 0 ? 'mpath' : s.groupType === 1 ? 'resilient' : s.groupType;
    if (given !== undefined && given !== 'mpath' && given !== 'resilient') throw new ArgumentError('spec.groupType', { expected: "'mpath' or 'resilient' (or 0, 1)", received: s.groupType });
    const type = given ?? (s.resilient !== undefined ? 'resilient' : 'mpath');
    if (type === 'resilient') {
      // NEXTHOP_GRP_TYPE_RES; 'mpath' (0) is the kernel's default and goes unsaid, as with `ip`.
      attrs.groupType = 'res';
      if (s.resilient !== undefined) {
        const r = checkOptions(s.resilient, 'spec.resilient', RESILIENT_KEYS) as NexthopResilientSpec;
        const res: rtNexthop.ResGroupAttrs = {};
        if (r.buckets !== undefined) res.buckets = checkInteger(r.buckets, 'spec.resilient.buckets', 1, 0xffff);
        if (r.idleTimer !== undefined) res.idleTimer = checkTimer(r.idleTimer, 'spec.resilient.idleTimer');
        if (r.unbalancedTimer !== undefined) res.unbalancedTimer = checkTimer(r.unbalancedTimer, 'spec.resilient.unbalancedTimer');
        attrs.resGroup = res;
      }
    } else if (s.resilient !== undefined) {
      throw new ArgumentError('spec.resilient', { reason: "only for a resilient group (groupType: 'resilient')" });
    }
    if (s.fdb) attrs.fdb = true;
    return { header, attrs };
  }
  const groupOnly = (['groupType', 'resilient'] as const).find((k) => s[k] !== undefined);
  if (groupOnly !== undefined) throw new ArgumentError(`spec.${groupOnly}`, { reason: 'only with group' });
  let family = s.family === undefined ? undefined : familyNumber(s.family, 'spec.family');
  if (family !== undefined && family !== Family.inet && family !== Family.inet6) throw new ArgumentError('spec.family', { expected: "'inet' or 'inet6'", received: s.family });
  if (s.blackhole) {
    const other = (['gateway', 'dev', 'onlink', 'fdb'] as const).find((k) => s[k] !== undefined);
    if (other !== undefined) throw new ArgumentError(`spec.${other}`, { reason: 'not with blackhole' });
    attrs.blackhole = true;
    header.nhFamily = family ?? Family.inet;
    return { header, attrs };
  }
  if (s.gateway !== undefined) {
    const gw = parseAddress(s.gateway, 'spec.gateway');
    if (family !== undefined && family !== gw.family) throw new ArgumentError('spec.gateway', { expected: `an address of family ${familyName(family)}`, received: s.gateway });
    family = gw.family;
    attrs.gateway = gw.address;
  } else if (s.onlink) {
    throw new ArgumentError('spec.onlink', { reason: 'onlink needs a gateway' });
  }
  if (s.fdb) {
    if (s.dev !== undefined) throw new ArgumentError('spec.dev', { reason: 'an FDB nexthop has no device (the vxlan device that uses it decides)' });
    if (s.gateway === undefined) throw new ArgumentError('spec.gateway', { reason: 'an FDB nexthop needs a gateway (or a group)' });
    attrs.fdb = true;
  } else if (s.dev === undefined) {
    throw new ArgumentError('spec.dev', { reason: 'a nexthop needs a device unless it is a blackhole, a group or an FDB nexthop' });
  } else {
    attrs.oif = await resolve(checkLinkRef(s.dev, 'spec.dev'), 'spec.dev');
  }
  if (s.onlink) header.nhFlags = ['onlink'];
  header.nhFamily = family ?? Family.inet;
  return { header, attrs };
}

/** The nexthop kind's members that need its codec, with the requests of the generic service (see nexthop-kind.ts, which declares the kind and imports this module on first use). */
export const nexthopCodec: KindCodec<NexthopMessage, NexthopMessageInput, NexthopEntry> & { requests: KindRequests<NexthopMessageInput, NexthopEntrySpec, NexthopKey> } = {
  decode: rtNexthop.decodeNexthopMessage,
  encode: rtNexthop.encodeNexthopMessage,
  convert: nexthopFromMessage,
  // The kernel's nexthop table is keyed by id alone.
  key: (m) => String(m.attrs.id),
  dump: () => ({ header: {}, attrs: {} }),
  filters: {
    dev: {
      link: true,
      kernel: (r, index) => void (r.attrs.oif = index),
      holds: (n, index) => n.dev === index,
    },
    groups: {
      check: (v, argument) => (v === undefined ? undefined : checkBoolean(v, argument)),
      // NHA_GROUPS asks for groups only; there is no kernel filter for "no groups".
      kernel: (r, groups: boolean) => void (groups ? (r.attrs.groups = true) : undefined),
      holds: (n, groups: boolean) => (n.group !== undefined) === groups,
    },
    fdb: {
      check: (v, argument) => (v === undefined ? undefined : checkBoolean(v, argument)),
      kernel: (r, fdb: boolean) => void (fdb ? (r.attrs.fdb = true) : undefined),
      holds: (n, fdb: boolean) => n.fdb === fdb,
    },
    family: {
      check: (v, argument) => (v === undefined ? undefined : familyNumber(v as FamilyName | number, argument)),
      holds: (n, family: number) => n.family === familyName(family),
    },
  },
  requests: {
    create: createMessage,
    remove: async (key) => ({ header: {}, attrs: { id: keyId(key) } }),
    get: async (key) => ({ header: {}, attrs: { id: keyId(key) } }),
    label: (x) => `id ${isRecord(x as unknown) ? String((x as { id: unknown }).id) : String(x)}`,
  },
};
