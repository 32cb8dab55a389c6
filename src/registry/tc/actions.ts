/**
 * tc actions a filter runs on a match: gact verdicts (`drop`, `pass`, …)
 * and mirred (redirect or mirror to another device), as typed objects, and
 * their TCA_ACT_* form in the generated tc codec (TCA_*_ACT: an array of
 * actions, numbered from 1 in the order they run, as tc numbers them).
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkArray, checkOptions, isRecord, lookupName } from '../../netlink/args.js';
import type { IndexedItem } from '../../codec/support.js';
import type * as tc from '../../generated/tc.js';
import type { LinkRef } from '../context.js';
import { checkLinkRef } from '../validate.js';

/** TC_ACT_* verdicts by tc's names (linux/pkt_cls.h); `continue` is TC_ACT_UNSPEC. */
export const Verdict = {
  continue: -1,
  ok: 0,
  pass: 0,
  reclassify: 1,
  drop: 2,
  shot: 2,
  pipe: 3,
  stolen: 4,
  trap: 8,
} as const;
/** A gact verdict: 'drop', 'pass', 'ok', 'reclassify', 'pipe', 'stolen', 'trap', 'continue' ('shot' is 'drop'). */
export type VerdictName = keyof typeof Verdict;

const VERDICT_NAMES: Readonly<Record<number, VerdictName>> = { [-1]: 'continue', 0: 'pass', 1: 'reclassify', 2: 'drop', 3: 'pipe', 4: 'stolen', 8: 'trap' };

/** TCA_{EGRESS,INGRESS}_{REDIR,MIRROR}: mirred's action and direction (linux/tc_act/tc_mirred.h). */
const MIRRED_EACTION = { 'egress redirect': 1, 'egress mirror': 2, 'ingress redirect': 3, 'ingress mirror': 4 } as const;

/** gact: end the filter's work with a verdict (`tc … action drop`). */
export interface GactAction {
  kind: 'gact';
  /** The verdict. */
  action: VerdictName;
}

/** mirred: send the packet (redirect) or a copy of it (mirror) to another device's egress or ingress (`tc … action mirred egress redirect dev p1`). */
export interface MirredAction {
  kind: 'mirred';
  action: 'redirect' | 'mirror';
  /** Which way the packet enters `dev`. */
  direction: 'egress' | 'ingress';
  /** The target device (name or index; listed actions carry its index). */
  dev: LinkRef;
}

/** An action of a filter. */
export type Action = GactAction | MirredAction;

/** Resolves a device reference to its index (the caller's lookup; a placeholder while only checking). */
export type LinkResolver = (ref: LinkRef, argument: string) => Promise<number>;

/**
 * encodeActions checks `value` (an array of Action) and returns the
 * TCA_*_ACT array of the generated codec, devices resolved with `link`.
 * Throws ArgumentError naming `argument[i]…`.
 */
export async function encodeActions(value: unknown, argument: string, link: LinkResolver): Promise<Array<IndexedItem<tc.TcActAttrs>>> {
  const list = checkArray(value, argument);
  if (list.length === 0) throw new ArgumentError(argument, { reason: 'is empty: leave it out for no actions' });
  const out: Array<IndexedItem<tc.TcActAttrs>> = [];
  for (const [i, a] of list.entries()) out.push({ index: i + 1, value: await encodeAction(a, `${argument}[${i}]`, link) });
  return out;
}

async function encodeAction(a: unknown, argument: string, link: LinkResolver): Promise<tc.TcActAttrs> {
  if (!isRecord(a)) throw new ArgumentError(argument, { expected: "an action such as { kind: 'gact', action: 'drop' }", received: a });
  if (a.kind === 'gact') {
    const o = checkOptions(a, argument, ['kind', 'action']);
    const verdict = lookupName(Verdict, o.action, `${argument}.action`);
    return { kind: 'gact', options: { parms: { index: 0, capab: 0, action: verdict, refcnt: 0, bindcnt: 0 } } };
  }
  if (a.kind === 'mirred') {
    const o = checkOptions(a, argument, ['kind', 'action', 'direction', 'dev']);
    if (o.action !== 'redirect' && o.action !== 'mirror') throw new ArgumentError(`${argument}.action`, { expected: "'redirect' or 'mirror'", received: o.action });
    if (o.direction !== 'egress' && o.direction !== 'ingress') throw new ArgumentError(`${argument}.direction`, { expected: "'egress' or 'ingress'", received: o.direction });
    const dev = checkLinkRef(o.dev, `${argument}.dev`);
    const ifindex = await link(dev, `${argument}.dev`);
    // tc's control verdict after mirred: a redirected packet is gone (stolen), a mirrored one goes on (pipe).
    const action = o.action === 'redirect' ? Verdict.stolen : Verdict.pipe;
    return { kind: 'mirred', options: { parms: { index: 0, capab: 0, action, refcnt: 0, bindcnt: 0, eaction: MIRRED_EACTION[`${o.direction} ${o.action}`], ifindex } } };
  }
  throw new ArgumentError(`${argument}.kind`, { expected: "'gact' or 'mirred'", received: a.kind });
}

/**
 * decodeActions turns a decoded TCA_*_ACT array into Actions, in the order
 * they run; undefined when there is none. Actions nlkit has no type for
 * are left out (they stay in the filter's `attrs`).
 */
export function decodeActions(list: ReadonlyArray<IndexedItem<tc.TcActAttrs>> | undefined): Action[] | undefined {
  if (list === undefined) return undefined;
  const out: Action[] = [];
  for (const { value: a } of [...list].sort((x, y) => x.index - y.index)) {
    if (a.kind === 'gact') {
      const parms = (a.options as tc.TcActGactAttrs | undefined)?.parms;
      if (parms !== undefined) out.push({ kind: 'gact', action: VERDICT_NAMES[parms.action] ?? (parms.action as never) });
    } else if (a.kind === 'mirred') {
      const parms = (a.options as tc.TcActMirredAttrs | undefined)?.parms;
      if (parms === undefined) continue;
      const [direction, action] = (Object.entries(MIRRED_EACTION).find(([, v]) => v === parms.eaction)?.[0] ?? 'egress redirect').split(' ') as ['egress' | 'ingress', 'redirect' | 'mirror'];
      out.push({ kind: 'mirred', action, direction, dev: parms.ifindex });
    }
  }
  return out;
}
