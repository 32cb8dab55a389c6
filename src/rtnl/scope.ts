/**
 * Scopes (RT_SCOPE_*): how far an address or route reaches. Shared by
 * addresses (ifa_scope) and routes (rtm_scope). Names are `ip`'s: the kernel's
 * RT_SCOPE_UNIVERSE is reported as `global`, as `ip` prints it; `universe` is
 * accepted on input as another name for it.
 */
import { checkInteger, lookupName } from '../netlink/args.js';

/** Scope numbers by name, with the kernel's names beside them. */
export const ScopeNumber = {
  /** RT_SCOPE_UNIVERSE (`ip`: global): reaches everywhere. */
  global: 0,
  /** RT_SCOPE_UNIVERSE under the kernel's name; accepted on input, reported as `global`. */
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

/** A scope name as nlkit reports it: 'global', 'site', 'link', 'host' or 'nowhere'. */
export type Scope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

/** A scope as nlkit accepts it: a reported name, 'universe' (the kernel's name for global), or a number 0–255. */
export type ScopeInput = Scope | 'universe' | number;

const SCOPE_NAMES: Readonly<Record<number, Scope>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

/** scopeName maps RT_SCOPE_* to its name as `ip` prints it, or keeps the number (user-defined scopes 1–199). */
export function scopeName(n: number): Scope | number {
  return SCOPE_NAMES[n] ?? n;
}

/**
 * scopeNumber maps a scope name ('global' or its alias 'universe', 'site',
 * 'link', 'host', 'nowhere') or a number 0–255 to RT_SCOPE_*. Throws
 * ArgumentError naming `argument` on anything else.
 */
export function scopeNumber(scope: ScopeInput, argument = 'scope'): number {
  if (typeof scope === 'number') return checkInteger(scope, argument, 0, 255);
  return lookupName(ScopeNumber, scope, argument, 'or a number 0-255');
}
