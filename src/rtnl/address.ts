/**
 * Addresses: list, add, replace and delete the IPv4 and IPv6 addresses of
 * one namespace's links. Requests are built with the generated rt-addr
 * codecs and sent through the registry's address kind
 * (src/registry/kinds/address.ts), which also defines `Address`.
 */
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkArray, checkOptions, checkString, isRecord, lookupName } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { checkEncodes } from '../netlink/writer.js';
import * as rtAddr from '../generated/rt-addr.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { listObjects, sendKind } from '../registry/kind.js';
import { addressKind, type Address, type AddressFilter } from '../registry/kinds/address.js';
import { FOREVER, Family, scopeNumber, type ScopeInput } from '../registry/vocabulary.js';
import { parseAddress, parsePrefix, type Prefix } from '../registry/prefix.js';
import { CALL_OPTION_KEYS, IFNAME_MAX_BYTES, checkLinkRef, checkUint, pickCall } from '../registry/validate.js';
import { flushAddresses, type AddressFlushFilter } from './address-flush.js';

type AddrAttrs = rtAddr.AddrAttrs;

/** Settings of a new (or replaced) address; absent ones are left to the kernel. Also takes the call's `timeout` and `signal`. */
export interface AddressOptions extends CallOptions {
  /** IFA_LABEL (IPv4 only), at most 15 bytes; `ip` wants it to start with the link's name (`veth0:a`). */
  label?: string;
  /** The remote end of a point-to-point link (IFA_ADDRESS); a `/n` on it sets the prefix length. */
  peer?: string;
  /** IPv4 broadcast address (IFA_BROADCAST); `true` computes it from the prefix (`ip`'s `brd +`; none for /31 and /32). */
  broadcast?: string | true;
  /** ifa_scope; default `host` for 127.0.0.0/8 and `global` otherwise, as `ip` does. IPv6 scopes are the kernel's choice. */
  scope?: ScopeInput;
  /** Valid lifetime in seconds (1 to 2^32-2; 0xffffffff is forever). Default forever. */
  validLifetime?: number;
  /** Preferred lifetime in seconds, at most the valid one. Default: the valid lifetime. */
  preferredLifetime?: number;
  /** Address flags: 'nodad', 'noprefixroute', 'homeaddress', 'managetempaddr', 'mcautojoin', 'optimistic'. */
  flags?: rtAddr.IfaFlags[];
  /** Metric of the prefix route the kernel adds (IFA_RT_PRIORITY). */
  metric?: number;
}

const ADDRESS_OPTION_KEYS = ['label', 'peer', 'broadcast', 'scope', 'validLifetime', 'preferredLifetime', 'flags', 'metric', ...CALL_OPTION_KEYS];

/** Options of `addresses.delete`. */
export interface AddressDeleteOptions extends CallOptions {
  /** The peer of a point-to-point address, to match it (IFA_ADDRESS). */
  peer?: string;
}

/** Addresses is `rtnl.addresses`: the IPv4 and IPv6 addresses of one namespace. */
export class Addresses {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps the addresses of this namespace (RTM_GETADDR); `filter` is
   * applied by the kernel and again here, so it always holds. `options`:
   * `timeout`, `signal`, `interrupted`, `maxAttempts`. Throws ArgumentError
   * for a bad filter (a family other than inet/inet6, index 0) before
   * sending, KernelError (ENODEV for a link index that does not exist).
   */
  async list(filter: AddressFilter = {}, options?: DumpOptions): Promise<Address[]> {
    return listObjects(this.ctx, addressKind, filter, options);
  }

  /**
   * add puts `address` (`10.1.0.2/24`, `2001:db8::2/64`; a bare address is a
   * host prefix) on a link (RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL).
   * Throws ArgumentError for invalid text or options before sending,
   * KernelError (`EEXIST` when it is already there, ENODEV, …).
   */
  async add(link: LinkRef, address: string, options: AddressOptions = {}): Promise<void> {
    await this.modify(link, address, options, NLM_F_CREATE | NLM_F_EXCL, '');
  }

  /**
   * replace adds the address or, when the link has it already, updates it
   * in place: lifetimes, flags, metric (RTM_NEWADDR with NLM_F_CREATE |
   * NLM_F_REPLACE). Throws as `add` does, save EEXIST.
   */
  async replace(link: LinkRef, address: string, options: AddressOptions = {}): Promise<void> {
    await this.modify(link, address, options, NLM_F_CREATE | NLM_F_REPLACE, '(replace) ');
  }

  /**
   * delete removes an address from a link (RTM_DELADDR). A bare IPv4 address
   * (no `/n`) matches whatever its prefix length, as `ip` does. Throws
   * ArgumentError for invalid text, KernelError `EADDRNOTAVAIL` when the link
   * has no such address.
   */
  async delete(link: LinkRef, address: string, options: AddressDeleteOptions = {}): Promise<void> {
    checkLinkRef(link);
    const o = checkOptions(options, 'options', ['peer', ...CALL_OPTION_KEYS]) as AddressDeleteOptions;
    const call = pickCall(o);
    const p = addressPrefix(address);
    const peer = o.peer === undefined ? undefined : parsePeer(o.peer, p.family);
    const index = await this.ctx.linkIndex(link, call);
    const attrs: AddrAttrs = { ifaLocal: p.address };
    // Without IFA_ADDRESS the IPv4 kernel matches IFA_LOCAL alone; IPv6 always needs the prefix.
    if (peer !== undefined || address.includes('/') || p.family === Family.inet6) attrs.ifaAddress = peer?.address ?? p.address;
    const length = peer?.length ?? p.length;
    const message = { header: { ifaFamily: p.family, ifaPrefixlen: length, ifaIndex: index }, attrs };
    await sendKind(this.ctx.conn, addressKind, 'del', message, 0, `${address} on ${JSON.stringify(link)}`, call);
  }

  /**
   * flush deletes every address matching `filter` (link, family, scope,
   * prefix), as `ip addr flush` does, and returns what was removed —
   * including IPv4 secondaries the kernel dropped with their primary. See
   * address-flush.ts. Throws ArgumentError for a bad filter (nothing sent),
   * KernelError, FlushIncompleteError.
   */
  flush(filter: AddressFlushFilter = {}, options?: CallOptions): Promise<Address[]> {
    return flushAddresses(this.ctx, filter, options);
  }

  private async modify(link: LinkRef, address: string, options: AddressOptions, flags: number, label: string): Promise<void> {
    checkLinkRef(link);
    // `add(dev, '10.0.0.1', 24)` would add a /32: the prefix length belongs in the text.
    if (!isRecord(options)) throw new ArgumentError('options', { expected: 'an options object (give the prefix length in the address: "10.0.0.1/24")', received: options });
    const o = checkOptions(options, 'options', ADDRESS_OPTION_KEYS) as AddressOptions;
    const { header, attrs } = buildAddress(address, o);
    const call = pickCall(o);
    header.ifaIndex = 1;
    checkEncodes(rtAddr.encodeAddrMessage, { header, attrs });
    header.ifaIndex = await this.ctx.linkIndex(link, call);
    await sendKind(this.ctx.conn, addressKind, 'new', { header, attrs }, flags, `${label}${address} on ${JSON.stringify(link)}`, call);
  }
}

/** A peer given with or without `/n`: its length is undefined when absent. */
function parsePeer(text: string, family: number): { address: string; length: number | undefined } {
  const p = parsePrefix(text, family, 'options.peer');
  if (p.family !== family) throw new ArgumentError('options.peer', { expected: "an address of the address's family", received: text });
  return { address: p.address, length: text.includes('/') ? p.length : undefined };
}

/** Flags that fit ifa_flags (u8); the rest need IFA_FLAGS (u32), sent only then, as `ip` does. */
const HEADER_FLAG_BITS = 0xff;

/** buildAddress validates an address and its options and returns the RTM_NEWADDR body (without ifa_index). */
function buildAddress(address: string, o: AddressOptions): rtAddr.AddrMessageInput {
  const p = addressPrefix(address);
  const v4 = p.family === Family.inet;
  const peer = o.peer === undefined ? undefined : parsePeer(o.peer, p.family);
  const length = peer?.length ?? p.length;
  const attrs: AddrAttrs = { ifaLocal: p.address, ifaAddress: peer?.address ?? p.address };
  if (o.label !== undefined) {
    checkString(o.label, 'options.label', { minBytes: 1, maxBytes: IFNAME_MAX_BYTES });
    if (!v4) throw new ArgumentError('options.label', { reason: 'IPv6 addresses have no labels' });
    attrs.ifaLabel = o.label;
  }
  if (o.broadcast !== undefined) {
    if (!v4) throw new ArgumentError('options.broadcast', { reason: 'IPv6 has no broadcast addresses' });
    if (o.broadcast === true) {
      if (length <= 30) attrs.ifaBroadcast = broadcastOf(p.bytes, length);
    } else {
      const b = parseAddress(o.broadcast, 'options.broadcast');
      if (b.family !== Family.inet) throw new ArgumentError('options.broadcast', { expected: 'true or an IPv4 address', received: o.broadcast });
      attrs.ifaBroadcast = b.address;
    }
  }
  if (o.validLifetime !== undefined || o.preferredLifetime !== undefined) {
    const valid = lifetime(o.validLifetime === undefined ? FOREVER : o.validLifetime, 'options.validLifetime');
    const preferred = o.preferredLifetime === undefined ? valid : lifetime(o.preferredLifetime, 'options.preferredLifetime');
    if (valid === 0) throw new ArgumentError('options.validLifetime', { expected: 'a number of seconds from 1, or Infinity', received: 0 });
    if (preferred > valid) throw new ArgumentError('options.preferredLifetime', { reason: `${preferred} is longer than validLifetime ${valid}` });
    attrs.ifaCacheinfo = { ifaPrefered: preferred, ifaValid: valid, cstamp: 0, tstamp: 0 };
  }
  let bits = 0;
  const flags = o.flags === undefined ? [] : (checkArray(o.flags, 'options.flags') as rtAddr.IfaFlags[]);
  for (const [i, f] of flags.entries()) bits |= lookupName(rtAddr.IfaFlags, f, `options.flags[${i}]`);
  if (bits & ~HEADER_FLAG_BITS) attrs.ifaFlags = flags;
  if (o.metric !== undefined) attrs.ifaRtPriority = checkUint(o.metric, 'options.metric', 0xffffffff);
  // The kernel picks IPv6 scopes itself; IPv4 takes ours, and `ip` makes loopback host-scoped.
  const scope = o.scope !== undefined ? scopeNumber(o.scope, 'options.scope') : v4 && p.bytes[0] === 127 ? scopeNumber('host') : 0;
  return {
    header: {
      ifaFamily: p.family,
      ifaPrefixlen: length,
      // With IFA_FLAGS sent, the kernel reads only it; `ip` then leaves ifa_flags 0, and so do we.
      ifaFlags: attrs.ifaFlags !== undefined ? [] : flags,
      ifaScope: scope,
    },
    attrs,
  };
}

/** addressPrefix parses an address with its prefix length (`10.1.0.2/24`, or a bare address: a host prefix); `default` is no address. Throws ArgumentError. */
function addressPrefix(address: string): Prefix {
  if (address === 'default' || address === 'all' || address === 'any') throw new ArgumentError('address', { expected: 'an address such as "10.1.0.2/24"', received: address });
  return parsePrefix(address, Family.inet, 'address');
}

/** The directed broadcast of an IPv4 prefix: the host bits all ones. */
function broadcastOf(bytes: Uint8Array, length: number): string {
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const hostBits = Math.min(8, Math.max(0, (i + 1) * 8 - length));
    out.push(bytes[i]! | ((1 << hostBits) - 1));
  }
  return out.join('.');
}

function lifetime(n: number, what: string): number {
  if (n === Infinity) return FOREVER;
  return checkUint(n, what, 0xffffffff);
}
