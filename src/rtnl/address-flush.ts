/**
 * Flushing addresses: delete every address that matches a filter, the way
 * `ip addr flush` does it.
 *
 * A list-then-delete loop is not enough for IPv4: deleting a primary
 * address takes its secondaries (same subnet) with it, unless the link's
 * `promote_secondaries` sysctl is set, in which case one of them becomes
 * the new primary instead. So, like iproute2, a flush works in rounds:
 *
 *   dump (filtered) ──▶ nothing matches? ──▶ done
 *        ▲                   │ no
 *        │                   ▼
 *        └──── RTM_DELADDR for each match (one batch);
 *              EADDRNOTAVAIL = it already went with its primary
 *
 * A promoted secondary is deleted by its own request in the same batch
 * (the kernel matches IFA_LOCAL and the prefix, not the flags); the next
 * dump proves nothing matching is left.
 */
import type { CallOptions, Request } from '../netlink/connection.js';
import { ArgumentError, KernelError } from '../netlink/errors.js';
import { FlushIncompleteError } from './errors.js';
import * as rtAddr from '../generated/rt-addr.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { kindRequest } from '../registry/kind.js';
import { addressFromMessage, addressKind, type Address } from '../registry/kinds/address.js';
import { parsePrefix } from '../registry/prefix.js';
import { checkLinkRef } from '../registry/validate.js';
import { checkKeys, hasName, isRecord } from '../netlink/args.js';
import { Family, scopeNumber, type ScopeInput } from '../registry/vocabulary.js';

/** EADDRNOTAVAIL: the kernel's answer to deleting an address the link no longer has. */
const EADDRNOTAVAIL = 99;

/** iproute2 gives up after 10 rounds too (`max_flush_loops`). */
const MAX_ROUNDS = 10;

/** Which addresses `addresses.flush` deletes; every field narrows, none means all of the namespace. */
export interface AddressFlushFilter {
  /** Only addresses of this link (`ip addr flush dev LINK`). */
  link?: LinkRef;
  /** Only this family: 'inet' (`ip -4`) or 'inet6' (`ip -6`). */
  family?: 'inet' | 'inet6' | 'all';
  /** Only addresses of this scope (`scope SCOPE`): 'global' (or 'universe'), 'site', 'link', 'host', or a number 0-255. */
  scope?: ScopeInput;
  /** Only addresses inside this prefix (`to PREFIX`): `10.0.0.0/8`, `2001:db8::/32`; a bare address matches itself. */
  to?: string;
}

/** A checked filter: numbers, ready to compare with dumped headers. */
interface FlushMatch {
  link: LinkRef | undefined;
  family: number;
  scope: number | undefined;
  to: { family: number; bytes: Uint8Array; length: number } | undefined;
}

/**
 * flushAddresses deletes every address matching `filter` in the namespace
 * of `ctx` and returns them as they were before deletion (including IPv4
 * secondaries the kernel removed together with their primary), in the order
 * they were first dumped. Throws ArgumentError for a bad filter (nothing
 * sent), KernelError for a refused dump or deletion (ENODEV for a link that
 * does not exist; a deletion answered with anything but EADDRNOTAVAIL),
 * FlushIncompleteError after 10 rounds.
 */
export async function flushAddresses(ctx: RtnlContext, filter: AddressFlushFilter, options: CallOptions = {}): Promise<Address[]> {
  const match = checkFilter(filter);
  const index = match.link === undefined ? 0 : await ctx.linkIndex(match.link);
  const removed = new Map<string, Address>();
  let remaining: rtAddr.AddrMessage[] = [];
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const { items } = await ctx.conn.dump(
      kindRequest(addressKind, 'get', { header: { ifaFamily: match.family, ifaIndex: index }, attrs: {} }, undefined, '(flush)'),
      addressKind.decode,
      options,
    );
    remaining = items.filter((m) => matches(m, match));
    if (remaining.length === 0) return [...removed.values()];
    if (round === MAX_ROUNDS) break;
    const outcomes = await ctx.conn.batch(remaining.map(deleteRequest), undefined, options);
    outcomes.forEach((outcome, i) => {
      const m = remaining[i]!;
      if (!outcome.ok && !(outcome.error instanceof KernelError && outcome.error.errno === EADDRNOTAVAIL)) throw outcome.error;
      const key = addressKey(m);
      if (!removed.has(key)) removed.set(key, addressFromMessage(m));
    });
  }
  throw new FlushIncompleteError(MAX_ROUNDS, [...removed.values()], remaining.map(addressFromMessage));
}

/** The RTM_DELADDR for a dumped address: its own IFA_LOCAL/IFA_ADDRESS and prefix length identify it exactly. */
function deleteRequest(m: rtAddr.AddrMessage): Request {
  const h = m.header;
  const attrs: rtAddr.AddrAttrs = {};
  if (m.attrs.ifaLocal !== undefined) attrs.ifaLocal = m.attrs.ifaLocal;
  if (m.attrs.ifaAddress !== undefined) attrs.ifaAddress = m.attrs.ifaAddress;
  const message = { header: { ifaFamily: h.ifaFamily, ifaPrefixlen: h.ifaPrefixlen, ifaIndex: h.ifaIndex }, attrs };
  return kindRequest(addressKind, 'del', message, undefined, `${m.attrs.ifaLocal ?? m.attrs.ifaAddress}/${h.ifaPrefixlen} (flush)`);
}

/** One address's identity across rounds (a promoted secondary keeps it; its flags change). */
function addressKey(m: rtAddr.AddrMessage): string {
  return `${m.header.ifaFamily} ${m.header.ifaIndex} ${m.attrs.ifaLocal ?? ''} ${m.attrs.ifaAddress ?? ''}/${m.header.ifaPrefixlen}`;
}

function matches(m: rtAddr.AddrMessage, f: FlushMatch): boolean {
  const h = m.header;
  // The kernel filters by link and family already (strict dumps); these guard an old kernel that ignores them.
  if (f.family !== 0 && h.ifaFamily !== f.family) return false;
  if (f.scope !== undefined && h.ifaScope !== f.scope) return false;
  if (f.to !== undefined) {
    const own = m.attrs.ifaLocal ?? m.attrs.ifaAddress;
    if (h.ifaFamily !== f.to.family || own === undefined) return false;
    if (!inPrefix(parsePrefix(own).bytes, f.to.bytes, f.to.length)) return false;
  }
  return true;
}

/** inPrefix tells whether the first `length` bits of `address` equal those of `prefix`. */
function inPrefix(address: Uint8Array, prefix: Uint8Array, length: number): boolean {
  for (let bit = 0; bit < length; bit += 8) {
    const i = bit >> 3;
    const mask = length - bit >= 8 ? 0xff : (0xff << (8 - (length - bit))) & 0xff;
    if ((address[i]! & mask) !== (prefix[i]! & mask)) return false;
  }
  return true;
}

const FILTER_KEYS = ['link', 'family', 'scope', 'to'];

/** checkFilter validates a flush filter before anything is sent; throws ArgumentError naming the field. */
function checkFilter(filter: unknown): FlushMatch {
  if (!isRecord(filter)) throw new ArgumentError('filter', { expected: 'an object such as { link: "eth0", family: "inet" }', received: filter });
  checkKeys(filter, 'filter', FILTER_KEYS);
  const f = filter as AddressFlushFilter;
  const link = f.link === undefined ? undefined : checkLinkRef(f.link, 'filter.link');
  const family = f.family === undefined || f.family === 'all' ? 0 : hasName(Family, f.family) ? Family[f.family] : undefined;
  if (family === undefined || (family !== 0 && family !== Family.inet && family !== Family.inet6)) {
    throw new ArgumentError('filter.family', { expected: "'inet', 'inet6' or 'all'", received: f.family });
  }
  const scope = f.scope === undefined ? undefined : scopeNumber(f.scope, 'filter.scope');
  let to: FlushMatch['to'];
  if (f.to !== undefined) {
    if (typeof f.to !== 'string') throw new ArgumentError('filter.to', { expected: 'a prefix such as "10.0.0.0/8"', received: f.to });
    let p;
    try {
      p = parsePrefix(f.to);
    } catch {
      throw new ArgumentError('filter.to', { expected: 'a prefix such as "10.0.0.0/8" or "2001:db8::/32"', received: f.to });
    }
    if (family !== 0 && p.family !== family) throw new ArgumentError('filter.to', { reason: `${JSON.stringify(f.to)} is not of family ${String(f.family)}` });
    to = { family: p.family, bytes: p.bytes, length: p.length };
  }
  return { link, family: family === 0 && to !== undefined ? to.family : family, scope, to };
}
