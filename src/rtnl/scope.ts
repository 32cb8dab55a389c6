/**
 * Scopes (RT_SCOPE_*): how far an address or route reaches. Shared by
 * addresses (ifa_scope) and routes (rtm_scope). `ip` prints `universe` as
 * `global`; both names are accepted on input.
 */
import { EncodeError } from '../netlink/errors.js';

/** Scope numbers by name, with the kernel's names beside them. */
export const ScopeNumber = {
  /** RT_SCOPE_UNIVERSE (`ip`: global) */
  universe: 0,
  /** RT_SCOPE_SITE */
  site: 200,
  /** RT_SCOPE_LINK */
  link: 253,
  /** RT_SCOPE_HOST */
  host: 254,
  /** RT_SCOPE_NOWHERE */
  nowhere: 255,
} as const;

/** A scope name: 'universe', 'site', 'link', 'host' or 'nowhere'. */
export type Scope = keyof typeof ScopeNumber;

const SCOPE_NAMES: Readonly<Record<number, Scope>> = { 0: 'universe', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** scopeName maps RT_SCOPE_* to its name, or keeps the number (user-defined scopes 1–199). */
export function scopeName(n: number): Scope | number {
  return SCOPE_NAMES[n] ?? n;
}

/**
 * scopeNumber maps a scope name (or `global`, `ip`'s word for universe) or a
 * number 0–255 to RT_SCOPE_*. Throws EncodeError on anything else.
 */
export function scopeNumber(scope: Scope | 'global' | number): number {
  if (typeof scope === 'number') {
    if (!Number.isInteger(scope) || scope < 0 || scope > 255) throw new EncodeError(`scope ${scope} is not a number 0-255`);
    return scope;
  }
  if (scope === 'global') return ScopeNumber.universe;
  const n = (ScopeNumber as Record<string, number>)[scope];
  if (n === undefined) throw new EncodeError(`unknown scope ${JSON.stringify(scope)} (use ${Object.keys(ScopeNumber).join(', ')}, or a number)`);
  return n;
}
