/**
 * fq_codel: fair queueing over flows, each managed by CoDel (a target
 * delay over an interval). Times are microseconds, as the kernel takes them.
 */
import { checkBoolean, checkInteger } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import { parseSize, parseTime, type Bytes, type Microseconds } from '../units.js';
import type { OptionsCodec } from './kind.js';

const U32 = 0xffffffff;

/** Options of fq_codel (`tc qdisc add … fq_codel limit 1000 flows 512 target 5ms interval 100ms ecn`); absent ones keep the kernel's defaults. */
export interface FqCodelOptions {
  /** Packets the queue holds in all. */
  limit?: number;
  /** Number of flow buckets (set at creation only). */
  flows?: number;
  /** Acceptable queueing delay, µs (or `'5ms'`). */
  target?: Microseconds;
  /** Window over which the delay is measured, µs (or `'100ms'`). */
  interval?: Microseconds;
  /** Bytes dequeued from a flow per round. */
  quantum?: Bytes;
  /** Mark ECN-capable packets instead of dropping them (true: tc's `ecn`, false: `noecn`). */
  ecn?: boolean;
  /** Mark packets whose delay exceeds this, µs. */
  ceThreshold?: Microseconds;
  /** Bytes the queue may use in all (or `'32mb'`). */
  memoryLimit?: Bytes;
  /** Packets dropped at once when the limit is hit. */
  dropBatchSize?: number;
}

/** fq_codel's options. */
export const fqCodel: OptionsCodec<FqCodelOptions> = {
  keys: ['limit', 'flows', 'target', 'interval', 'quantum', 'ecn', 'ceThreshold', 'memoryLimit', 'dropBatchSize'],
  encode(o, arg): tc.TcFqCodelAttrs {
    const out: tc.TcFqCodelAttrs = {};
    if (o.limit !== undefined) out.limit = checkInteger(o.limit, `${arg}.limit`, 0, U32);
    if (o.flows !== undefined) out.flows = checkInteger(o.flows, `${arg}.flows`, 1, U32);
    if (o.target !== undefined) out.target = parseTime(o.target, `${arg}.target`);
    if (o.interval !== undefined) out.interval = parseTime(o.interval, `${arg}.interval`);
    if (o.quantum !== undefined) out.quantum = parseSize(o.quantum, `${arg}.quantum`);
    if (o.ecn !== undefined) out.ecn = checkBoolean(o.ecn, `${arg}.ecn`) ? 1 : 0;
    if (o.ceThreshold !== undefined) out.ceThreshold = parseTime(o.ceThreshold, `${arg}.ceThreshold`);
    if (o.memoryLimit !== undefined) out.memoryLimit = parseSize(o.memoryLimit, `${arg}.memoryLimit`);
    if (o.dropBatchSize !== undefined) out.dropBatchSize = checkInteger(o.dropBatchSize, `${arg}.dropBatchSize`, 1, U32);
    return out;
  },
  decode(options) {
    const a = options as tc.TcFqCodelAttrs | undefined;
    if (a === undefined || a instanceof Uint8Array) return undefined;
    return {
      limit: a.limit,
      flows: a.flows,
      target: a.target,
      interval: a.interval,
      quantum: a.quantum,
      ecn: a.ecn === undefined ? undefined : a.ecn !== 0,
      // The kernel reports "no threshold" as ~0 (CODEL_DISABLED_THRESHOLD in µs).
      ceThreshold: a.ceThreshold === undefined || a.ceThreshold === U32 ? undefined : a.ceThreshold,
      memoryLimit: a.memoryLimit,
      dropBatchSize: a.dropBatchSize,
    };
  },
};
