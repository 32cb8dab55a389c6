/**
 * htb (hierarchical token bucket): the qdisc's options (TCA_HTB_INIT and
 * friends) and its classes' (TCA_HTB_PARMS with rate and ceil, their rate
 * tables, bursts as transmit times), built as iproute2's q_htb.c builds
 * them so the kernel gets the request `tc` would send.
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkBoolean, checkInteger } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import { defaultBurst, linkLayerName, parseRate, parseSize, rateBits, rateTable, transmitSize, transmitTime, type BitsPerSecond, type Bytes, type LinkLayer, type RateInput, type SizeInput } from '../units.js';
import type { OptionsCodec } from './kind.js';

/** TC_HTB_PROTOVER 3: the htb version tc announces in TCA_HTB_INIT. */
const HTB_VERSION = 3;
/** tc's r2q default: a class's quantum is its rate in bytes per second / r2q. */
const DEFAULT_R2Q = 10;
/** tc's default mtu for the rate tables (an Ethernet frame with room to spare). */
const DEFAULT_MTU = 1600;
const U32 = 0xffffffff;

/** Options of an htb qdisc (`tc qdisc add … htb default 10 r2q 10`). */
export interface HtbQdiscOptions {
  /** The minor number of the class unclassified traffic goes to (`default 10` is 0x10); 0 (the default) sends it out unshaped. */
  defaultClass?: number;
  /** Divisor for classes' quantum: rate in bytes per second / r2q (default 10). */
  r2q?: number;
  /** Length of the queue for unclassified packets, in packets (default: the device's txqueuelen). */
  directQlen?: number;
  /** Offload to hardware (TCA_HTB_OFFLOAD). */
  offload?: boolean;
}

/** htbQdisc: htb's qdisc options. */
export const htbQdisc: OptionsCodec<HtbQdiscOptions> = {
  keys: ['defaultClass', 'r2q', 'directQlen', 'offload'],
  encode(o, arg): tc.TcHtbAttrs {
    const out: tc.TcHtbAttrs = {
      init: {
        version: HTB_VERSION,
        rate2quantum: o.r2q === undefined ? DEFAULT_R2Q : checkInteger(o.r2q, `${arg}.r2q`, 1, U32),
        defcls: o.defaultClass === undefined ? 0 : checkInteger(o.defaultClass, `${arg}.defaultClass`, 0, 0xffff),
        debug: 0,
        directPkts: 0,
      },
    };
    if (o.directQlen !== undefined) out.directQlen = checkInteger(o.directQlen, `${arg}.directQlen`, 0, U32);
    if (o.offload !== undefined && checkBoolean(o.offload, `${arg}.offload`)) out.offload = true;
    return out;
  },
  decode(options) {
    const a = options as tc.TcHtbAttrs | undefined;
    if (a?.init === undefined) return undefined;
    return { defaultClass: a.init.defcls, r2q: a.init.rate2quantum, directQlen: a.directQlen, offload: a.offload ? true : undefined };
  },
};

/** Options of an htb class (`tc class add … htb rate 1mbit ceil 2mbit burst 15k prio 1`). */
export interface HtbClassOptions {
  /** The rate guaranteed to the class, bits per second (or `'1mbit'`…). Required. */
  rate: BitsPerSecond;
  /** The most it may use by borrowing, bits per second (default: `rate`). */
  ceil?: BitsPerSecond;
  /** Bytes it may send at once at `rate` (default as tc: rate / 10^9 + mtu). Listed back from the kernel's transmit time. */
  burst?: Bytes;
  /** Bytes it may send at once at `ceil` (default as tc). */
  cburst?: Bytes;
  /** Priority of a leaf class: lower is served first (0-7, default 0). */
  prio?: number;
  /** Bytes served per round (default: the kernel's rate / r2q). */
  quantum?: number;
  /** The largest packet the rate tables cover (default 1600; not kept by the kernel). */
  mtu?: number;
  /** Smallest size a packet is accounted as, bytes. */
  mpu?: number;
  /** Bytes added to every packet's size (framing). */
  overhead?: number;
  /** 'ethernet' (default) or 'atm' (sizes in 53-byte cells). */
  linklayer?: LinkLayer;
}

/** The input form of HtbClassOptions: rates and sizes may carry tc's units. */
export type HtbClassOptionsInput = Omit<HtbClassOptions, 'rate' | 'ceil' | 'burst' | 'cburst'> & { rate: RateInput; ceil?: RateInput; burst?: SizeInput; cburst?: SizeInput };

/** htbClass: htb's class options; rate tables and bursts computed as tc computes them. */
export const htbClass: OptionsCodec<HtbClassOptions> = {
  keys: ['rate', 'ceil', 'burst', 'cburst', 'prio', 'quantum', 'mtu', 'mpu', 'overhead', 'linklayer'],
  required: true,
  encode(o, arg): tc.TcHtbAttrs {
    if (o.rate === undefined) throw new ArgumentError(`${arg}.rate`, { reason: 'is required: the rate guaranteed to the class' });
    const rate = parseRate(o.rate, `${arg}.rate`);
    const ceil = o.ceil === undefined ? rate : parseRate(o.ceil, `${arg}.ceil`);
    if (rate === 0) throw new ArgumentError(`${arg}.rate`, { expected: 'a rate of at least 8 bits per second', received: o.rate });
    if (ceil === 0) throw new ArgumentError(`${arg}.ceil`, { expected: 'a rate of at least 8 bits per second', received: o.ceil });
    const mtu = o.mtu === undefined ? DEFAULT_MTU : checkInteger(o.mtu, `${arg}.mtu`, 1, U32);
    const mpu = o.mpu === undefined ? 0 : checkInteger(o.mpu, `${arg}.mpu`, 0, 0xffff);
    const overhead = o.overhead === undefined ? 0 : checkInteger(o.overhead, `${arg}.overhead`, 0, 0xffff);
    const linklayer = o.linklayer === undefined ? 'ethernet' : checkLinkLayer(o.linklayer, `${arg}.linklayer`);
    const burst = o.burst === undefined ? defaultBurst(rate, mtu) : parseSize(o.burst, `${arg}.burst`, Number.MAX_SAFE_INTEGER);
    const cburst = o.cburst === undefined ? defaultBurst(ceil, mtu) : parseSize(o.cburst, `${arg}.cburst`);
    const r = rateTable({ rate, mtu, mpu, overhead, linklayer });
    const c = rateTable({ rate: ceil, mtu, mpu, overhead, linklayer });
    const buffer = transmitTime(rate, burst);
    if (buffer === U32) throw new ArgumentError(`${arg}.burst`, { reason: `${burst} bytes at this rate take longer than the kernel can count (2^32 ticks)` });
    const out: tc.TcHtbAttrs = {
      parms: {
        rate: r.spec,
        ceil: c.spec,
        buffer,
        cbuffer: transmitTime(ceil, cburst),
        quantum: o.quantum === undefined ? 0 : checkInteger(o.quantum, `${arg}.quantum`, 1, U32),
        level: 0,
        prio: o.prio === undefined ? 0 : checkInteger(o.prio, `${arg}.prio`, 0, 7),
      },
      rtab: r.table,
      ctab: c.table,
    };
    // struct tc_ratespec holds 32 bits; faster rates go in TCA_HTB_RATE64 / CEIL64 as well.
    if (rate > U32) out.rate64 = BigInt(rate);
    if (ceil > U32) out.ceil64 = BigInt(ceil);
    return out;
  },
  decode(options) {
    const a = options as tc.TcHtbAttrs | undefined;
    const p = a?.parms;
    if (p === undefined) return undefined;
    const rate = a!.rate64 !== undefined ? Number(a!.rate64) : p.rate.rate;
    const ceil = a!.ceil64 !== undefined ? Number(a!.ceil64) : p.ceil.rate;
    return {
      rate: rateBits(rate),
      ceil: rateBits(ceil),
      burst: transmitSize(rate, p.buffer),
      cburst: transmitSize(ceil, p.cbuffer),
      prio: p.prio,
      quantum: p.quantum,
      mtu: undefined,
      mpu: p.rate.mpu,
      overhead: p.rate.overhead,
      linklayer: linkLayerName(p.rate.linklayer),
    };
  },
};

/** checkLinkLayer validates a LinkLayer name. Throws ArgumentError. */
export function checkLinkLayer(v: unknown, argument: string): LinkLayer {
  if (v !== 'ethernet' && v !== 'atm') throw new ArgumentError(argument, { expected: "'ethernet' or 'atm'", received: v });
  return v;
}
