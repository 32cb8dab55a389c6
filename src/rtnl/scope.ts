/**
 * Scopes (RT_SCOPE_*): how far an address or route reaches. Shared by
 * addresses (ifa_scope) and routes (rtm_scope). `ip` prints `universe` as
 * `global`; both names are accepted on input.
 */
import { checkInteger, lookupName } from '../netlink/args.js';

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
 * number 0–255 to RT_SCOPE_*. Throws ArgumentError naming `argument` on
 * anything else.
 */
export function scopeNumber(scope: Scope | 'global' | number, argument = 'scope'): number {
  if (typeof scope === 'number') return checkInteger(scope, argument, 0, 255);
  if (scope === 'global') return ScopeNumber.universe;
  return lookupName(ScopeNumber, scope, argument, 'global, or a number 0-255');
}
