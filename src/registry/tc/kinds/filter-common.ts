/**
 * What the filter kinds (u32, flower, matchall) share: the hardware
 * offload switches and the input-device match.
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkBoolean } from '../../../netlink/args.js';
import type { Options } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import { checkLinkName } from '../../validate.js';

export type { OptionsCodec } from './kind.js';

/**
 * clsFlags reads `skipHw` / `skipSw` (TCA_CLS_FLAGS_SKIP_HW / SKIP_SW:
 * keep the filter out of hardware / software); both at once is refused,
 * as tc refuses it. Throws ArgumentError.
 */
export function clsFlags(o: Options, arg: string): tc.TcClsFlags[] {
  const out: tc.TcClsFlags[] = [];
  if (o.skipHw !== undefined && checkBoolean(o.skipHw, `${arg}.skipHw`)) out.push('skip-hw');
  if (o.skipSw !== undefined && checkBoolean(o.skipSw, `${arg}.skipSw`)) out.push('skip-sw');
  if (out.length === 2) throw new ArgumentError(`${arg}.skipSw`, { reason: 'skipHw and skipSw exclude each other: the filter must run somewhere' });
  return out;
}

/** checkIndev validates a device name to match packets' input device by (the kernel looks it up by name). Throws ArgumentError. */
export function checkIndev(v: unknown, argument: string): string {
  return checkLinkName(v, argument);
}
