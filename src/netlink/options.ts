/**
 * Checks of the options every waiting call shares (`timeout`, `signal`) and
 * of stream and socket sizes, plus a timer that can wait longer than
 * setTimeout's 2**31-1 ms. A wrong value is an ArgumentError, thrown before
 * anything is sent or opened.
 */
import { ArgumentError } from './errors.js';

/** TIMER_MAX_MS is the longest delay setTimeout honours (2**31-1 ms, about 24.8 days); longer ones fire at once. */
export const TIMER_MAX_MS = 0x7fffffff;

/** INT_MAX is the largest value an `int` socket option holds. */
const INT_MAX = 0x7fffffff;

/**
 * checkTimeout validates a `timeout` option and returns it as a number of
 * milliseconds, or undefined for "no timeout". Accepted: undefined and
 * `Infinity` (no timeout), or a number greater than 0 (fractions allowed;
 * values above TIMER_MAX_MS work: the timer is chained). 0 is refused: a
 * request is sent before its reply is awaited, so "give up at once" would
 * report failure for a change the kernel may have made; pass Infinity for no
 * limit. Throws ArgumentError naming `argument` for NaN, 0, negative numbers
 * and non-numbers.
 */
export function checkTimeout(value: unknown, argument = 'options.timeout'): number | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ArgumentError(argument, { expected: 'a number of milliseconds greater than 0, or Infinity for no timeout', received: value });
  }
  return value;
}

/**
 * checkSignal validates a `signal` option: undefined or an AbortSignal.
 * Something that only looks like one is refused, so that no request is left
 * waiting on an event that can never come. Throws ArgumentError.
 */
export function checkSignal(value: unknown, argument = 'options.signal'): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new ArgumentError(argument, { expected: 'an AbortSignal (from an AbortController or AbortSignal.timeout)', received: value });
}

/** checkWaitOptions validates `{ timeout, signal }` of `options` (an object or undefined). Throws ArgumentError. */
export function checkWaitOptions(options: unknown, prefix = 'options'): { timeout: number | undefined; signal: AbortSignal | undefined } {
  if (options === undefined) return { timeout: undefined, signal: undefined };
  if (typeof options !== 'object' || options === null) throw new ArgumentError(prefix, { expected: 'an options object', received: options });
  const o = options as { timeout?: unknown; signal?: unknown };
  return { timeout: checkTimeout(o.timeout, `${prefix}.timeout`), signal: checkSignal(o.signal, `${prefix}.signal`) };
}

/**
 * checkPositiveInteger validates a count or size option: undefined (the
 * default applies) or an integer from `min` to `max`. Throws ArgumentError.
 */
export function checkPositiveInteger(value: unknown, argument: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError(argument, { expected: `an integer from ${min} to ${max}`, received: value });
  }
  return value;
}

/**
 * MIN_RECEIVE_BUFFER is the smallest `receiveBufferSize` accepted, in bytes.
 * The kernel charges a queued message its whole allocation (a reply to a
 * request with NLM_F_ECHO or a link's attributes is several KiB, an ACK with
 * an extended-ACK message over 1 KiB); below this a reply and its ACK do
 * not both fit, the kernel drops the ACK and a request that succeeded would
 * be reported as failed.
 */
export const MIN_RECEIVE_BUFFER = 16384;

/** checkBufferSize validates a socket buffer size in bytes: undefined or an integer from `min` to 2**31-1. Throws ArgumentError. */
export function checkBufferSize(value: unknown, argument: string, min: number): number | undefined {
  return checkPositiveInteger(value, argument, min, INT_MAX);
}

/** A timer made by longTimeout. */
export interface LongTimer {
  clear(): void;
}

/**
 * longTimeout calls `fn` after `ms` milliseconds, for any finite `ms`,
 * chaining timers of at most TIMER_MAX_MS (setTimeout fires at once, with a
 * warning, beyond that). `ref: false` lets the process exit while it waits.
 */
export function longTimeout(ms: number, fn: () => void, ref = true): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const due = Date.now() + ms;
  const arm = (left: number) => {
    timer = setTimeout(() => {
      const rest = due - Date.now();
      if (rest > 0 && left > TIMER_MAX_MS) arm(rest);
      else fn();
    }, Math.min(left, TIMER_MAX_MS));
    if (!ref) timer.unref();
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}
