/**
 * The address kind: IPv4 and IPv6 addresses of links (RTM_NEWADDR /
 * RTM_DELADDR / RTM_GETADDR), the plain `Address`, and what `list()`
 * filters by.
 *
 * IPv4 keeps the interface's own address in IFA_LOCAL and the peer (or the
 * same address again) in IFA_ADDRESS; IPv6 sends only IFA_ADDRESS unless
 * there is a peer, and then IFA_LOCAL is its own. `Address.address` is
 * always the interface's own.
 */
import * as rtAddr from '../../generated/rt-addr.js';
import { ArgumentError } from '../../netlink/errors.js';
import { JsonReady } from '../../codec/json.js';
import { decodeFlags, flagBits } from '../../codec/support.js';
import { readBytes, readString, readU32, readU8 } from '../../netlink/reader.js';
import { formatIP } from '../../netlink/format.js';
import { FOREVER, Family, familyName, familyNumber, scopeName, type FamilyName, type Scope } from '../vocabulary.js';
import type { LinkRef } from '../context.js';
import type { ObjectKind } from '../kind.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtAddr.attributePathAt);

type AddrAttrs = rtAddr.AddrAttrs;
/** The fields of struct ifaddrmsg an Address reads. */
type AddressHeader = Pick<rtAddr.Ifaddrmsg, 'ifaFamily' | 'ifaPrefixlen' | 'ifaFlags' | 'ifaScope' | 'ifaIndex'>;

/** An IP address on a link, as the kernel describes it. */
export interface Address {
  /** 'inet', 'inet6', or the AF_* number (ifa_family). */
  family: FamilyName | number;
  /** Interface index (ifa_index). */
  link: number;
  /** The interface's own address: IFA_LOCAL when sent, else IFA_ADDRESS. */
  address: string;
  /** Prefix length in bits (ifa_prefixlen). */
  prefixLength: number;
  /** IFA_LOCAL as sent (IPv4 always; IPv6 only with a peer). */
  local: string | undefined;
  /** The other end of a point-to-point address: IFA_ADDRESS when it differs from IFA_LOCAL. */
  peer: string | undefined;
  /** IFA_BROADCAST (IPv4). */
  broadcast: string | undefined;
  /** ifa_scope by name as `ip` prints it ('global', 'link', 'host', …), or the number. */
  scope: Scope | number;
  /** IFA_LABEL (IPv4), e.g. `veth0:a`. */
  label: string | undefined;
  /** IFA_FLAGS (all 32 bits) when sent, else the 8 of ifa_flags: 'permanent', 'secondary', 'tentative', 'nodad', …; unknown bits as a number. */
  flags: Array<rtAddr.IfaFlags | number>;
  /** IFA_F_PERMANENT: no lifetimes (`ip` prints `dynamic` when this is false). */
  permanent: boolean;
  /** Seconds left of the valid lifetime (IFA_CACHEINFO); undefined means forever. */
  validLifetime: number | undefined;
  /** Seconds left of the preferred lifetime (IFA_CACHEINFO); undefined means forever. */
  preferredLifetime: number | undefined;
  /** Metric of the prefix route the kernel adds (IFA_RT_PRIORITY). */
  metric: number | undefined;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: AddrAttrs;
}

/**
 * AddressObject: an Address as a class instance, its fields assigned in one
 * order so that every address has one shape, with JsonReady at the end of
 * its prototype chain (as the other kinds' `__proto__: JsonReady` literals
 * have it). A literal's `__proto__` is a prototype change per object; a
 * listing of thousands of addresses paid for it (hot `addresses.list()` of
 * 10,002: 9.6 -> 7.8 ms, interleaved).
 */
class AddressObject {
  // Declared only (nothing emitted): assigned in the constructor, in this order.
  declare family: Address['family'];
  declare link: Address['link'];
  declare address: Address['address'];
  declare prefixLength: Address['prefixLength'];
  declare local: Address['local'];
  declare peer: Address['peer'];
  declare broadcast: Address['broadcast'];
  declare scope: Address['scope'];
  declare label: Address['label'];
  declare flags: Address['flags'];
  declare permanent: Address['permanent'];
  declare validLifetime: Address['validLifetime'];
  declare preferredLifetime: Address['preferredLifetime'];
  declare metric: Address['metric'];
  declare attrs: Address['attrs'];

  constructor(h: AddressHeader, a: AddrAttrs) {
    const local = a.ifaLocal;
    const flags = a.ifaFlags ?? h.ifaFlags;
    const ci = a.ifaCacheinfo;
    this.family = familyName(h.ifaFamily);
    this.link = h.ifaIndex;
    this.address = local ?? a.ifaAddress ?? '';
    this.prefixLength = h.ifaPrefixlen;
    this.local = local;
    this.peer = local !== undefined && a.ifaAddress !== undefined && a.ifaAddress !== local ? a.ifaAddress : undefined;
    this.broadcast = a.ifaBroadcast;
    this.scope = scopeName(h.ifaScope);
    this.label = a.ifaLabel;
    this.flags = flags;
    this.permanent = flags.includes('permanent');
    this.validLifetime = ci === undefined || ci.ifaValid === FOREVER ? undefined : ci.ifaValid;
    this.preferredLifetime = ci === undefined || ci.ifaPrefered === FOREVER ? undefined : ci.ifaPrefered;
    this.metric = a.ifaRtPriority;
    this.attrs = a;
  }
}
Object.setPrototypeOf(AddressObject.prototype, JsonReady);

/** addressFromMessage turns a decoded RTM_NEWADDR into an Address. */
export function addressFromMessage(m: rtAddr.AddrMessage): Address {
  return new AddressObject(m.header, m.attrs);
}

/** An empty attribute list. */
const NO_ATTRIBUTES = new DataView(new ArrayBuffer(0));

const AF_INET = 2;

/**
 * The attributes of an RTM_NEWADDR in the order the kernel writes them
 * (inet_fill_ifaddr for IPv4, inet6_fill_ifaddr for IPv6; the generated
 * decoder's ranks, which test/rtnl/lazy.test.ts checks these against). A
 * message in that order, with no flag bits on its types, is one the
 * generated decoder gives no `order` for.
 */
export const ADDR_IN_ORDER: { readonly inet: readonly number[]; readonly inet6: readonly number[] } = (() => {
  const A = rtAddr.AddrAttr;
  return {
    inet: [A.ifaTargetNetnsid, A.ifaAddress, A.ifaLocal, A.ifaBroadcast, A.ifaLabel, A.ifaProto, A.ifaFlags, A.ifaRtPriority, A.ifaCacheinfo, A.ifaAnycast, A.ifaMulticast],
    inet6: [A.ifaAddress, A.ifaLocal, A.ifaBroadcast, A.ifaLabel, A.ifaRtPriority, A.ifaCacheinfo, A.ifaFlags, A.ifaProto, A.ifaAnycast, A.ifaMulticast, A.ifaTargetNetnsid],
  };
})();
/** Rank (1…) of each attribute by number, for IPv4 and for every other family; 0: none. */
const rankOf = (order: readonly number[]) => {
  const rank = new Uint8Array(Math.max(...order) + 1);
  order.forEach((t, i) => (rank[t] = i + 1));
  return rank;
};
const RANK_INET = rankOf(ADDR_IN_ORDER.inet);
const RANK_OTHER = rankOf(ADDR_IN_ORDER.inet6);

/** IFA_F_* by bit, as the generated decoder names them (the IfaFlags values are the masks). */
const IFA_FLAG_BITS = flagBits(rtAddr.IfaFlags);

/**
 * readCacheinfo is the generated readIfaCacheinfo for the 16 bytes the kernel sends, with
 * its lifetimes stored so that "forever" (0xFFFFFFFF, every permanent address's two) is one
 * shared number: a uint32 above 2^31 is a heap number in V8, and a field that has only ever
 * held numbers keeps a box of its own per object, 2 per address. Fields that start as
 * undefined hold references instead, and FOREVER is a constant.
 */
function readCacheinfo(view: DataView, s: number, e: number): rtAddr.IfaCacheinfo {
  if (e - s !== 16) return rtAddr.readIfaCacheinfo(view, s, e);
  const c: rtAddr.IfaCacheinfo = { ifaPrefered: undefined as unknown as number, ifaValid: undefined as unknown as number, cstamp: 0, tstamp: 0, trailing: undefined };
  const prefered = view.getUint32(s, true);
  const valid = view.getUint32(s + 4, true);
  c.ifaPrefered = prefered === FOREVER ? FOREVER : prefered;
  c.ifaValid = valid === FOREVER ? FOREVER : valid;
  c.cstamp = view.getUint32(s + 8, true);
  c.tstamp = view.getUint32(s + 12, true);
  return c;
}

/** The header addressFromWire reads each message's into: one, reused (AddressObject copies what it keeps). */
const header: AddressHeader = { ifaFamily: 0, ifaPrefixlen: 0, ifaFlags: [], ifaScope: 0, ifaIndex: 0 };

/**
 * addressFromWire is the address kind's wire converter (ObjectKind
 * `fromWire`): for a message whose attributes come in the kernel's order
 * (every one the kernel sends), the Address and its `attrs` read straight
 * from the wire with the generated readers, exactly what the generated
 * decoder gives, without its message object and its order bookkeeping.
 * Undefined for anything else (the generated decoder then takes it).
 */
function addressFromWire(view: DataView, start: number, end: number): Address | undefined {
  if (end - start < rtAddr.IfaddrmsgSize) return undefined;
  const family = view.getUint8(start);
  const rank = family === AF_INET ? RANK_INET : RANK_OTHER;
  const A = rtAddr.AddrAttr;
  // The generated decoder's own object, every field undefined, in its order (from no attributes).
  const a = rtAddr.decodeAddrAttrs(NO_ATTRIBUTES, 0, 0);
  let last = 0;
  try {
    for (let p = start + rtAddr.IfaddrmsgSize; p < end; ) {
      if (end - p < 4) return undefined;
      const len = view.getUint16(p, true);
      const t = view.getUint16(p + 2, true);
      if (len < 4 || len > end - p) return undefined;
      const r = t < rank.length ? rank[t]! : 0;
      if (r <= last) return undefined;
      last = r;
      const s = p + 4;
      const e = p + len;
      // IPv4 sends its own address twice (IFA_LOCAL and IFA_ADDRESS): formatIP's cache of recent
      // addresses gives both the same string.
      if (t === A.ifaAddress) a.ifaAddress = formatIP(view, s, e);
      else if (t === A.ifaLocal) a.ifaLocal = formatIP(view, s, e);
      else if (t === A.ifaLabel) a.ifaLabel = readString(view, s, e);
      else if (t === A.ifaBroadcast) a.ifaBroadcast = formatIP(view, s, e);
      else if (t === A.ifaCacheinfo) a.ifaCacheinfo = readCacheinfo(view, s, e);
      else if (t === A.ifaFlags) a.ifaFlags = decodeFlags(readU32(view, s, e), IFA_FLAG_BITS);
      else if (t === A.ifaRtPriority) a.ifaRtPriority = readU32(view, s, e);
      else if (t === A.ifaProto) a.ifaProto = readU8(view, s, e);
      else if (t === A.ifaAnycast) a.ifaAnycast = readBytes(view, s, e);
      else if (t === A.ifaMulticast) a.ifaMulticast = readBytes(view, s, e);
      else a.ifaTargetNetnsid = readBytes(view, s, e);
      p += (len + 3) & ~3;
    }
  } catch {
    return undefined;
  }
  // struct ifaddrmsg: family, prefixlen, flags (u8), scope, index (u32). The u8 flags count only without IFA_FLAGS.
  header.ifaFamily = family;
  header.ifaPrefixlen = view.getUint8(start + 1);
  header.ifaFlags = a.ifaFlags ?? decodeFlags(view.getUint8(start + 2), IFA_FLAG_BITS);
  header.ifaScope = view.getUint8(start + 3);
  header.ifaIndex = view.getUint32(start + 4, true);
  return new AddressObject(header, a);
}

/**
 * Filters of `addresses.list`. The kernel applies them (strict checking);
 * they hold client-side too, so what `list` returns always matches.
 */
export interface AddressFilter {
  /** Only addresses of this link (ifa_index). The kernel answers ENODEV when there is no such link. */
  link?: LinkRef;
  /** Only this family (ifa_family): 'inet' or 'inet6' (the kernel would ignore any other and dump all). */
  family?: FamilyName | number;
}

/** addressKind declares addresses to the registry. */
export const addressKind: ObjectKind<{ kind: 'address'; plural: 'addresses'; groups: 'ipv4-addr' | 'ipv6-addr' }, rtAddr.AddrMessage, rtAddr.AddrMessageInput, Address> = {
  kind: 'address',
  plural: 'addresses',
  doc: 'IP addresses (rt.addresses.list)',
  types: { new: rtAddr.RequestType.newaddr, del: rtAddr.RequestType.deladdr, get: rtAddr.RequestType.getaddr },
  names: { new: 'RTM_NEWADDR', del: 'RTM_DELADDR', get: 'RTM_GETADDR' },
  decode: rtAddr.decodeAddrMessage,
  encode: rtAddr.encodeAddrMessage,
  convert: addressFromMessage,
  fromWire: addressFromWire,
  // IPv4 refuses a second address with the same local address, prefix and
  // peer prefix on one device (__inet_insert_ifa); IPv6 one with the same
  // address. IFA_ADDRESS is the peer (or the local address again).
  key: (m) => `${m.header.ifaIndex} ${m.header.ifaFamily} ${m.attrs.ifaLocal ?? m.attrs.ifaAddress ?? ''}/${m.header.ifaPrefixlen} ${m.attrs.ifaAddress ?? ''}`,
  families: [Family.inet, Family.inet6],
  defaultFamilies: [Family.inet, Family.inet6],
  groups: [
    { name: 'ipv4-addr', group: rtAddr.McastGroup['rtnlgrp-ipv4-ifaddr'], family: Family.inet },
    { name: 'ipv6-addr', group: rtAddr.McastGroup['rtnlgrp-ipv6-ifaddr'], family: Family.inet6 },
  ],
  volatile: new Set(['ifaCacheinfo', 'validLifetime', 'preferredLifetime', 'order']),
  dump: (family) => ({ header: { ifaFamily: family }, attrs: {} }),
  filters: {
    family: {
      check: (v, argument) => {
        const family = familyNumber(v as FamilyName | number | undefined, argument);
        if (family === Family.all) return undefined;
        // Only inet and inet6 have an RTM_GETADDR dump; for any other family the kernel dumps every family.
        if (family !== Family.inet && family !== Family.inet6) {
          throw new ArgumentError(argument, { expected: "'inet' or 'inet6' (addresses exist in no other family)", received: v });
        }
        return family;
      },
      kernel: (r, family: number) => void (r.header.ifaFamily = family),
      holds: (a, family: number) => a.family === familyName(family),
    },
    link: {
      link: true,
      kernel: (r, index) => void (r.header.ifaIndex = index),
      holds: (a, index) => a.link === index,
    },
  },
};
