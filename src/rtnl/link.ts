/**
 * Links: list, get, add, set, delete and move network devices of one
 * namespace. Requests are built with the generated rt-link codecs; what is
 * returned is a plain `Link`.
 */
import { NLM_F_CREATE, NLM_F_EXCL } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkArray, checkBoolean, checkKeys, checkOptions, checkString, hasName, isRecord } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { checkNetNsLike, openNetNs, type NetNsLike } from '../netns/index.js';
import * as rtLink from '../generated/rt-link.js';
import { checkEncodedKeys } from '../codec/request-check.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { listObjects, sendKind } from '../registry/kind.js';
import { KIND_MAX_BYTES, getLink, linkKind, type Link, type LinkFilter, type LinkKind } from '../registry/kinds/link.js';
import { moveLink, type MoveOptions, type MoveResult } from './move.js';
import { parseAddress } from '../registry/prefix.js';
import {
  IFALIAS_MAX_BYTES,
  MAC_LENGTHS,
  callOptions,
  checkLinkName as checkName,
  checkLinkRef,
  checkMac,
  checkUint,
  dryRun,
} from '../registry/validate.js';

type LinkAttrs = rtLink.LinkAttrs;

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

/**
 * The sugar table: what a kind's `data` takes where the spec cannot say it —
 * names and addresses that become numbers and nests when the request is built.
 * Every other kind's `data` is the spec's attribute set as generated.
 */
interface LinkDataSugar {
  /** VETH_INFO_PEER as a peer spec: its name, namespace (opened for IFLA_NET_NS_FD), MAC, MTU. */
  veth: { peer?: VethPeer };
  /** `dev` by name (IFLA_VXLAN_LINK); `group`/`local` IPv4 or IPv6 (GROUP6/LOCAL6). */
  vxlan: VxlanOptions;
}

/** LinkData<K>: what `links.add` takes as `data` for kind K (IFLA_INFO_DATA); never for kinds without attributes. */
export type LinkData<K extends LinkKind> = K extends keyof LinkDataSugar
  ? LinkDataSugar[K]
  : rtLink.LinkinfoDataMsgFormats[K] extends Uint8Array
    ? never
    : Clean<rtLink.LinkinfoDataMsgFormats[K]>;

/**
 * Shorthands older than `data`, kept: each is a part of `data` (`bridge: {…}`
 * is `data: {…}`, macvlan's `mode` is `data.mode`, …). Kinds on a lower device
 * require `parent`.
 */
interface LinkShorthands {
  veth: { peer?: VethPeer };
  vxlan: { vxlan?: VxlanOptions };
  bridge: { bridge?: LinkData<'bridge'> };
  bond: { bond?: LinkData<'bond'> };
  macvlan: { parent: LinkRef; mode?: rtLink.MacvlanMode; macvlan?: LinkData<'macvlan'> };
  macvtap: { parent: LinkRef; mode?: rtLink.MacvlanMode; macvlan?: LinkData<'macvtap'> };
  ipvlan: { parent: LinkRef; mode?: rtLink.IpvlanMode; flags?: rtLink.IpvlanFlags[] };
  ipvtap: { parent: LinkRef; mode?: rtLink.IpvlanMode; flags?: rtLink.IpvlanFlags[] };
  vlan: { parent: LinkRef; id?: number; protocol?: rtLink.VlanProtocols };
  vrf: { table?: number };
}

/** Where each shorthand goes in `data`: a field, or `*` for the whole object. */
const SHORTHANDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  veth: { peer: 'peer' },
  vxlan: { vxlan: '*' },
  bridge: { bridge: '*' },
  bond: { bond: '*' },
  macvlan: { macvlan: '*', mode: 'mode' },
  macvtap: { macvlan: '*', mode: 'mode' },
  ipvlan: { mode: 'mode', flags: 'flags' },
  ipvtap: { mode: 'mode', flags: 'flags' },
  vlan: { id: 'id', protocol: 'protocol' },
  vrf: { table: 'table' },
};
/** Kinds on a lower device (IFLA_LINK), which `parent` names. */
const NEEDS_PARENT = ['macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vlan'];

/**
 * What `links.add` creates: common settings, the kind, its `data` (the spec's
 * IFLA_INFO_DATA attributes for that kind, LinkData) and `parent` (IFLA_LINK,
 * the lower device), plus a kind's shorthands. Derived from the generated
 * kinds: a kind added to the spec is a LinkSpec with nothing written here.
 */
export type LinkSpec = LinkCommon &
  {
    [K in LinkKind]: { kind: K; data?: LinkData<K>; parent?: LinkRef } & (K extends keyof LinkShorthands ? LinkShorthands[K] : unknown);
  }[LinkKind];

/** What `links.set` changes; absent fields are left alone. */
export interface LinkChanges {
  /** Administratively up or down (IFF_UP). */
  up?: boolean;
  /** Promiscuous mode (IFF_PROMISC), as `ip link set … promisc on|off`. */
  promisc?: boolean;
  /** Use ARP / neighbour discovery; `false` sets IFF_NOARP, as `ip link set … arp off`. */
  arp?: boolean;
  /** Receive all multicast (IFF_ALLMULTI), as `ip link set … allmulticast on|off`. */
  allmulticast?: boolean;
  /** Multicast capable (IFF_MULTICAST), as `ip link set … multicast on|off`. */
  multicast?: boolean;
  mtu?: number;
  /** New hardware address. */
  address?: string;
  /** Enslave to a master by name or index; `null` releases it. */
  master?: LinkRef | null;
  /** Rename. Kernels from 6.2 rename a device that is up; older ones answer EBUSY unless it is down. */
  name?: string;
  txqlen?: number;
  alias?: string;
  group?: number;
}

/** The keys `links.set` takes; any other is refused (a typo must not be ignored). */
export const LINK_CHANGE_KEYS: readonly string[] = ['up', 'promisc', 'arp', 'allmulticast', 'multicast', 'mtu', 'address', 'master', 'name', 'txqlen', 'alias', 'group'];

/**
 * checkLinkName validates an interface name before anything is sent: a
 * string of 1–15 bytes without NUL, not `.` or `..`, no `/`, `:` or white
 * space (the kernel's dev_valid_name). Throws ArgumentError naming `what`.
 */
export function checkLinkName(name: string, what = 'name'): void {
  checkName(name, what);
}

/** The keys every link spec takes (a kind's shorthands come on top). */
const COMMON_KEYS = ['name', 'kind', 'mtu', 'address', 'txqlen', 'master', 'alias', 'group', 'up', 'netns', 'parent', 'data'];
const PEER_KEYS = ['name', 'netns', 'address', 'mtu'];

/**
 * checkLinkSpec validates what `links.add` takes — every key, type and
 * range it can check without the kernel — and throws ArgumentError naming
 * the field (`spec.peer.name`). Kind-specific option objects (`bridge`,
 * `vxlan`, `bond`, `macvlan`) are checked by type here and value by value
 * when encoded, which also happens before anything is sent.
 */
function checkLinkSpec(spec: unknown): asserts spec is LinkSpec {
  if (!isRecord(spec)) throw new ArgumentError('spec', { expected: 'a link spec object such as { name, kind }', received: spec });
  checkString(spec.kind, 'spec.kind', { minBytes: 1, maxBytes: KIND_MAX_BYTES });
  const kind = spec.kind as string;
  const shorthands = hasName(SHORTHANDS, kind) ? SHORTHANDS[kind]! : {};
  checkKeys(spec, 'spec', [...COMMON_KEYS, ...Object.keys(shorthands)]);
  checkName(spec.name, 'spec.name');
  if (spec.mtu !== undefined) checkUint(spec.mtu, 'spec.mtu', 0xffffffff);
  if (spec.txqlen !== undefined) checkUint(spec.txqlen, 'spec.txqlen', 0xffffffff);
  if (spec.group !== undefined) checkUint(spec.group, 'spec.group', 0xffffffff);
  if (spec.address !== undefined) checkMac(spec.address, 'spec.address');
  if (spec.alias !== undefined) checkString(spec.alias, 'spec.alias', { maxBytes: IFALIAS_MAX_BYTES });
  if (spec.master !== undefined) checkLinkRef(spec.master, 'spec.master');
  if (spec.up !== undefined) checkBoolean(spec.up, 'spec.up');
  if (spec.netns !== undefined) checkNetNsLike(spec.netns, 'spec.netns');
  if (NEEDS_PARENT.includes(kind) || spec.parent !== undefined) checkLinkRef(spec.parent, 'spec.parent');
  const { data, where } = kindData(spec);
  if (data === undefined) {
    if (kind === 'vxlan') throw new ArgumentError('spec.data', { expected: 'vxlan options such as { id: 42 }', received: undefined });
    return;
  }
  // Every key against what the kind's generated encoder reads (the sugar's keys aside), then the
  // sugar. One key at a time: each names the argument it came from (spec.data, spec.vxlan, spec.mode).
  const { peer, dev, ...rest } = data;
  const checked = kind === 'veth' ? rest : kind === 'vxlan' ? stripVxlanSugar(rest) : data;
  for (const [field, value] of Object.entries(checked)) {
    checkEncodedKeys({ [field]: value }, where(field).slice(0, -field.length - 1), (w, one) => rtLink.encodeLinkinfoAttrs(w, { kind, data: one as rtLink.LinkinfoDataMsg }));
  }
  switch (kind) {
    case 'veth': {
      if (peer === undefined) break;
      const at = where('peer');
      const p = checkOptions(peer, at, PEER_KEYS);
      if (p.name !== undefined) checkName(p.name, `${at}.name`);
      if (p.address !== undefined) checkMac(p.address, `${at}.address`);
      if (p.mtu !== undefined) checkUint(p.mtu, `${at}.mtu`, 0xffffffff);
      if (p.netns !== undefined) checkNetNsLike(p.netns, `${at}.netns`);
      break;
    }
    case 'vxlan':
      // The range (24 bits) is the kernel's to check: its extended ACK names the attribute.
      checkUint(data.id, where('id'), 0xffffffff);
      if (dev !== undefined) checkLinkRef(dev as LinkRef, where('dev'));
      if (data.group !== undefined) parseAddress(data.group as string, where('group'));
      if (data.local !== undefined) parseAddress(data.local as string, where('local'));
      break;
    case 'vlan':
      checkUint(data.id, where('id'), 4094);
      break;
    case 'vrf':
      checkUint(data.table, where('table'), 0xffffffff);
      break;
    case 'ipvlan':
    case 'ipvtap':
      if (data.flags !== undefined) checkArray(data.flags, where('flags'));
      break;
  }
}

/** vxlan data as the spec has it: `group`/`local` in IPv6 form go to group6/local6. */
function stripVxlanSugar(v: Record<string, unknown>): Record<string, unknown> {
  const out = { ...v };
  for (const [k, k6] of [['group', 'group6'], ['local', 'local6']] as const) {
    if (typeof out[k] === 'string' && (out[k] as string).includes(':')) {
      out[k6] = out[k];
      delete out[k];
    }
  }
  return out;
}

/**
 * kindData merges a spec's `data` with its kind's shorthands into one object
 * (undefined when there is none), and `where(field)` names the argument a
 * field came from (`spec.data.id`, `spec.vxlan.id`, `spec.mode`). Throws
 * ArgumentError when `data` or a whole-object shorthand is not an object.
 */
function kindData(spec: Record<string, unknown>): { data: Record<string, unknown> | undefined; where: (field: string) => string } {
  const kind = spec.kind as string;
  const shorthands = hasName(SHORTHANDS, kind) ? SHORTHANDS[kind]! : {};
  const from = new Map<string, string>();
  let data: Record<string, unknown> | undefined;
  const take = (obj: unknown, at: string): void => {
    if (obj === undefined) return;
    if (obj instanceof Uint8Array && at === 'spec.data') return; // raw IFLA_INFO_DATA, the caller's own bytes
    if (!isRecord(obj)) throw new ArgumentError(at, { expected: `${kind} options (an object)`, received: obj });
    data ??= {};
    for (const [k, v] of Object.entries(obj)) {
      // defineProperty: an own `__proto__` key stays a key (and is refused), never a prototype.
      Object.defineProperty(data, k, { value: v, enumerable: true, writable: true, configurable: true });
      from.set(k, `${at}.${k}`);
    }
  };
  take(spec.data, 'spec.data');
  for (const [key, field] of Object.entries(shorthands)) {
    if (spec[key] === undefined) continue;
    if (field === '*') take(spec[key], `spec.${key}`);
    else {
      data ??= {};
      data[field] = spec[key];
      from.set(field, `spec.${key}`);
    }
  }
  return { data, where: (field) => from.get(field) ?? `spec.data.${field}` };
}

/** checkLinkChanges validates what `links.set` takes; throws ArgumentError naming the field (`changes.up`). */
function checkLinkChanges(changes: unknown): asserts changes is LinkChanges {
  if (!isRecord(changes)) throw new ArgumentError('changes', { expected: 'an object of changes such as { up: true }', received: changes });
  checkKeys(changes, 'changes', LINK_CHANGE_KEYS);
  const c = changes;
  for (const flag of ['up', 'promisc', 'arp', 'allmulticast', 'multicast'] as const) if (c[flag] !== undefined) checkBoolean(c[flag], `changes.${flag}`);
  if (c.mtu !== undefined) checkUint(c.mtu, 'changes.mtu', 0xffffffff);
  if (c.address !== undefined) checkMac(c.address, 'changes.address', MAC_LENGTHS);
  if (c.master !== undefined && c.master !== null) checkLinkRef(c.master, 'changes.master');
  if (c.name !== undefined) checkName(c.name, 'changes.name');
  if (c.txqlen !== undefined) checkUint(c.txqlen, 'changes.txqlen', 0xffffffff);
  if (c.alias !== undefined) checkString(c.alias, 'changes.alias', { maxBytes: IFALIAS_MAX_BYTES });
  if (c.group !== undefined) checkUint(c.group, 'changes.group', 0xffffffff);
}

/** How a link message's references become numbers: the real lookups, or placeholders for a dry run. */
interface Resolver {
  link(ref: LinkRef): Promise<number>;
  nsFd(like: NetNsLike): number;
}

/** Placeholders with which a message is encoded once before any lookup, so everything the codecs refuse is found before anything is sent. */
const DRY_RUN: Resolver = { link: async () => 1, nsFd: () => 0 };

export class Links {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps the links of this namespace. `filter` is applied by the
   * kernel and again here, so a filter the kernel ignores (a kind whose
   * module is not loaded) still holds. `options`: `timeout`, `signal`,
   * `interrupted`, `maxAttempts`. Throws ArgumentError for a bad filter
   * before sending, KernelError.
   */
  async list(filter: LinkFilter = {}, options?: DumpOptions): Promise<Link[]> {
    return listObjects(this.ctx, linkKind, filter, options);
  }

  /**
   * get fetches one link by name or index with a single RTM_GETLINK (no
   * dump). `options`: `timeout`, `signal`. Throws ArgumentError for a bad
   * reference before sending, KernelError `ENODEV` when there is no such link.
   */
  async get(ref: LinkRef, options?: CallOptions): Promise<Link> {
    checkLinkRef(ref);
    return getLink(this.ctx.conn, ref, callOptions(options));
  }

  /**
   * add creates a link (RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL). Without
   * `netns` it resolves with the new Link as the kernel reports it (one more
   * RTM_GETLINK); with `netns` (created directly in another namespace, which
   * this handle cannot read) it resolves with undefined. `options`:
   * `timeout`, `signal` (for each request it makes). Throws ArgumentError for
   * invalid input before anything is sent, KernelError (`EEXIST`,
   * `EOPNOTSUPP` for a kind this kernel lacks, …).
   */
  add(spec: LinkSpec & { netns?: undefined }, options?: CallOptions): Promise<Link>;
  add(spec: LinkSpec & { netns: NetNsLike }, options?: CallOptions): Promise<undefined>;
  add(spec: LinkSpec, options?: CallOptions): Promise<Link | undefined>;
  async add(spec: LinkSpec, options?: CallOptions): Promise<Link | undefined> {
    checkLinkSpec(spec);
    const call = callOptions(options);
    await dryRun(() => this.message(spec, DRY_RUN), rtLink.encodeLinkMessage);
    const held: Array<{ close(): void }> = [];
    try {
      const message = await this.message(spec, { link: (ref) => this.ctx.linkIndex(ref, call), nsFd: (like) => nsFd(like, held) });
      await sendKind(this.ctx.conn, linkKind, 'new', message, NLM_F_CREATE | NLM_F_EXCL, `${spec.name} (${spec.kind})`, call);
    } finally {
      for (const h of held) h.close();
    }
    return spec.netns === undefined ? getLink(this.ctx.conn, spec.name, call) : undefined;
  }

  /**
   * set changes a link's settings in one RTM_NEWLINK; only the keys of
   * LINK_CHANGE_KEYS are taken. The link is always named by its own index or
   * name, never by group (index 0 is refused). A new `address` must have as
   * many octets as the link's current one (the link is looked up first).
   * `options`: `timeout`, `signal`. Throws ArgumentError before sending,
   * KernelError (ENODEV; EBUSY when renaming an up device on kernels before 6.2, …).
   */
  async set(ref: LinkRef, changes: LinkChanges, options?: CallOptions): Promise<void> {
    checkLinkRef(ref);
    checkLinkChanges(changes);
    const call = callOptions(options);
    let index: number;
    if (changes.address !== undefined) {
      // The kernel keeps the first addr_len octets of a longer address and refuses a shorter one: match the link's own length.
      const link = await getLink(this.ctx.conn, ref, call);
      const octets = link.mac === undefined || link.mac === '' ? 0 : link.mac.split(':').length;
      checkMac(changes.address, 'changes.address', [octets]);
      index = link.index;
    } else {
      index = await this.ctx.linkIndex(ref, call);
    }
    const attrs: LinkAttrs = {};
    if (changes.mtu !== undefined) attrs.mtu = changes.mtu;
    if (changes.address !== undefined) attrs.address = changes.address;
    if (changes.name !== undefined) attrs.ifname = changes.name;
    if (changes.txqlen !== undefined) attrs.txqlen = changes.txqlen;
    if (changes.alias !== undefined) attrs.ifalias = changes.alias;
    if (changes.group !== undefined) attrs.group = changes.group;
    if (changes.master !== undefined) attrs.master = changes.master === null ? 0 : await this.ctx.linkIndex(changes.master, call);
    const { flags, change } = deviceFlags(changes);
    await sendKind(this.ctx.conn, linkKind, 'new', { header: { ifiIndex: index, ifiFlags: flags, ifiChange: change }, attrs }, 0, `${JSON.stringify(ref)} (set)`, call);
  }

  /**
   * delete removes a link (a veth takes its peer with it). `options`:
   * `timeout`, `signal`. Throws ArgumentError before sending, KernelError ENODEV.
   */
  async delete(ref: LinkRef, options?: CallOptions): Promise<void> {
    checkLinkRef(ref);
    const call = callOptions(options);
    const index = await this.ctx.linkIndex(ref, call);
    await sendKind(this.ctx.conn, linkKind, 'del', { header: { ifiIndex: index }, attrs: {} }, 0, JSON.stringify(ref), call);
  }

  /**
   * move puts a device into another namespace under a (new) name in ONE
   * RTM_NEWLINK, carrying its permanent global addresses over, and either
   * completes or undoes everything it did. See `moveLink` for the steps.
   * Throws ArgumentError for a bad reference or option key before anything is done, MoveError.
   */
  async move(ref: LinkRef, options: MoveOptions): Promise<MoveResult> {
    checkLinkRef(ref);
    // The name and the namespace are checked by moveLink, whose MoveError (step 'validate') says nothing was changed.
    checkOptions(options, 'options', ['netns', 'name', 'down', 'timeout', 'signal']);
    if (!isRecord(options)) throw new ArgumentError('options', { expected: 'move options such as { netns: "ctr1" }', received: options });
    if (options.down !== undefined) checkBoolean(options.down, 'options.down');
    // moveLink is part of the services' file, not loaded on first use: a CNI plugin moves a
    // link in every run, and an import() cost that first move ~3 ms (Node's ES module loader,
    // ~0.7 ms an import() even of a one-line module), while ~7 kB more of functions never
    // called cost the services' load nothing measurable (V8 only pre-parses them).
    return moveLink(this.ctx, ref, options);
  }

  /** The RTM_NEWLINK message `add` sends, its references resolved by `resolve`. */
  private async message(spec: LinkSpec, resolve: Resolver): Promise<rtLink.LinkMessageInput> {
    const attrs = await this.commonAttrs(spec, resolve);
    // macvlan, ipvlan and vlan sit on a lower device, named in IFLA_LINK (any kind may name one).
    if (spec.parent !== undefined) attrs.link = await resolve.link(spec.parent);
    attrs.linkinfo = await this.linkinfo(spec, resolve);
    const flags = spec.up ? (['up'] as rtLink.IfinfoFlags[]) : [];
    return { header: { ifiFlags: flags, ifiChange: spec.up ? rtLink.IfinfoFlags.up : 0 }, attrs };
  }

  private async commonAttrs(spec: LinkCommon, resolve: Resolver): Promise<LinkAttrs> {
    const attrs: LinkAttrs = { ifname: spec.name };
    if (spec.mtu !== undefined) attrs.mtu = spec.mtu;
    if (spec.address !== undefined) attrs.address = spec.address;
    if (spec.txqlen !== undefined) attrs.txqlen = spec.txqlen;
    if (spec.alias !== undefined) attrs.ifalias = spec.alias;
    if (spec.group !== undefined) attrs.group = spec.group;
    if (spec.master !== undefined) attrs.master = await resolve.link(spec.master);
    if (spec.netns !== undefined) attrs.netNsFd = resolve.nsFd(spec.netns);
    return attrs;
  }

  /**
   * IFLA_LINKINFO: the kind and its data as the generated codec takes it — `data` and the
   * shorthands merged, then the sugar (veth peer, vxlan dev/group) turned into attributes.
   */
  private async linkinfo(spec: LinkSpec, resolve: Resolver): Promise<rtLink.LinkinfoAttrs> {
    const raw = (spec as { data?: unknown }).data;
    if (raw instanceof Uint8Array) return { kind: spec.kind, data: raw };
    const { data } = kindData(spec as unknown as Record<string, unknown>);
    if (data === undefined) return { kind: spec.kind };
    switch (spec.kind) {
      case 'veth': {
        const p = data.peer as VethPeer | undefined;
        if (!p) return { kind: 'veth' };
        const peer: LinkAttrs = {};
        if (p.name !== undefined) peer.ifname = p.name;
        if (p.address !== undefined) peer.address = p.address;
        if (p.mtu !== undefined) peer.mtu = p.mtu;
        if (p.netns !== undefined) peer.netNsFd = resolve.nsFd(p.netns);
        return { kind: 'veth', data: { peer: { header: {}, attrs: peer } } };
      }
      case 'vxlan': {
        const { dev, ...rest } = data;
        const out = stripVxlanSugar(rest) as rtLink.LinkinfoVxlanAttrs;
        if (dev !== undefined) out.link = await resolve.link(dev as LinkRef);
        return { kind: 'vxlan', data: out };
      }
      default:
        return { kind: spec.kind, data: data as rtLink.LinkinfoDataMsg };
    }
  }
}

/**
 * The device flags (IFF_*) a LinkChanges sets, as ifi_flags and the ifi_change
 * mask of the bits meant: a bit outside the mask is left as it is.
 */
function deviceFlags(changes: LinkChanges): { flags: rtLink.IfinfoFlags[]; change: number } {
  const flags: rtLink.IfinfoFlags[] = [];
  let change = 0;
  const put = (on: boolean | undefined, flag: rtLink.IfinfoFlags): void => {
    if (on === undefined) return;
    change |= rtLink.IfinfoFlags[flag];
    if (on) flags.push(flag);
  };
  put(changes.up, 'up');
  put(changes.promisc, 'promisc');
  put(changes.arp === undefined ? undefined : !changes.arp, 'no-arp');
  put(changes.allmulticast, 'all-multi');
  put(changes.multicast, 'multicast');
  return { flags, change };
}

/** Opens a namespace for its fd (IFLA_NET_NS_FD); the handle is closed by the caller via `held`. */
function nsFd(like: NetNsLike, held: Array<{ close(): void }>): number {
  const { ns, owned } = openNetNs(like);
  if (owned) held.push(ns);
  return ns.fd;
}
