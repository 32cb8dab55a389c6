/**
 * What qdiscs, classes and filters share: their statistics, and turning a
 * kind's options into TCA_KIND / TCA_OPTIONS through that kind's codec.
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkOptions, hasName } from '../../netlink/args.js';
import type * as tc from '../../generated/tc.js';
import type { EncodeEnv, OptionsCodec } from './kinds/index.js';

/** Counters of a qdisc or class (TCA_STATS2, or the older TCA_STATS). They change without notifications. */
export interface TcStatistics {
  /** Bytes sent (exact: a bigint). */
  bytes: bigint;
  packets: number;
  drops: number;
  /** Packets that went over a limit (rate, queue). */
  overlimits: number;
  requeues: number;
  /** Packets queued now. */
  qlen: number;
  /** Bytes queued now. */
  backlog: number;
}

/** statisticsOf reads a tc message's counters; undefined when it carries none (filters). */
export function statisticsOf(a: tc.TcAttrs): TcStatistics | undefined {
  const s2 = a.stats2;
  if (s2?.basic !== undefined || s2?.queue !== undefined) {
    const q = s2.queue;
    return { bytes: s2.basic?.bytes ?? 0n, packets: s2.basic?.packets ?? 0, drops: q?.drops ?? 0, overlimits: q?.overlimits ?? 0, requeues: q?.requeues ?? 0, qlen: q?.qlen ?? 0, backlog: q?.backlog ?? 0 };
  }
  const s = a.stats;
  if (s === undefined) return undefined;
  return { bytes: s.bytes, packets: s.packets, drops: s.drops, overlimits: s.overlimits, requeues: 0, qlen: s.qlen, backlog: s.backlog };
}

/**
 * kindAttributes checks `kind` against `table` and `options` against its
 * codec, and returns TCA_KIND with TCA_OPTIONS (absent when the kind sends
 * none). `what` names the object in messages ('qdisc'). Throws
 * ArgumentError for an unknown kind, a missing required options object,
 * unknown keys or bad values.
 */
export async function kindAttributes(table: Readonly<Record<string, OptionsCodec<unknown>>>, kind: unknown, options: unknown, what: string, env: EncodeEnv): Promise<tc.TcAttrs> {
  if (!hasName(table, kind)) throw new ArgumentError('spec.kind', { expected: `a ${what} kind nlkit can add: ${Object.keys(table).join(', ')}`, received: kind });
  const codec = table[kind]!;
  if (options === undefined && codec.required) throw new ArgumentError('spec.options', { reason: `is required for ${kind} (${codec.keys.join(', ')})` });
  const o = checkOptions(options, 'spec.options', codec.keys);
  const value = await codec.encode(o, 'spec.options', env);
  return value === undefined ? { kind } : { kind, options: value };
}

/** decodeKindOptions is the inverse: the typed options of a listed object, undefined for kinds nlkit does not type. */
export function decodeKindOptions(table: Readonly<Record<string, OptionsCodec<unknown>>>, a: tc.TcAttrs): unknown {
  return hasName(table, a.kind) ? table[a.kind]!.decode(a.options) : undefined;
}
