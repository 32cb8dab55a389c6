/**
 * netem: network emulation — delay with jitter, loss, duplication,
 * reordering, corruption and a rate limit — built as iproute2's q_netem.c
 * builds struct tc_netem_qopt and its attributes. Delays are microseconds
 * (sent as 64 ns ticks, as tc sends them); probabilities are percentages
 * (sent scaled to 2^32-1).
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkBoolean, checkInteger } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import { parsePercent, parseRate, parseTime, percentOf, rateBits, ticksToUsec, usecToTicks, type BitsPerSecond, type Microseconds } from '../units.js';
import type { OptionsCodec } from './kind.js';

const U32 = 0xffffffff;
/** tc's default queue limit, packets. */
const DEFAULT_LIMIT = 1000;

/** Options of netem (`tc qdisc add … netem delay 100ms 10ms loss 1% limit 2000`). Percentages are numbers from 0 to 100. */
export interface NetemOptions {
  /** Added delay, µs (or `'100ms'`). */
  delay?: Microseconds;
  /** Random variation of the delay, µs (needs `delay`). */
  jitter?: Microseconds;
  /** Correlation of successive delays, percent. */
  delayCorrelation?: number;
  /** Packets the queue holds (default 1000). */
  limit?: number;
  /** Packets lost at random, percent. */
  loss?: number;
  lossCorrelation?: number;
  /** Packets duplicated, percent. */
  duplicate?: number;
  duplicateCorrelation?: number;
  /** Packets sent at once, out of order, percent (needs `delay`). */
  reorder?: number;
  reorderCorrelation?: number;
  /** With reorder: every gap-th packet is reordered (default 1 with reorder). */
  gap?: number;
  /** Packets with a bit flipped, percent. */
  corrupt?: number;
  corruptCorrelation?: number;
  /** Rate limit, bits per second (or `'1mbit'`). */
  rate?: BitsPerSecond;
  /** Mark lost packets with ECN instead of dropping them (needs `loss`). */
  ecn?: boolean;
}

/** netem's options. */
export const netem: OptionsCodec<NetemOptions> = {
  keys: ['delay', 'jitter', 'delayCorrelation', 'limit', 'loss', 'lossCorrelation', 'duplicate', 'duplicateCorrelation', 'reorder', 'reorderCorrelation', 'gap', 'corrupt', 'corruptCorrelation', 'rate', 'ecn'],
  encode(o, arg): tc.TcNetemMessage {
    const pct = (k: string) => (o[k] === undefined ? 0 : parsePercent(o[k], `${arg}.${k}`));
    const header: tc.TcNetemQopt = {
      latency: o.delay === undefined ? 0 : usecToTicks(parseTime(o.delay, `${arg}.delay`)),
      limit: o.limit === undefined ? DEFAULT_LIMIT : checkInteger(o.limit, `${arg}.limit`, 0, U32),
      loss: pct('loss'),
      gap: o.gap === undefined ? 0 : checkInteger(o.gap, `${arg}.gap`, 0, U32),
      duplicate: pct('duplicate'),
      jitter: o.jitter === undefined ? 0 : usecToTicks(parseTime(o.jitter, `${arg}.jitter`)),
    };
    if (o.jitter !== undefined && o.delay === undefined) throw new ArgumentError(`${arg}.jitter`, { reason: 'needs delay' });
    const attrs: tc.TcNetemAttrs = {};
    if (o.delayCorrelation !== undefined || o.lossCorrelation !== undefined || o.duplicateCorrelation !== undefined) {
      attrs.corr = { delayCorr: pct('delayCorrelation'), lossCorr: pct('lossCorrelation'), dupCorr: pct('duplicateCorrelation') };
    }
    if (o.reorder !== undefined) {
      if (header.latency === 0) throw new ArgumentError(`${arg}.reorder`, { reason: 'needs a delay: only delayed packets can be overtaken' });
      attrs.reorder = { probability: pct('reorder'), correlation: pct('reorderCorrelation') };
      if (header.gap === 0) header.gap = 1;
    } else if (header.gap > 0) {
      throw new ArgumentError(`${arg}.gap`, { reason: 'needs reorder' });
    } else if (o.reorderCorrelation !== undefined) {
      throw new ArgumentError(`${arg}.reorderCorrelation`, { reason: 'needs reorder' });
    }
    if (o.ecn !== undefined && checkBoolean(o.ecn, `${arg}.ecn`)) {
      if (header.loss === 0) throw new ArgumentError(`${arg}.ecn`, { reason: 'needs loss: ECN marks the packets netem would drop' });
      attrs.ecn = 1;
    }
    if (o.corrupt !== undefined) attrs.corrupt = { probability: pct('corrupt'), correlation: pct('corruptCorrelation') };
    else if (o.corruptCorrelation !== undefined) throw new ArgumentError(`${arg}.corruptCorrelation`, { reason: 'needs corrupt' });
    if (o.rate !== undefined) {
      const rate = parseRate(o.rate, `${arg}.rate`);
      attrs.rate = { rate: Math.min(rate, U32), packetOverhead: 0, cellSize: 0, cellOverhead: 0 };
      if (rate > U32) attrs.rate64 = BigInt(rate);
    }
    return { header, attrs };
  },
  decode(options) {
    const m = options as tc.TcNetemMessage | undefined;
    if (m === undefined || m.header === undefined) return undefined;
    const h = m.header;
    const a = m.attrs;
    // The kernel reports delays in ns beside the tick fields (TCA_NETEM_LATENCY64, JITTER64).
    const delay = a.latency64 !== undefined ? Number(a.latency64 / 1000n) : ticksToUsec(h.latency);
    const jitter = a.jitter64 !== undefined ? Number(a.jitter64 / 1000n) : ticksToUsec(h.jitter);
    const pctOrUndefined = (v: number | undefined) => (v === undefined || v === 0 ? undefined : percentOf(v));
    const rate = a.rate64 !== undefined ? Number(a.rate64) : a.rate?.rate;
    return {
      delay: delay === 0 ? undefined : delay,
      jitter: jitter === 0 ? undefined : jitter,
      delayCorrelation: pctOrUndefined(a.corr?.delayCorr),
      limit: h.limit,
      loss: pctOrUndefined(h.loss),
      lossCorrelation: pctOrUndefined(a.corr?.lossCorr),
      duplicate: pctOrUndefined(h.duplicate),
      duplicateCorrelation: pctOrUndefined(a.corr?.dupCorr),
      reorder: pctOrUndefined(a.reorder?.probability),
      reorderCorrelation: pctOrUndefined(a.reorder?.correlation),
      gap: h.gap === 0 || (h.gap === 1 && a.reorder !== undefined && a.reorder.probability !== 0) ? undefined : h.gap,
      corrupt: pctOrUndefined(a.corrupt?.probability),
      corruptCorrelation: pctOrUndefined(a.corrupt?.correlation),
      rate: rate === undefined || rate === 0 ? undefined : rateBits(rate),
      ecn: a.ecn ? true : undefined,
    };
  },
};
