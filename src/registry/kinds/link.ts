/**
 * The link kind: network devices (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK,
 * ifi_family AF_UNSPEC), the plain `Link` the services return and events
 * carry, and what `list()` filters by.
 */
import * as rtLink from '../../generated/rt-link.js';
import { jsonReady } from '../../codec/json.js';
import { decodeFlags, flagBits, inAttr } from '../../codec/support.js';
import { KeptObject, eagerTypes, indexAttributes, keepMessage, lazyAccessor, type KeptMessage } from '../../codec/lazy.js';
import { checkString } from '../../netlink/args.js';
import { readS32, readString, readU32, readU8 } from '../../netlink/reader.js';
import { formatMac } from '../../netlink/format.js';
import type { MessageWriter } from '../../netlink/writer.js';
import { LINK_TYPES, OPER_STATES, type OperState } from '../vocabulary.js';
import type { CallOptions, Connection, Request } from '../../netlink/connection.js';
import { getObject, kindRequest, type ObjectKind } from '../kind.js';
import { checkLinkRef } from '../validate.js';
import type { LinkRef } from '../context.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtLink.attributePathAt);

type LinkAttrs = rtLink.LinkAttrs;
type LinkMessage = rtLink.LinkMessage;

export type { OperState } from '../vocabulary.js';

/**
 * LinkKind: every link kind the specs describe (the kernel's rt_link spec and
 * codegen/overlays/rt-link.yaml): 'veth', 'bridge', 'vxlan', 'macvlan', 'vlan', …
 * A format added to the overlay's `linkinfo-data-msg` is a new LinkKind.
 */
export type LinkKind = keyof rtLink.LinkinfoDataMsgFormats;

/** LinkDetails<K>: IFLA_INFO_DATA of kind K as the spec types it; undefined for kinds it gives no attributes (dummy, ifb, wireguard). */
export type LinkDetails<K extends LinkKind> = rtLink.LinkinfoDataMsgFormats[K] extends Uint8Array ? undefined : rtLink.LinkinfoDataMsgFormats[K];

/** PortKind: every kind of master whose port data (IFLA_INFO_SLAVE_DATA) the specs describe: 'bridge', 'bond'. */
export type PortKind = keyof rtLink.LinkinfoMemberDataMsgFormats;

/**
 * LinkKindDetails: `kind` (IFLA_INFO_KIND) with its `details` (IFLA_INFO_DATA):
 * comparing `kind` narrows `details` (`if (link.kind === 'vxlan') link.details?.port`).
 * A kind no spec describes (or none: physical devices, lo) has no details; its raw
 * bytes, if any, stay in `attrs.linkinfo.data`.
 */
export type LinkKindDetails =
  | { [K in LinkKind]: { kind: K; details: LinkDetails<K> | undefined } }[LinkKind]
  | { kind: string | undefined; details: undefined };

/**
 * LinkPortDetails: `portKind` (IFLA_INFO_SLAVE_KIND, e.g. 'bridge' for a bridge
 * port) with its `portDetails` (IFLA_INFO_SLAVE_DATA: port state, cost, …);
 * comparing `portKind` narrows `portDetails`.
 */
export type LinkPortDetails =
  | { [K in PortKind]: { portKind: K; portDetails: rtLink.LinkinfoMemberDataMsgFormats[K] | undefined } }[PortKind]
  | { portKind: string | undefined; portDetails: undefined };

/** A network device, as the kernel describes it: LinkBase with its kind's details (LinkKindDetails) and port details (LinkPortDetails). */
export type Link = LinkBase & LinkKindDetails & LinkPortDetails;

/** The fields every Link has, whatever its kind. */
export interface LinkBase {
  /** Interface index (ifi_index). */
  index: number;
  /** Interface name (IFLA_IFNAME). */
  name: string;
  /** Device flags (IFF_*) by name: 'up', 'broadcast', 'lower-up', …; unknown bits as numbers. */
  flags: Array<rtLink.IfinfoFlags | number>;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Promiscuous mode set by a user (IFF_PROMISC; `ip link set … promisc on`). A bridge port's own promiscuity shows in `attrs.promiscuity`, not here, as in `ip link`. */
  promisc: boolean;
  /** ARP (IPv4) / neighbour discovery is used: IFF_NOARP is clear (`ip link set … arp off` sets it). */
  arp: boolean;
  /** Receives all multicast packets (IFF_ALLMULTI; `ip link set … allmulticast on`). */
  allmulticast: boolean;
  /** Multicast capable (IFF_MULTICAST; `ip link set … multicast off` clears it). */
  multicast: boolean;
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

/**
 * linkFromMessage turns a decoded RTM_NEWLINK into a Link, `stats` and
 * `attrs` included.
 */
export function linkFromMessage(m: LinkMessage): Link {
  return new LinkObject(m.header, m.attrs, undefined) as unknown as Link;
}

/**
 * linkObject is linkFromMessage for the registry. With `kept` (where a copy
 * of the whole message after its nlmsghdr is), `m` holds only linkKind's
 * eager attributes, and `stats` and `attrs` are getters that decode the
 * copy on first access, then keep the result.
 */
function linkObject(m: LinkMessage, kept?: KeptMessage): Link {
  return new LinkObject(m.header, m.attrs, kept) as unknown as Link;
}

/**
 * What the wire converter puts in place of IFLA_INFO_DATA or IFLA_INFO_SLAVE_DATA
 * when the message has it: the Link then reads it from its kept copy on first
 * access (see LinkObject).
 */
const DECODE_LATER: unique symbol = Symbol('decoded on first read');

/** The attributes a Link's own fields read, and IFLA_LINKINFO's parts among them (what LinkObject takes). */
type EagerAttrs = Pick<LinkAttrs, 'address' | 'broadcast' | 'ifname' | 'mtu' | 'link' | 'qdisc' | 'master' | 'txqlen' | 'operstate' | 'ifalias' | 'group' | 'linkNetnsid'> & {
  linkinfo?:
    | (Pick<rtLink.LinkinfoAttrs, 'kind' | 'slaveKind'> & {
        data?: rtLink.LinkinfoAttrs['data'] | typeof DECODE_LATER;
        slaveData?: rtLink.LinkinfoAttrs['slaveData'] | typeof DECODE_LATER;
      })
    | undefined;
  stats64?: LinkAttrs['stats64'];
};

/** The accessors of a lazy Link's parts, one of each for every Link (see KeptObject). */
let lazyStats: PropertyDescriptor;
let lazyAttrs: PropertyDescriptor;
let lazyDetails: PropertyDescriptor;
let lazyPortDetails: PropertyDescriptor;

/** A kind's settings as a Link shows them: raw bytes are a kind the spec gives no attributes, so none (they stay in attrs). */
function kindSettings(data: unknown): unknown {
  return data instanceof Uint8Array ? undefined : jsonReady(data);
}

/**
 * LinkObject builds a Link, field by field in the order the type declares
 * them (what Object.keys, spread copies and JSON show), whole or lazy: a lazy
 * one has `stats` and `attrs` as the shared accessors, in the same places,
 * and `details` and `portDetails` too when its message has them (a bridge's
 * 49 settings, a bridge port's 44: decoded up front, they took a first
 * listing of 500 bridge ports and their peers from ~31 to ~50 ms, bench/README).
 */
class LinkObject extends KeptObject<LinkMessage> {
  // Declared only (nothing emitted): assigned in the constructor, in this order, through `this`,
  // which also lets V8 size the object to hold every field in place.
  declare index: LinkBase['index'];
  declare name: LinkBase['name'];
  declare flags: LinkBase['flags'];
  declare up: LinkBase['up'];
  declare promisc: LinkBase['promisc'];
  declare arp: LinkBase['arp'];
  declare allmulticast: LinkBase['allmulticast'];
  declare multicast: LinkBase['multicast'];
  declare mtu: LinkBase['mtu'];
  declare mac: LinkBase['mac'];
  declare broadcast: LinkBase['broadcast'];
  declare operstate: LinkBase['operstate'];
  declare txqlen: LinkBase['txqlen'];
  declare master: LinkBase['master'];
  declare parent: LinkBase['parent'];
  declare kind: string | undefined;
  declare details: unknown;
  declare portKind: string | undefined;
  declare portDetails: unknown;
  declare type: LinkBase['type'];
  declare stats: LinkBase['stats'];
  declare alias: LinkBase['alias'];
  declare group: LinkBase['group'];
  declare qdisc: LinkBase['qdisc'];
  declare attrs: LinkBase['attrs'];

  static {
    const whole = (link: LinkObject) => link.whole(rtLink.decodeLinkMessage);
    lazyStats = lazyAccessor(function (this: LinkObject) {
      return jsonReady(whole(this).attrs.stats64);
    });
    lazyAttrs = lazyAccessor(function (this: LinkObject) {
      return jsonReady(whole(this).attrs);
    });
    lazyDetails = lazyAccessor(function (this: LinkObject) {
      return kindSettings(whole(this).attrs.linkinfo?.data);
    });
    lazyPortDetails = lazyAccessor(function (this: LinkObject) {
      return kindSettings(whole(this).attrs.linkinfo?.slaveData);
    });
  }

  /** `a`: the whole message's attributes, or (with `kept`) at least the eager ones. */
  constructor(header: LinkHeader, a: EagerAttrs, kept: KeptMessage | undefined) {
    super();
    const info = a.linkinfo;
    const flags = header.ifiFlags;
    const index = header.ifiIndex;
    this.index = index;
    this.name = a.ifname ?? '';
    this.flags = flags;
    this.up = flags.includes('up');
    this.promisc = flags.includes('promisc');
    this.arp = !flags.includes('no-arp');
    this.allmulticast = flags.includes('all-multi');
    this.multicast = flags.includes('multicast');
    this.mtu = a.mtu;
    this.mac = a.address;
    this.broadcast = a.broadcast;
    this.operstate = a.operstate === undefined ? undefined : (OPER_STATES[a.operstate] ?? a.operstate);
    this.txqlen = a.txqlen;
    this.master = a.master;
    this.parent = a.link === undefined || (a.link === index && a.linkNetnsid === undefined) ? undefined : { index: a.link, netnsId: a.linkNetnsid };
    this.kind = info?.kind;
    // DECODE_LATER comes only from linkFromWire, which always keeps a copy to decode.
    if (info?.data === DECODE_LATER) Object.defineProperty(this, 'details', lazyDetails);
    else this.details = kindSettings(info?.data);
    this.portKind = info?.slaveKind;
    if (info?.slaveData === DECODE_LATER) Object.defineProperty(this, 'portDetails', lazyPortDetails);
    else this.portDetails = kindSettings(info?.slaveData);
    this.type = LINK_TYPES[header.ifiType] ?? header.ifiType;
    if (kept === undefined) this.stats = jsonReady(a.stats64);
    else Object.defineProperty(this, 'stats', lazyStats);
    this.alias = a.ifalias;
    this.group = a.group;
    this.qdisc = a.qdisc;
    if (kept === undefined) {
      // The parts that hold bigints print as JSON on their own too, and in a spread copy of the Link.
      this.attrs = jsonReady(a as LinkAttrs);
    } else {
      Object.defineProperty(this, 'attrs', lazyAttrs);
      this.keep(kept);
    }
  }
}

/** The attributes a Link's own fields read (all but `stats` and `attrs`): decoded up front by list() and get(). */
const LINK_EAGER = eagerTypes([
  rtLink.LinkAttr.address,
  rtLink.LinkAttr.broadcast,
  rtLink.LinkAttr.ifname,
  rtLink.LinkAttr.mtu,
  rtLink.LinkAttr.link,
  rtLink.LinkAttr.qdisc,
  rtLink.LinkAttr.master,
  rtLink.LinkAttr.txqlen,
  rtLink.LinkAttr.operstate,
  rtLink.LinkAttr.linkinfo,
  rtLink.LinkAttr.ifalias,
  rtLink.LinkAttr.group,
  rtLink.LinkAttr.linkNetnsid,
]);

/** The parts of IFLA_LINKINFO a Link's fields read. */
const LINKINFO_EAGER = eagerTypes([rtLink.LinkinfoAttr.kind, rtLink.LinkinfoAttr.data, rtLink.LinkinfoAttr.slaveKind, rtLink.LinkinfoAttr.slaveData]);

// Where linkFromWire finds each eager attribute, and what it reads from them: one of each, reused.
const spans = new Int32Array(2 * LINK_EAGER.length);
const infoSpans = new Int32Array(2 * LINKINFO_EAGER.length);
const info: NonNullable<EagerAttrs['linkinfo']> = { kind: undefined, data: undefined, slaveKind: undefined, slaveData: undefined };
// readEager sets every field, always in the same order: one shape.
const eager = {} as EagerAttrs;

/**
 * valueAt reads an indexed attribute (see indexAttributes) with `read`: its value, or
 * undefined when absent. One function for every reader, not one per reader: each small
 * function a first listing makes hot is a compile job of its own, which the process waits
 * for when it exits (bench/README).
 */
function valueAt<T>(view: DataView, table: Int32Array, type: number, read: (view: DataView, s: number, e: number) => T): T | undefined {
  const s = table[2 * type]!;
  return s >= 0 ? read(view, s, table[2 * type + 1]!) : undefined;
}

/**
 * readEager fills `eager` from the RTM_NEWLINK at `[start, end)` with the
 * same readers the generated decoder uses, straight from the wire: no copy
 * of the message and no attribute tree. False when anything is off (framing,
 * a short value): the generated decoder then decodes the message and
 * reports the fault with its attribute path.
 *
 * In five small functions, not one: V8 optimizes a function once the
 * bytecode it ran passes a budget that grows with its size, so a first
 * listing of a thousand links makes one ~900-byte function hot and leaves
 * pieces of ~100-200 bytes each, run once a link, to the interpreter. The
 * optimizing compile of the one function took ~15 ms of CPU in a fresh
 * process, on a background thread the process waits for when it exits
 * (~10 ms of a `links.list()` process); the pieces are optimized a listing
 * or two later, in a process that keeps listing (bench/README).
 */
function readEager(view: DataView, start: number, end: number): boolean {
  if (end - start < rtLink.IfinfomsgSize || !indexAttributes(view, start + rtLink.IfinfomsgSize, end, LINK_EAGER, spans)) return false;
  try {
    readAddresses(view);
    readSizes(view);
    readRelations(view);
    return readLinkinfo(view);
  } catch {
    return false;
  }
}

/** readAddresses: the eager attributes that are text (see readEager). */
function readAddresses(view: DataView): void {
  const A = rtLink.LinkAttr;
  eager.address = valueAt(view, spans, A.address, formatMac);
  eager.broadcast = valueAt(view, spans, A.broadcast, formatMac);
  eager.ifname = valueAt(view, spans, A.ifname, readString);
  eager.qdisc = valueAt(view, spans, A.qdisc, readString);
  eager.ifalias = valueAt(view, spans, A.ifalias, readString);
}

/** readSizes: the eager attributes that are sizes and states (see readEager). */
function readSizes(view: DataView): void {
  const A = rtLink.LinkAttr;
  eager.mtu = valueAt(view, spans, A.mtu, readU32);
  eager.txqlen = valueAt(view, spans, A.txqlen, readU32);
  eager.operstate = valueAt(view, spans, A.operstate, readU8);
  eager.group = valueAt(view, spans, A.group, readU32);
}

/** readRelations: the eager attributes that name other links and namespaces (see readEager). */
function readRelations(view: DataView): void {
  const A = rtLink.LinkAttr;
  eager.link = valueAt(view, spans, A.link, readU32);
  eager.master = valueAt(view, spans, A.master, readU32);
  eager.linkNetnsid = valueAt(view, spans, A.linkNetnsid, readS32);
}

/**
 * readLinkinfo: IFLA_LINKINFO's kind and port kind (see readEager); the
 * kind's and the port's settings, when there, are left to the Link to decode
 * from its copy on first read. False when its attributes are not well framed.
 */
function readLinkinfo(view: DataView): boolean {
  const A = rtLink.LinkAttr;
  eager.linkinfo = undefined;
  const infoStart = spans[2 * A.linkinfo]!;
  if (infoStart < 0) return true;
  const I = rtLink.LinkinfoAttr;
  if (!indexAttributes(view, infoStart, spans[2 * A.linkinfo + 1]!, LINKINFO_EAGER, infoSpans)) return false;
  info.kind = valueAt(view, infoSpans, I.kind, readString);
  info.slaveKind = valueAt(view, infoSpans, I.slaveKind, readString);
  info.data = infoSpans[2 * I.data]! >= 0 ? DECODE_LATER : undefined;
  info.slaveData = infoSpans[2 * I.slaveData]! >= 0 ? DECODE_LATER : undefined;
  eager.linkinfo = info;
  return true;
}

/**
 * linkFromWire is the Link kind's wire converter (ObjectKind `fromWire`):
 * the Link of the RTM_NEWLINK at `[start, end)` of `view`, its fields read
 * straight from the message and a copy kept for `stats` and `attrs`;
 * undefined when the message needs the generated decoder (see readEager).
 */
function linkFromWire(view: DataView, start: number, end: number, shared: boolean): Link | undefined {
  if (!readEager(view, start, end)) return undefined;
  // struct ifinfomsg as the generated readIfinfomsg reads it, into one reused object (LinkObject copies what it keeps).
  wireHeader.ifiType = view.getUint16(start + 2, true);
  wireHeader.ifiIndex = view.getInt32(start + 4, true);
  wireHeader.ifiFlags = decodeFlags(view.getUint32(start + 8, true), IFI_FLAG_BITS);
  return new LinkObject(wireHeader, eager, keepMessage(view, start, end, shared)) as unknown as Link;
}

/**
 * isLinkQuery tells whether a link message's attributes are those of the
 * requests get() and an unfiltered list() send: none (a get by index, a
 * dump; setting a link up or down too), or only an IFLA_IFNAME that is a
 * string without NUL (a get by name). Anything else, a name the generated
 * encoder would refuse included, goes to that encoder, which says why.
 */
export function isLinkQuery(attrs: unknown): boolean {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) return false;
  // for-in: inherited enumerable keys count too, as the generated encoder would read them.
  for (const key in attrs) if (key !== 'ifname') return false;
  const name = (attrs as LinkAttrs).ifname;
  return name === undefined || (typeof name === 'string' && !name.includes('\0'));
}

/**
 * encodeLinkRequest is the link kind's encoder: the generated
 * encodeLinkMessage, except for the requests get() and list() send (see
 * isLinkQuery), which it writes itself, byte for byte the same (the lazy
 * test compares the two). Why: the generated attribute encoder is one
 * ~10 kB function over every IFLA attribute, and V8 compiling it on first
 * use was the largest single cost of a first `links.get()` in a fresh
 * process (~0.5 ms and ~55 fresh pages, bench/README); a program that only
 * reads links never needs it.
 */
export function encodeLinkRequest(w: MessageWriter, m: rtLink.LinkMessageInput): void {
  if (!isLinkQuery(m.attrs)) {
    rtLink.encodeLinkMessage(w, m);
    return;
  }
  const at = w.reserve(rtLink.IfinfomsgSize);
  try {
    rtLink.writeIfinfomsg(w.view, at, m.header);
  } catch (err) {
    throw inAttr(err, 'ifinfomsg');
  }
  if (m.attrs.ifname !== undefined) w.string(rtLink.LinkAttr.ifname, m.attrs.ifname);
}

/** The parts of struct ifinfomsg a Link reads. */
type LinkHeader = Pick<rtLink.Ifinfomsg, 'ifiType' | 'ifiIndex' | 'ifiFlags'>;

/** IFF_* by bit, as the generated decoder names them (the IfinfoFlags values are the masks). */
const IFI_FLAG_BITS = flagBits(rtLink.IfinfoFlags);

const wireHeader: LinkHeader = { ifiType: 0, ifiIndex: 0, ifiFlags: [] };

/** Longest IFLA_INFO_KIND the kernel registers (MODULE_NAME_LEN is 56; kinds are short words). */
export const KIND_MAX_BYTES = 55;

/**
 * Filters of `links.list`. The kernel applies them (strict checking) but
 * ignores a kind whose module it has not loaded, so each also holds
 * client-side: what `list` returns always matches.
 */
export interface LinkFilter {
  /** Only links of this kind ('veth', 'bridge', …). */
  kind?: string;
  /** Only ports of this master. */
  master?: LinkRef;
}

/** linkKind declares links to the registry. */
export const linkKind: ObjectKind<{ kind: 'link'; plural: 'links'; groups: 'link' }, LinkMessage, rtLink.LinkMessageInput, Link> = {
  kind: 'link',
  plural: 'links',
  doc: 'network interfaces (rt.links.list)',
  types: { new: rtLink.RequestType.newlink, del: rtLink.RequestType.dellink, get: rtLink.RequestType.getlink },
  names: { new: 'RTM_NEWLINK', del: 'RTM_DELLINK', get: 'RTM_GETLINK' },
  decode: rtLink.decodeLinkMessage,
  encode: encodeLinkRequest,
  convert: linkObject,
  lazy: { headerSize: rtLink.IfinfomsgSize, eager: LINK_EAGER },
  fromWire: linkFromWire,
  key: (m) => String(m.header.ifiIndex),
  // Only ifi_family AF_UNSPEC describes a device: AF_BRIDGE messages on the
  // same group describe bridge-port state, and their RTM_DELLINK means "left
  // the bridge", not "deleted".
  families: [0],
  defaultFamilies: [0],
  groups: [{ name: 'link', group: rtLink.McastGroup['rtnlgrp-link'], family: 0 }],
  // Counters, and the bridge's and bridge ports' running timers (IFLA_BR_*_TIMER,
  // IFLA_BRPORT_*_TIMER), learned-FDB and multicast-group counts and the
  // multicast querier's state (its timers inside): they move with no notification.
  volatile: new Set([
    'stats',
    'stats64',
    'afSpec',
    'order',
    'helloTimer',
    'tcnTimer',
    'topologyChangeTimer',
    'gcTimer',
    'messageAgeTimer',
    'forwardDelayTimer',
    'holdTimer',
    'fdbNLearned',
    'mcastNGroups',
    'mcastQuerierState',
  ]),
  dump: () => ({ header: {}, attrs: {} }),
  filters: {
    kind: {
      check: (v, argument) => (v === undefined ? undefined : checkString(v, argument, { minBytes: 1, maxBytes: KIND_MAX_BYTES })),
      kernel: (r, kind: string) => void (r.attrs.linkinfo = { kind }),
      holds: (l, kind: string) => l.kind === kind,
    },
    master: {
      link: true,
      kernel: (r, index) => void (r.attrs.master = index),
      holds: (l, index) => l.master === index,
    },
  },
};

/**
 * getLink fetches one link by name or index over `conn` with a single
 * RTM_GETLINK (links.get, and links.move on both of its namespaces).
 * Throws ArgumentError for an invalid reference, KernelError ENODEV when absent.
 */
export async function getLink(conn: Connection, ref: LinkRef, options?: CallOptions): Promise<Link> {
  checkLinkRef(ref);
  const message = typeof ref === 'number' ? { header: { ifiIndex: ref }, attrs: {} } : { header: {}, attrs: { ifname: ref } };
  return getObject(conn, linkKind, message, JSON.stringify(ref), options);
}

/** linkUpRequest is the RTM_NEWLINK that sets link `index` administratively up or down (IFF_UP), for a request or a batch. */
export function linkUpRequest(index: number, up: boolean): Request {
  return kindRequest(linkKind, 'new', { header: { ifiIndex: index, ifiFlags: up ? ['up'] : [], ifiChange: rtLink.IfinfoFlags.up }, attrs: {} }, 0, `set ${up ? 'up' : 'down'}`);
}

/** setLinkUp sets a link administratively up or down (IFF_UP) over `conn`. Throws KernelError. */
export async function setLinkUp(conn: Connection, index: number, up: boolean, options?: CallOptions): Promise<void> {
  await conn.request(linkUpRequest(index, up), undefined, options);
}
