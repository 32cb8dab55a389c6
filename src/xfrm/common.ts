/**
 * What the xfrm services share: the handle's state, input checks, and the
 * "no limit" lifetime iproute2 and the kernel use.
 */
import type { Connection } from '../netlink/connection.js';
import { checkObject } from '../netlink/args.js';
import { checkUint } from '../registry/validate.js';
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

/** A mark and mask (XFRMA_MARK): a number means mask 0xffffffff. */
export type XfrmMarkSpec = number | { value: number; mask: number };

/** checkMark checks a mark spec into struct xfrm_mark. */
export function checkMark(argument: string, v: unknown): xfrm.Mark {
  if (typeof v === 'number') return { v: checkUint(v, argument, 0xffffffff), m: 0xffffffff };
  const o = checkObject(v, argument);
  return { v: checkUint(o.value, `${argument}.value`, 0xffffffff), m: checkUint(o.mask, `${argument}.mask`, 0xffffffff) };
}
