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
import { FOREVER, Family, familyName, familyNumber, scopeName, type FamilyName, type Scope } from '../vocabulary.js';
import type { LinkRef } from '../context.js';
import type { ObjectKind } from '../kind.js';

type AddrAttrs = rtAddr.AddrAttrs;

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

  constructor(m: rtAddr.AddrMessage) {
    const h = m.header;
    const a = m.attrs;
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
  return new AddressObject(m);
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
