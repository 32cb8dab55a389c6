/**
 * Classes (of classful qdiscs such as htb): the plain object a listed
 * class becomes, and the RTM_NEWTCLASS / RTM_DELTCLASS messages built from
 * what callers give (`tc class add dev veth0 parent 1: classid 1:10 htb
 * rate 1mbit`).
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkOptions } from '../../netlink/args.js';
import * as tc from '../../generated/tc.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import type { LinkRef } from '../context.js';
import { checkLinkRef } from '../validate.js';
import { TC_H_INGRESS, TC_H_ROOT, formatHandle, parseHandle, parseQdiscParent, qdiscParentName, type Handle } from './handle.js';
import { CLASS_KINDS, type ClassKind, type ClassOptionsByKind, type EncodeEnv } from './kinds/index.js';
import type { HtbClassOptionsInput } from './kinds/htb.js';
import { decodeKindOptions, kindAttributes, statisticsOf, type TcStatistics } from './common.js';
import { checkKindName } from './qdisc.js';

/** What every class has, whatever its kind. */
interface ClassFields {
  /** Interface index. */
  dev: number;
  /** The class's id, `'1:10'` (tcm_handle). */
  classid: string;
  /** Its parent class (`'1:10'`), or 'root' for a class directly under its qdisc. */
  parent: 'root' | string;
  /** The qdisc inside the class (tcm_info), `'20:'`; undefined for inner classes. */
  leaf: string | undefined;
  /** Counters (volatile). */
  stats: TcStatistics | undefined;
  /** Every attribute the kernel sent, typed from the tc spec. */
  attrs: tc.TcAttrs;
}

/** A class as `list()` returns it; `options` are typed by `kind` (htb), in the shape `add` takes. */
export type TcClass = { [K in ClassKind]: ClassFields & { kind: K; options: ClassOptionsByKind[K] | undefined } }[ClassKind] | (ClassFields & { kind: string; options: undefined });

/** The options `add` takes per class kind (rates and sizes may be text with tc's units). */
export interface ClassOptionsInputByKind {
  htb: HtbClassOptionsInput;
}

/** A class to add or replace (`tc class add dev DEV parent P classid C KIND OPTIONS`). */
export type ClassSpec = {
  [K in ClassKind]: {
    dev: LinkRef;
    kind: K;
    /** Its id, `'1:10'`: the major is its qdisc's, the minor its own (not 0). */
    classid: Handle;
    /** The parent class (`'1:10'`), or the qdisc (`'1:'`) or 'root' (the default) for a top-level class. */
    parent?: 'root' | Handle;
    options: ClassOptionsInputByKind[K];
  };
}[ClassKind];

/** Which class to delete: its device and id; a listed TcClass will do as it is. */
export interface ClassRef {
  dev: LinkRef;
  classid: Handle;
  /** With a listed class: its kind (checked, not sent: the class id names the class). */
  kind?: string;
}

/** classFromMessage turns a decoded RTM_NEWTCLASS into a TcClass. */
export function classFromMessage(m: tc.TcMessage): TcClass {
  const a = m.attrs;
  const parent = qdiscParentName(m.header.parent, a.kind);
  const out = {
    __proto__: JsonReady,
    dev: m.header.ifindex,
    kind: a.kind ?? '',
    classid: formatHandle(m.header.handle),
    parent,
    leaf: m.header.info === 0 ? undefined : formatHandle(m.header.info),
    options: decodeKindOptions(CLASS_KINDS, a) as undefined,
    stats: statisticsOf(a),
    attrs: a,
  } satisfies JsonObject<TcClass>;
  return out;
}

const SPEC_KEYS = ['dev', 'kind', 'classid', 'parent', 'options'];
/** A listed TcClass's fields, accepted (and ignored) by delete. */
const LISTED_KEYS = ['parent', 'leaf', 'options', 'stats', 'attrs'];

/** classMessage checks a ClassSpec and builds its RTM_NEWTCLASS body for interface `ifindex`. Throws ArgumentError. */
export async function classMessage(spec: unknown, ifindex: number, env: EncodeEnv): Promise<tc.TcMessageInput> {
  const s = checkOptions(spec, 'spec', SPEC_KEYS);
  checkLinkRef(s.dev, 'spec.dev');
  const handle = checkClassid(s.classid, 'spec.classid');
  const parent = s.parent === undefined ? TC_H_ROOT : parseQdiscParent(s.parent, 'spec.parent');
  if (parent === TC_H_INGRESS) throw new ArgumentError('spec.parent', { reason: 'ingress and clsact have no classes' });
  if (parent !== TC_H_ROOT && parent >>> 16 !== handle >>> 16) {
    throw new ArgumentError('spec.parent', { reason: `${JSON.stringify(s.parent)} is not in the qdisc of classid ${JSON.stringify(s.classid)}: their majors differ` });
  }
  const attrs = await kindAttributes(CLASS_KINDS, s.kind, s.options, 'class', env);
  return { header: { ifindex, parent, handle }, attrs };
}

/** classDeleteMessage checks a ClassRef and builds its RTM_DELTCLASS body. Throws ArgumentError. */
export function classDeleteMessage(ref: unknown, ifindex: number): tc.TcMessageInput {
  const r = checkOptions(ref, 'class', ['dev', 'classid', 'kind', ...LISTED_KEYS]);
  checkLinkRef(r.dev, 'class.dev');
  const handle = checkClassid(r.classid, 'class.classid');
  if (r.kind !== undefined) checkKindName(r.kind, 'class.kind');
  return { header: { ifindex, handle }, attrs: {} };
}

/** A class id has both parts: a major (its qdisc) and a minor other than 0. */
function checkClassid(v: unknown, argument: string): number {
  if (v === undefined) throw new ArgumentError(argument, { reason: "is required: the class's id such as '1:10'" });
  const h = parseHandle(v, argument);
  if ((h & 0xffff) === 0 || h >>> 16 === 0 || h >>> 16 === 0xffff) throw new ArgumentError(argument, { expected: "a class id 'major:minor' with neither part 0 (nor the major ffff), such as '1:10'", received: v });
  return h;
}
