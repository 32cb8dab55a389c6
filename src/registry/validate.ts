/**
 * Checks on rtnl callers' input, made before anything is sent: a bad value
 * is an ArgumentError naming the parameter (`options.mtu`, `link`), never a
 * kernel errno after half the work is done, and never a request that acts on
 * another object than the one named (index 0, a name cut at a NUL byte).
 * The generic checks live in src/netlink/args.ts; these are rtnetlink's.
 */
import { ArgumentError } from '../netlink/errors.js';
import { checkInteger, checkOptions, checkString } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { parseMac } from '../netlink/format.js';
import { checkEncodes, type MessageWriter } from '../netlink/writer.js';
import type { LinkRef } from './context.js';

/** checkUint returns `v` if it is an integer from 0 to `max`; throws ArgumentError naming `what` otherwise. */
export function checkUint(v: unknown, what: string, max: number): number {
  return checkInteger(v, what, 0, max);
}

/** IFNAMSIZ - 1: the longest interface name (and IFA_LABEL) the kernel keeps. */
export const IFNAME_MAX_BYTES = 15;
/** IFALIASZ - 1: the longest interface alias. */
export const IFALIAS_MAX_BYTES = 255;
/** The largest interface index (ifindex is a positive s32). */
export const IFINDEX_MAX = 0x7fffffff;

/**
 * checkLinkName validates an interface name before anything is sent: a
 * string of 1–15 bytes without NUL, not `.` or `..`, no `/`, `:` or white
 * space (the kernel's dev_valid_name). Throws ArgumentError naming
 * `argument`.
 */
export function checkLinkName(name: unknown, argument = 'name'): string {
  checkString(name, argument, { minBytes: 1, maxBytes: IFNAME_MAX_BYTES });
  const s = name as string;
  if (s === '.' || s === '..' || /[/:\s]/.test(s)) {
    throw new ArgumentError(argument, { reason: `${JSON.stringify(s)} is not an interface name: it may not be "." or ".." or contain "/", ":" or white space` });
  }
  return s;
}

/**
 * checkLinkRef validates a link reference: a positive integer index (0 is
 * refused: to the kernel it means "no link", and with IFLA_GROUP "every
 * link of the group") or a valid interface name. Throws ArgumentError.
 */
export function checkLinkRef(ref: unknown, argument = 'link'): LinkRef {
  if (typeof ref === 'number') return checkInteger(ref, argument, 1, IFINDEX_MAX);
  if (typeof ref === 'string') return checkLinkName(ref, argument);
  throw new ArgumentError(argument, { expected: 'an interface name or a positive interface index', received: ref });
}

/** Octet counts of the link-layer addresses links take: Ethernet-like devices (6) and InfiniBand (20). */
export const MAC_LENGTHS: readonly number[] = [6, 20];

/**
 * checkMac validates a link-layer address text (`02:00:00:00:00:01`) and
 * that it has one of `octets` octets: the kernel would otherwise keep the
 * first 6 of 9 silently, or refuse a short one. Throws ArgumentError.
 */
export function checkMac(text: unknown, argument: string, octets: readonly number[] = [6]): string {
  if (typeof text !== 'string') throw new ArgumentError(argument, { expected: 'a MAC address such as "02:00:00:00:00:01"', received: text });
  let bytes: Uint8Array;
  try {
    bytes = parseMac(text);
  } catch {
    throw new ArgumentError(argument, { expected: 'a MAC address such as "02:00:00:00:00:01"', received: text });
  }
  if (!octets.includes(bytes.length)) throw new ArgumentError(argument, { expected: `a MAC address of ${octets.join(' or ')} octets`, received: text });
  return text;
}

/** The keys every rtnl call's options take: a deadline in milliseconds and an AbortSignal, passed to the connection. */
export const CALL_OPTION_KEYS = ['timeout', 'signal'] as const;
/** The keys every `list()`'s options take. */
export const DUMP_OPTION_KEYS = ['timeout', 'signal', 'interrupted', 'maxAttempts'] as const;

/**
 * callOptions checks an rtnl call's trailing options argument (`{ timeout,
 * signal }`) and returns just those, for the connection; the connection
 * checks their values. Throws ArgumentError for a non-object or another key.
 */
export function callOptions(options: unknown, argument = 'options'): CallOptions {
  const o = checkOptions(options, argument, CALL_OPTION_KEYS);
  return pickCall(o);
}

/** dumpOptions is callOptions for `list()`: `timeout`, `signal`, `interrupted`, `maxAttempts`. */
export function dumpOptions(options: unknown, argument = 'options'): DumpOptions {
  const o = checkOptions(options, argument, DUMP_OPTION_KEYS);
  const out: DumpOptions = pickCall(o);
  if (o.interrupted !== undefined) out.interrupted = o.interrupted as DumpOptions['interrupted'];
  if (o.maxAttempts !== undefined) out.maxAttempts = o.maxAttempts as number;
  return out;
}

/** pickCall takes `timeout` and `signal` out of an options object already checked for its keys. */
export function pickCall(options: object): CallOptions {
  const o = options as { timeout?: unknown; signal?: unknown };
  const out: CallOptions = {};
  if (o.timeout !== undefined) out.timeout = o.timeout as number;
  if (o.signal !== undefined) out.signal = o.signal as AbortSignal;
  return out;
}

/**
 * dryRun builds a message with placeholder references (index 1 for every
 * link, fd 0 for every namespace) and encodes it into a scratch writer, so
 * every value the generated codecs refuse is found before the real build
 * looks anything up in the kernel. Throws what the codecs throw (EncodeError).
 */
export async function dryRun<M>(build: () => Promise<M>, encode: (w: MessageWriter, m: M) => void): Promise<void> {
  checkEncodes(encode, await build());
}
