/**
 * tc handles: the 32-bit names of qdiscs, classes and the places filters
 * attach to, written as tc writes them — `major:minor` in hexadecimal
 * (`'1:'` is qdisc 1, `'1:10'` its class 0x10) — and the special parents
 * `root`, `ingress`, `clsact`, and a clsact's `ingress`/`egress` hooks.
 *
 *   31            16 15             0
 *  +----------------+----------------+
 *  |     major      |     minor      |    TC_H_MAKE(maj, min)
 *  +----------------+----------------+
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkInteger } from '../../netlink/args.js';

/** TC_H_UNSPEC: no handle (the kernel picks one for a new qdisc). */
export const TC_H_UNSPEC = 0;
/** TC_H_ROOT: the device's root (egress) qdisc. */
export const TC_H_ROOT = 0xffffffff;
/** TC_H_INGRESS (also TC_H_CLSACT): the parent of the ingress and clsact qdiscs. */
export const TC_H_INGRESS = 0xfffffff1;
/** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): a clsact's (or ingress qdisc's) ingress hook, for filters. */
export const TC_H_CLSACT_INGRESS = 0xfffffff2;
/** TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS): a clsact's egress hook, for filters. */
export const TC_H_CLSACT_EGRESS = 0xfffffff3;
/** The handle the kernel gives ingress and clsact qdiscs (`ffff:`). */
export const INGRESS_HANDLE = 0xffff0000;

/** A tc handle: `'maj:min'` in hex as tc writes it (`'1:'`, `'1:10'`), or the 32-bit number. */
export type Handle = string | number;

/** Where a qdisc attaches: the root, the ingress hook (ingress and clsact qdiscs), or a class (`'1:10'`). */
export type QdiscParent = 'root' | 'ingress' | 'clsact' | Handle;

/** Where a filter attaches: a qdisc or class (`'1:'`, `'1:10'`), or a clsact's (or ingress qdisc's) `ingress`/`egress` hook. */
export type FilterParent = 'root' | 'ingress' | 'egress' | Handle;

/**
 * parseHandle reads a handle: a number (0 to 2^32-1, taken as is) or tc's
 * `maj:min` text, each part hexadecimal and at most ffff, either part may be
 * empty (`'1:'`, `':10'`). Throws ArgumentError naming `argument`.
 */
export function parseHandle(value: unknown, argument: string): number {
  if (typeof value === 'number') return checkInteger(value, argument, 0, 0xffffffff);
  if (typeof value !== 'string') throw new ArgumentError(argument, { expected: "a handle such as '1:' or '1:10', or a 32-bit number", received: value });
  const m = /^([0-9a-fA-F]{0,4}):([0-9a-fA-F]{0,4})$/.exec(value);
  if (m === null) throw new ArgumentError(argument, { expected: "a handle 'major:minor' in hex such as '1:' or '1:10' (each part at most ffff)", received: value });
  return makeHandle(m[1] === '' ? 0 : parseInt(m[1]!, 16), m[2] === '' ? 0 : parseInt(m[2]!, 16));
}

/** makeHandle is TC_H_MAKE: `major` in the upper 16 bits, `minor` in the lower. */
export function makeHandle(major: number, minor: number): number {
  return ((major << 16) | minor) >>> 0;
}

/** formatHandle writes a handle as tc does: `'1:'`, `'1:10'`, `'ffff:fff1'` (hex, no leading zeros, minor left out when 0). */
export function formatHandle(handle: number): string {
  const major = handle >>> 16;
  const minor = handle & 0xffff;
  return `${major.toString(16)}:${minor === 0 ? '' : minor.toString(16)}`;
}

/** The qdisc parents by name. */
const QDISC_PARENTS: Readonly<Record<string, number>> = { root: TC_H_ROOT, ingress: TC_H_INGRESS, clsact: TC_H_INGRESS };
/** The filter parents by name: tc's `root`, `ingress` and `egress` keywords. */
const FILTER_PARENTS: Readonly<Record<string, number>> = { root: TC_H_ROOT, ingress: TC_H_CLSACT_INGRESS, egress: TC_H_CLSACT_EGRESS };

/** parseQdiscParent reads a qdisc's (or class's) parent: 'root', 'ingress', 'clsact' or a handle. Throws ArgumentError. */
export function parseQdiscParent(value: unknown, argument: string): number {
  if (typeof value === 'string' && Object.hasOwn(QDISC_PARENTS, value)) return QDISC_PARENTS[value]!;
  return parseNamedHandle(value, argument, "'root', 'ingress', 'clsact'");
}

/** parseFilterParent reads a filter's parent: 'root', 'ingress', 'egress' (a clsact's hooks) or a handle. Throws ArgumentError. */
export function parseFilterParent(value: unknown, argument: string): number {
  if (typeof value === 'string' && Object.hasOwn(FILTER_PARENTS, value)) return FILTER_PARENTS[value]!;
  return parseNamedHandle(value, argument, "'root', 'ingress', 'egress'");
}

function parseNamedHandle(value: unknown, argument: string, names: string): number {
  if (typeof value === 'string' && !value.includes(':')) throw new ArgumentError(argument, { expected: `${names} or a handle such as '1:' or '1:10'`, received: value });
  return parseHandle(value, argument);
}

/** qdiscParentName writes a qdisc's (or class's) tcm_parent: 'root', 'ingress'/'clsact' (by the qdisc's kind), or a handle. */
export function qdiscParentName(parent: number, kind: string | undefined): string {
  if (parent === TC_H_ROOT) return 'root';
  if (parent === TC_H_INGRESS) return kind === 'clsact' ? 'clsact' : 'ingress';
  return formatHandle(parent);
}

/** filterParentName writes a filter's tcm_parent: 'root', 'ingress', 'egress' or a handle. */
export function filterParentName(parent: number): string {
  if (parent === TC_H_ROOT) return 'root';
  if (parent === TC_H_CLSACT_INGRESS) return 'ingress';
  if (parent === TC_H_CLSACT_EGRESS) return 'egress';
  return formatHandle(parent);
}
