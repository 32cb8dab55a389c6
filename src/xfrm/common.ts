/**
 * What the xfrm services share: the handle's state, input checks, and the
 * "no limit" lifetime iproute2 and the kernel use.
 */
import type { Connection } from '../netlink/connection.js';
import { ArgumentError } from '../netlink/errors.js';
import type * as xfrm from '../generated/xfrm.js';

/** The generated NETLINK_XFRM codec module, loaded by Xfrm.open (importing nlkit loads no codec). */
export type XfrmCodec = typeof xfrm;

/** What the services need from an Xfrm handle. */
export interface XfrmContext {
  readonly conn: Connection;
  readonly codec: XfrmCodec;
}

/** XFRM_INF: a byte or packet limit that never triggers. */
export const XFRM_INF = 0xffffffffffffffffn;

/** A lifetime with no limits, as `ip xfrm … add` sends when none is given. */
export const NO_LIMITS: xfrm.LifetimeCfg = {
  softByteLimit: XFRM_INF,
  hardByteLimit: XFRM_INF,
  softPacketLimit: XFRM_INF,
  hardPacketLimit: XFRM_INF,
  softAddExpiresSeconds: 0n,
  hardAddExpiresSeconds: 0n,
  softUseExpiresSeconds: 0n,
  hardUseExpiresSeconds: 0n,
};

/** checkUint throws ArgumentError unless `v` is an integer in [0, max]. */
export function checkUint(argument: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ArgumentError(argument, { expected: `an integer from 0 to ${max}`, received: v });
  return v;
}

/** checkObject throws ArgumentError unless `v` is a plain object (undefined allowed when optional: then {}). */
export function checkObject(argument: string, v: unknown, optional = false): Record<string, unknown> {
  if (v === undefined && optional) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArgumentError(argument, { expected: 'an object', received: v });
  return v as Record<string, unknown>;
}

/** A mark and mask (XFRMA_MARK): a number means mask 0xffffffff. */
export type XfrmMarkSpec = number | { value: number; mask: number };

/** checkMark checks a mark spec into struct xfrm_mark. */
export function checkMark(argument: string, v: unknown): xfrm.Mark {
  if (typeof v === 'number') return { v: checkUint(argument, v, 0xffffffff), m: 0xffffffff };
  const o = checkObject(argument, v);
  return { v: checkUint(`${argument}.value`, o.value, 0xffffffff), m: checkUint(`${argument}.mask`, o.mask, 0xffffffff) };
}
