/**
 * Units of tc options: rates, sizes and times as callers give them (a
 * number in the unit the type names, or text with tc's units: `'1mbit'`,
 * `'15k'`, `'100ms'`), and the kernel's own units they become — bytes per
 * second, bytes, and scheduler ticks of 64 ns — with the transmit-time
 * arithmetic and rate tables computed as iproute2's tc computes them, so
 * nlkit's requests carry the values `tc` would send.
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkInteger } from '../../netlink/args.js';

/** A rate in bits per second (what tc's `1mbit` means: 1,000,000). The kernel keeps whole bytes per second. */
export type BitsPerSecond = number;
/** A size in bytes. */
export type Bytes = number;
/** A duration in microseconds. */
export type Microseconds = number;

/** A rate as given: bits per second, or text with a unit as tc reads it (`'1mbit'`, `'500kbit'`, `'2gbit'`, `'125KBps'`). */
export type RateInput = BitsPerSecond | string;
/** A size as given: bytes, or text with a unit as tc reads it (`'1600b'`, `'15k'` = 15 KiB, `'1mb'`). */
export type SizeInput = Bytes | string;
/** A duration as given: microseconds, or text with a unit (`'100ms'`, `'10us'`, `'1s'`). */
export type TimeInput = Microseconds | string;

/**
 * Rate units, bits per unit (lib/utils_math.c). Bit units are read in any
 * case (`Mbit`, `mbit`); byte units (`…Bps`) only as written here, because
 * tc's case-insensitive match makes `10Mbps` ten megabytes a second, which
 * nobody who writes it means.
 */
const BIT_UNITS: Readonly<Record<string, number>> = {
  bit: 1,
  kibit: 1024,
  kbit: 1000,
  mibit: 1024 ** 2,
  mbit: 1e6,
  gibit: 1024 ** 3,
  gbit: 1e9,
  tibit: 1024 ** 4,
  tbit: 1e12,
};
const BYTE_UNITS: Readonly<Record<string, number>> = {
  Bps: 8,
  KiBps: 8 * 1024,
  KBps: 8000,
  MiBps: 8 * 1024 ** 2,
  MBps: 8e6,
  GiBps: 8 * 1024 ** 3,
  GBps: 8e9,
  TiBps: 8 * 1024 ** 4,
  TBps: 8e12,
};
/** Size units, bytes per unit (get_size64): `k`/`kb` are KiB, `kbit` 128 bytes. */
const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, kbit: 128, mbit: 1024 ** 2 / 8, gbit: 1024 ** 3 / 8 };
/** Time units, microseconds per unit (get_time). */
const TIME_UNITS: Readonly<Record<string, number>> = { s: 1e6, sec: 1e6, secs: 1e6, ms: 1e3, msec: 1e3, msecs: 1e3, us: 1, usec: 1, usecs: 1 };

/** A non-negative decimal number followed by a unit, as strtod reads it. */
const NUMBER_UNIT = /^(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?([a-zA-Z]*)$/;

function splitUnit(text: string): { value: number; unit: string } | undefined {
  const m = NUMBER_UNIT.exec(text.trim());
  if (m === null) return undefined;
  return { value: Number(text.trim().slice(0, text.trim().length - m[2]!.length)), unit: m[2]! };
}

/**
 * parseRate reads a rate (bits per second, or text with a unit) and returns
 * the kernel's bytes per second, rounded down as tc does (`'1001bit'` is 125
 * bytes). At most 2^53-1 bytes per second. Throws ArgumentError naming
 * `argument` (a number that is not a whole non-negative count of bits, an
 * unknown or missing unit, `'10Mbps'`).
 */
export function parseRate(value: unknown, argument: string): number {
  let bits: number;
  if (typeof value === 'number') {
    bits = checkInteger(value, argument, 0, Number.MAX_SAFE_INTEGER);
  } else if (typeof value === 'string') {
    const p = splitUnit(value);
    const scale = p === undefined ? undefined : (BYTE_UNITS[p.unit] ?? (Object.hasOwn(BIT_UNITS, p.unit.toLowerCase()) ? BIT_UNITS[p.unit.toLowerCase()] : undefined));
    if (p === undefined || scale === undefined) {
      throw new ArgumentError(argument, { expected: "bits per second, or a rate with a unit such as '1mbit', '500kbit', '1gbit' or '125KBps' (bytes: Bps, KBps, MBps, … exactly so spelled)", received: value });
    }
    bits = p.value * scale;
  } else {
    throw new ArgumentError(argument, { expected: "bits per second, or a rate with a unit such as '1mbit'", received: value });
  }
  const bytes = Math.floor(bits / 8);
  if (!Number.isSafeInteger(bytes)) throw new ArgumentError(argument, { expected: 'a rate of at most 2^53-1 bytes per second', received: value });
  return bytes;
}

/** rateBits turns the kernel's bytes per second into the bits per second nlkit reports. */
export function rateBits(bytesPerSecond: number | bigint): BitsPerSecond {
  return Number(bytesPerSecond) * 8;
}

/**
 * parseSize reads a size (bytes, or text with tc's units: `b`, `k`/`kb`
 * (KiB), `m`/`mb`, `g`/`gb`, `kbit`, `mbit`, `gbit`) and returns whole bytes
 * up to `max`. Throws ArgumentError naming `argument`.
 */
export function parseSize(value: unknown, argument: string, max = 0xffffffff): number {
  if (typeof value === 'number') return checkInteger(value, argument, 0, max);
  const expected = `a number of bytes up to ${max}, or a size with a unit such as '1600b', '15k' or '1mb'`;
  if (typeof value !== 'string') throw new ArgumentError(argument, { expected, received: value });
  const p = splitUnit(value);
  const unit = p?.unit.toLowerCase() ?? '';
  const scale = p === undefined ? undefined : unit === '' ? 1 : Object.hasOwn(SIZE_UNITS, unit) ? SIZE_UNITS[unit] : undefined;
  const bytes = p === undefined || scale === undefined ? NaN : p.value * scale;
  if (!Number.isInteger(bytes) || bytes > max) throw new ArgumentError(argument, { expected, received: value });
  return bytes;
}

/**
 * parseTime reads a duration (microseconds, or text with a unit: `s`, `ms`,
 * `us`) and returns whole microseconds up to `max` (fractions cut off, as tc
 * does). Throws ArgumentError naming `argument`.
 */
export function parseTime(value: unknown, argument: string, max = 0xffffffff): number {
  if (typeof value === 'number') return checkInteger(value, argument, 0, max);
  const expected = `microseconds up to ${max}, or a time with a unit such as '100ms', '10us' or '1s'`;
  if (typeof value !== 'string') throw new ArgumentError(argument, { expected, received: value });
  const p = splitUnit(value);
  const unit = p?.unit.toLowerCase() ?? '';
  const scale = p === undefined ? undefined : unit === '' ? 1 : Object.hasOwn(TIME_UNITS, unit) ? TIME_UNITS[unit] : undefined;
  const us = p === undefined || scale === undefined ? NaN : Math.trunc(p.value * scale);
  if (!Number.isInteger(us) || us > max) throw new ArgumentError(argument, { expected, received: value });
  return us;
}

/**
 * Scheduler ticks per microsecond. The kernel's clock ticks every 64 ns
 * (PSCHED_SHIFT 6) and says so in /proc/net/psched (1000 ns per µs over 64
 * ns per tick, resolution 1 µs), which tc reads; the kernel has reported the
 * same figures since 2.6.31.
 */
export const TICKS_PER_USEC = 1000 / 64;
/** TIME_UNITS_PER_SEC: tc's time unit is the microsecond. */
const USEC_PER_SEC = 1e6;
const UINT32_MAX = 0xffffffff;

/** usecToTicks converts microseconds to scheduler ticks (tc_core_time2tick), rounded down to a u32 as tc stores it. */
export function usecToTicks(us: number): number {
  return Math.min(UINT32_MAX, Math.floor(us * TICKS_PER_USEC));
}

/** ticksToUsec converts scheduler ticks back to whole microseconds (tc_core_tick2time). */
export function ticksToUsec(ticks: number): number {
  return Math.floor(ticks / TICKS_PER_USEC);
}

/**
 * transmitTime is the time to send `size` bytes at `rate` bytes per second,
 * in ticks (tc_calc_xmittime), the unit of the kernel's token buckets
 * (htb's buffer, tbf's buffer). Computed as iproute2 6.1 computes it: the
 * time cut to whole microseconds, then to whole ticks (later iproute2
 * versions round up instead, a difference of up to 17 ticks), capped at 2^32-1.
 */
export function transmitTime(rate: number, size: number): number {
  const us = Math.trunc(USEC_PER_SEC * (size / rate));
  return Math.min(UINT32_MAX, Math.trunc(Math.min(us, UINT32_MAX) * TICKS_PER_USEC));
}

/** transmitSize is the inverse of transmitTime (tc_calc_xmitsize): the bytes `ticks` let through at `rate`, as tc prints a burst. */
export function transmitSize(rate: number, ticks: number): number {
  return Math.trunc((rate * Math.trunc(ticks / TICKS_PER_USEC)) / USEC_PER_SEC);
}

/** How the kernel accounts a packet's size on the wire: plain ('ethernet') or in 53-byte ATM cells carrying 48 ('atm'). */
export type LinkLayer = 'ethernet' | 'atm';
/** TC_LINKLAYER_* */
export const LINKLAYER = { ethernet: 1, atm: 2 } as const;

/** The parameters of a rate table, as tc_calc_rtable takes them. */
export interface RateTableInput {
  /** Bytes per second (capped at 2^32-1 in the table, as struct tc_ratespec holds it). */
  rate: number;
  /** The largest packet the table covers (tc's default 1600, hence cells of 8 bytes). */
  mtu: number;
  /** Smallest size a packet is accounted as. */
  mpu: number;
  /** Bytes added to every packet's size. */
  overhead: number;
  linklayer: LinkLayer;
}

/** A struct tc_ratespec and the 256-entry rate table tc sends beside it. */
export interface RateTable {
  spec: { cellLog: number; linklayer: number; overhead: number; cellAlign: number; mpu: number; rate: number };
  /** 256 u32 transmit times in ticks, in host byte order (TCA_*_RTAB, 1024 bytes). */
  table: Uint8Array;
}

/**
 * rateTable computes a struct tc_ratespec and its rate table as tc does
 * (tc_calc_rtable): cells of 2^cell_log bytes, the smallest cell_log for
 * which 256 cells cover `mtu`, entry i the transmit time of (i+1) cells
 * (at least `mpu`, in whole ATM cells for 'atm'). Kernels since 3.8 compute
 * transmit times themselves and read the table only from tc versions that
 * set no link layer, but tc still sends it, and so does nlkit.
 */
export function rateTable(p: RateTableInput): RateTable {
  const rate32 = Math.min(p.rate, UINT32_MAX);
  let cellLog = 0;
  while (p.mtu >> cellLog > 255) cellLog++;
  const table = new Uint8Array(1024);
  const view = new DataView(table.buffer);
  for (let i = 0; i < 256; i++) {
    let size = Math.max((i + 1) << cellLog, p.mpu);
    if (p.linklayer === 'atm') size = Math.ceil(size / 48) * 53;
    view.setUint32(i * 4, transmitTime(rate32, size), true);
  }
  // cell_align -1 is tc's: the table's cells are accounted from size - 1.
  return { spec: { cellLog, linklayer: LINKLAYER[p.linklayer], overhead: p.overhead, cellAlign: -1, mpu: p.mpu, rate: rate32 }, table };
}

/** linkLayerName reads tc_ratespec.linklayer (low 4 bits, TC_LINKLAYER_MASK); 'ethernet' for an unset one. */
export function linkLayerName(linklayer: number): LinkLayer {
  return (linklayer & 0x0f) === LINKLAYER.atm ? 'atm' : 'ethernet';
}

/** The kernel's clock rate as tc reads it from /proc/net/psched (get_hz): 10^9 on every kernel with high-resolution timers. */
export const PSCHED_HZ = 1e9;

/** defaultBurst is tc's burst when none is given: what `rate` sends in one clock tick, plus `mtu` (htb, tbf). */
export function defaultBurst(rate: number, mtu: number): number {
  return Math.floor(rate / PSCHED_HZ) + mtu;
}

/**
 * parsePercent reads a probability in percent (0 to 100, fractions allowed)
 * and returns it scaled to 2^32-1 as tc's get_percent does (rounded to the
 * nearest, halves to even), the form netem's loss, duplicate and correlations take. Throws
 * ArgumentError naming `argument`.
 */
export function parsePercent(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new ArgumentError(argument, { expected: 'a percentage from 0 to 100', received: value });
  }
  return roundHalfEven((value / 100) * UINT32_MAX);
}

/** roundHalfEven rounds to the nearest integer, halves to the even one, as C's rint does (30% is exactly 1288490188.5 of 2^32-1). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** percentOf turns a probability scaled to 2^32-1 back into percent, to 4 decimal places (what survives the scaling). */
export function percentOf(scaled: number): number {
  return Math.round((scaled / UINT32_MAX) * 100 * 1e4) / 1e4;
}
