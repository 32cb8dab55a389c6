/**
 * tbf (token bucket filter): a rate, a bucket of `burst` bytes, and a
 * queue limit in bytes (or the latency tc turns into one), built as
 * iproute2's q_tbf.c builds TCA_TBF_PARMS, its rate tables and
 * TCA_TBF_BURST.
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkInteger } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import { linkLayerName, parseRate, parseSize, parseTime, rateBits, rateTable, transmitSize, transmitTime, type BitsPerSecond, type Bytes, type LinkLayer, type Microseconds } from '../units.js';
import { checkLinkLayer } from './htb.js';
import type { OptionsCodec } from './kind.js';

const U32 = 0xffffffff;
/** The mtu tc's rate tables assume when none is given. */
const TABLE_MTU = 2047;

/** Options of tbf (`tc qdisc add … tbf rate 1mbit burst 10kb latency 50ms`). */
export interface TbfOptions {
  /** Bits per second (or `'1mbit'`). Required. */
  rate: BitsPerSecond;
  /** Bucket size in bytes (or `'10kb'`). Required. */
  burst: Bytes;
  /** Bytes that may wait in the queue; give this or `latency`. Listed back always as a limit. */
  limit?: Bytes;
  /** The longest a packet may wait, µs (or `'50ms'`): tc's way to give the limit (rate × latency + burst). Input only. */
  latency?: Microseconds;
  /** A second, faster bucket's rate, bits per second (needs `mtu`). */
  peakrate?: BitsPerSecond;
  /** The peak bucket's size, bytes (tc's `mtu`/`minburst`). */
  mtu?: Bytes;
  /** Smallest size a packet is accounted as, bytes. */
  mpu?: number;
  /** Bytes added to every packet's size. */
  overhead?: number;
  /** 'ethernet' (default) or 'atm'. */
  linklayer?: LinkLayer;
}

/** tbf's options. */
export const tbf: OptionsCodec<TbfOptions> = {
  keys: ['rate', 'burst', 'limit', 'latency', 'peakrate', 'mtu', 'mpu', 'overhead', 'linklayer'],
  required: true,
  encode(o, arg): tc.TcTbfAttrs {
    if (o.rate === undefined) throw new ArgumentError(`${arg}.rate`, { reason: 'is required' });
    if (o.burst === undefined) throw new ArgumentError(`${arg}.burst`, { reason: 'is required: the bucket size in bytes' });
    if ((o.limit === undefined) === (o.latency === undefined)) throw new ArgumentError(`${arg}.limit`, { reason: 'give either limit (bytes) or latency (µs), not both or neither' });
    const rate = parseRate(o.rate, `${arg}.rate`);
    if (rate === 0) throw new ArgumentError(`${arg}.rate`, { expected: 'a rate of at least 8 bits per second', received: o.rate });
    const burst = parseSize(o.burst, `${arg}.burst`);
    const peak = o.peakrate === undefined ? 0 : parseRate(o.peakrate, `${arg}.peakrate`);
    const mtu = o.mtu === undefined ? 0 : parseSize(o.mtu, `${arg}.mtu`);
    if (peak > 0 && mtu === 0) throw new ArgumentError(`${arg}.mtu`, { reason: 'is required with peakrate' });
    const mpu = o.mpu === undefined ? 0 : checkInteger(o.mpu, `${arg}.mpu`, 0, 0xffff);
    const overhead = o.overhead === undefined ? 0 : checkInteger(o.overhead, `${arg}.overhead`, 0, 0xffff);
    const linklayer = o.linklayer === undefined ? 'ethernet' : checkLinkLayer(o.linklayer, `${arg}.linklayer`);
    let limit: number;
    if (o.limit !== undefined) limit = parseSize(o.limit, `${arg}.limit`);
    else {
      const latency = parseTime(o.latency, `${arg}.latency`);
      // As tc: what arrives at `rate` during `latency`, plus the bucket; the peak bucket's figure when smaller.
      let lim = (rate * latency) / 1e6 + burst;
      if (peak > 0) lim = Math.min(lim, (peak * latency) / 1e6 + mtu);
      limit = Math.min(Math.trunc(lim), U32);
    }
    const table = { mtu: mtu || TABLE_MTU, mpu, overhead, linklayer } as const;
    const r = rateTable({ rate, ...table });
    const out: tc.TcTbfAttrs = {
      parms: {
        rate: r.spec,
        peakrate: { cellLog: 0, linklayer: 0, overhead: 0, cellAlign: 0, mpu: 0, rate: Math.min(peak, U32) },
        limit,
        buffer: transmitTime(r.spec.rate, burst),
        mtu: 0,
      },
      burst,
      rtab: r.table,
    };
    if (rate > U32) out.rate64 = BigInt(rate);
    if (peak > 0) {
      const p = rateTable({ rate: peak, ...table });
      out.parms!.peakrate = p.spec;
      out.parms!.mtu = transmitTime(p.spec.rate, mtu);
      if (peak > U32) out.prate64 = BigInt(peak);
      out.pburst = mtu;
      out.ptab = p.table;
    }
    return out;
  },
  decode(options) {
    const a = options as tc.TcTbfAttrs | undefined;
    const p = a?.parms;
    if (p === undefined) return undefined;
    const rate = a!.rate64 !== undefined ? Number(a!.rate64) : p.rate.rate;
    const peak = a!.prate64 !== undefined ? Number(a!.prate64) : p.peakrate.rate;
    return {
      rate: rateBits(rate),
      burst: transmitSize(rate, p.buffer),
      limit: p.limit,
      latency: undefined,
      peakrate: peak > 0 ? rateBits(peak) : undefined,
      mtu: peak > 0 ? transmitSize(peak, p.mtu) : undefined,
      mpu: p.rate.mpu,
      overhead: p.rate.overhead,
      linklayer: linkLayerName(p.rate.linklayer),
    };
  },
};
