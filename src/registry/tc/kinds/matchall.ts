/**
 * matchall: every packet matches; the filter exists for its actions (or
 * to send everything to one class).
 */
import * as tc from '../../../generated/tc.js';
import { decodeActions, encodeActions, type Action } from '../actions.js';
import { formatHandle, parseHandle, type Handle } from '../handle.js';
import { clsFlags, type OptionsCodec } from './filter-common.js';

/** Options of a matchall filter (`tc filter add … matchall action drop`). */
export interface MatchallOptions {
  /** The class every packet goes to. */
  classid?: Handle;
  /** Actions run on every packet. */
  actions?: Action[];
  skipHw?: boolean;
  skipSw?: boolean;
}

/** matchall's options (TCA_MATCHALL_FLAGS sent only when set, as tc does). */
export const matchall: OptionsCodec<MatchallOptions> = {
  keys: ['classid', 'actions', 'skipHw', 'skipSw'],
  async encode(o, arg, env): Promise<tc.TcMatchallAttrs> {
    const out: tc.TcMatchallAttrs = {};
    if (o.classid !== undefined) out.classid = parseHandle(o.classid, `${arg}.classid`);
    if (o.actions !== undefined) out.act = await encodeActions(o.actions, `${arg}.actions`, env.link);
    const flags = clsFlags(o, arg).reduce((bits, f) => bits | tc.TcClsFlags[f], 0);
    if (flags !== 0) out.flags = flags;
    return out;
  },
  decode(options) {
    const a = options as tc.TcMatchallAttrs | undefined;
    if (a === undefined) return undefined;
    const flags = a.flags ?? 0;
    return {
      classid: a.classid === undefined ? undefined : formatHandle(a.classid),
      actions: decodeActions(a.act),
      skipHw: flags & tc.TcClsFlags['skip-hw'] ? true : undefined,
      skipSw: flags & tc.TcClsFlags['skip-sw'] ? true : undefined,
    };
  },
};
