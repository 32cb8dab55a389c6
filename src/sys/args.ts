/**
 * Run-time checks of what callers pass to public entry points (rtnl, genl,
 * netns). Plain JavaScript callers have no type checker, so every value that
 * steers a request is checked here before anything is sent, and a wrong one
 * is an ArgumentError naming the parameter, what is accepted and what came.
 *
 * One way to check each thing: services call these instead of writing their
 * own `typeof` tests, so messages read the same everywhere.
 */
import { ArgumentError } from './errors.js';

/** A plain options object: not null, not an array, not a function. */
export type Options = Readonly<Record<string, unknown>>;

/** isRecord tells whether `v` is an object that can carry named options (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * checkOptions returns `value` as an options object, or `{}` when it is
 * undefined. Throws ArgumentError when it is anything but a plain object, or
 * when it has a key that is not in `allowed` (a typo must not be ignored:
 * `{ mut: 1400 }` would otherwise change nothing and report success).
 * Keys whose value is undefined count as absent.
 */
export function checkOptions(value: unknown, argument: string, allowed: readonly string[]): Options {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ArgumentError(argument, { expected: 'an options object', received: value });
  checkKeys(value, argument, allowed);
  return value;
}

/** checkKeys throws ArgumentError for the first own key of `value` (symbols included) not in `allowed` whose value is not undefined. */
export function checkKeys(value: object, argument: string, allowed: readonly string[]): void {
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'string' && allowed.includes(key)) continue;
    if ((value as Record<PropertyKey, unknown>)[key] === undefined) continue;
    const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
    throw new ArgumentError(`${argument}.${name}`, { reason: `unknown option (accepted: ${allowed.join(', ')})` });
  }
}

/** checkObject returns `v` if it is an object that can carry named fields (not null, not an array); `{}` for undefined when `optional`. Throws ArgumentError otherwise. */
export function checkObject(v: unknown, argument: string, optional = false): Record<string, unknown> {
  if (v === undefined && optional) return {};
  if (!isRecord(v)) throw new ArgumentError(argument, { expected: 'an object', received: v });
  return v;
}

/** checkBoolean returns `v` if it is true or false; throws ArgumentError otherwise (`'false'` is not false). */
export function checkBoolean(v: unknown, argument: string): boolean {
  if (typeof v !== 'boolean') throw new ArgumentError(argument, { expected: 'true or false', received: v });
  return v;
}

/** checkInteger returns `v` if it is an integer from `min` to `max` (a number, never a numeric string); throws ArgumentError otherwise. */
export function checkInteger(v: unknown, argument: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ArgumentError(argument, { expected: `an integer from ${min} to ${max}`, received: v });
  }
  return v;
}

/** Limits of a string that goes into a message or a system call. */
export interface StringLimits {
  /** Fewest UTF-8 bytes (default 0). */
  minBytes?: number;
  /** Most UTF-8 bytes, without the terminating NUL the kernel adds (IFNAMSIZ - 1 = 15 for names). */
  maxBytes?: number;
}

/**
 * checkString returns `v` if it is a string without NUL bytes within the
 * byte limits; throws ArgumentError otherwise. A NUL would end the string
 * early in the kernel or libc: `'lo\0evil'` would name `lo`.
 */
export function checkString(v: unknown, argument: string, limits: StringLimits = {}): string {
  if (typeof v !== 'string') throw new ArgumentError(argument, { expected: 'a string', received: v });
  if (v.includes('\0')) throw new ArgumentError(argument, { reason: `${describeText(v)} contains a NUL byte` });
  const { minBytes = 0, maxBytes = Infinity } = limits;
  if (minBytes > 0 || maxBytes !== Infinity) {
    const bytes = Buffer.byteLength(v);
    if (bytes < minBytes || bytes > maxBytes) {
      const range = maxBytes === Infinity ? `at least ${minBytes}` : minBytes === maxBytes ? `${minBytes}` : `${minBytes} to ${maxBytes}`;
      throw new ArgumentError(argument, { expected: `a string of ${range} bytes`, received: v });
    }
  }
  return v;
}

/** checkArray returns `v` if it is an array; throws ArgumentError otherwise. */
export function checkArray(v: unknown, argument: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new ArgumentError(argument, { expected: 'an array', received: v });
  return v;
}

/** checkFunction returns `v` if it is a function; throws ArgumentError otherwise (so "is not a function" never reaches a caller). */
export function checkFunction<F extends (...args: never[]) => unknown>(v: unknown, argument: string): F {
  if (typeof v !== 'function') throw new ArgumentError(argument, { expected: 'a function', received: v });
  return v as F;
}

/**
 * lookupName returns `table[name]` for a name the table itself holds.
 * Inherited properties never count, so `toString`, `constructor` and
 * `__proto__` are unknown names, not functions or prototypes. Throws
 * ArgumentError listing the accepted names (and `orWhat`, e.g. 'or a
 * number 0-255', when numbers are accepted too).
 */
export function lookupName<V>(table: Readonly<Record<string, V>>, name: unknown, argument: string, orWhat?: string): V {
  if (typeof name === 'string' && Object.hasOwn(table, name)) return table[name]!;
  const names = Object.keys(table).join(', ');
  throw new ArgumentError(argument, { expected: `one of ${names}${orWhat ? `, ${orWhat}` : ''}`, received: name });
}

/** hasName tells whether `name` is an own key of `table` (prototype-safe: `toString` is not a name). */
export function hasName(table: object, name: unknown): name is string {
  return typeof name === 'string' && Object.hasOwn(table, name);
}

/** Text for messages, shortened like describeValue does. */
function describeText(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
