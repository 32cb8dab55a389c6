/**
 * Qdiscs: the plain object a listed qdisc becomes, and the RTM_NEWQDISC /
 * RTM_DELQDISC messages built from what callers give (`tc qdisc add dev
 * veth0 root handle 1: htb default 10`).
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkOptions } from '../../netlink/args.js';
import * as tc from '../../generated/tc.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import type { LinkRef } from '../context.js';
import { checkLinkRef } from '../validate.js';
import { INGRESS_HANDLE, TC_H_INGRESS, TC_H_ROOT, TC_H_UNSPEC, formatHandle, parseHandle, parseQdiscParent, qdiscParentName, type Handle, type QdiscParent } from './handle.js';
import { QDISC_KINDS, type EncodeEnv, type QdiscKind, type QdiscOptionsByKind } from './kinds/index.js';
import { decodeKindOptions, kindAttributes, statisticsOf, type TcStatistics } from './common.js';
import type { HtbQdiscOptions, TbfOptions, NetemOptions, FqCodelOptions, PrioOptions, FifoOptions, NoOptions } from './kinds/index.js';
import type { RateInput, SizeInput, TimeInput } from './units.js';

/** What every qdisc has, whatever its kind. */
interface QdiscFields {
  /** Interface index (tcm_ifindex). */
  dev: number;
  /** The qdisc's handle, `'1:'` (tcm_handle; the kernel picks one, such as `'8001:'`, when none is given). */
  handle: string;
  /** Where it hangs: 'root', 'ingress', 'clsact' or the class it is the leaf of (`'1:10'`). */
  parent: 'root' | 'ingress' | 'clsact' | string;
  /** Counters (volatile: they change without notifications). */
  stats: TcStatistics | undefined;
  /** Every attribute the kernel sent, typed from the tc spec. */
  attrs: tc.TcAttrs;
}

/**
 * A qdisc as `list()` returns it. `options` are typed by `kind` for the
 * kinds nlkit can add, in the same shape `add` takes; other kinds (the
 * kernel's `noqueue`, `pfifo_fast`, `mq`, …) have `options` undefined and
 * their TCA_OPTIONS in `attrs`.
 */
export type Qdisc = { [K in QdiscKind]: QdiscFields & { kind: K; options: QdiscOptionsByKind[K] | undefined } }[QdiscKind] | (QdiscFields & { kind: string; options: undefined });

/** The options `add` takes per kind: rates, sizes and times may also be text with tc's units (`'1mbit'`, `'10kb'`, `'100ms'`). */
export interface QdiscOptionsInputByKind {
  htb: HtbQdiscOptions;
  pfifo: FifoOptions;
  bfifo: { limit?: SizeInput };
  ingress: NoOptions;
  clsact: NoOptions;
  netem: Omit<NetemOptions, 'delay' | 'jitter' | 'rate'> & { delay?: TimeInput; jitter?: TimeInput; rate?: RateInput };
  fq_codel: Omit<FqCodelOptions, 'target' | 'interval' | 'ceThreshold' | 'quantum' | 'memoryLimit'> & { target?: TimeInput; interval?: TimeInput; ceThreshold?: TimeInput; quantum?: SizeInput; memoryLimit?: SizeInput };
  tbf: Omit<TbfOptions, 'rate' | 'burst' | 'limit' | 'latency' | 'peakrate' | 'mtu'> & { rate: RateInput; burst: SizeInput; limit?: SizeInput; latency?: TimeInput; peakrate?: RateInput; mtu?: SizeInput };
  prio: PrioOptions;
}

/** A qdisc to add or replace (`tc qdisc add dev DEV [parent P | root | ingress | clsact] [handle H] KIND OPTIONS`). */
export type QdiscSpec = {
  [K in QdiscKind]: {
    /** The device (name or index). */
    dev: LinkRef;
    kind: K;
    /** Where it goes: 'root' (the default), a class (`'1:10'`); ingress and clsact qdiscs always go on 'ingress'/'clsact'. */
    parent?: QdiscParent;
    /** Its handle (`'1:'`; the minor must be 0); absent: the kernel picks one. */
    handle?: Handle;
    options?: QdiscOptionsInputByKind[K];
  };
}[QdiscKind];

/** Which qdisc to delete: the device and its parent (default 'root'), or its handle; a listed Qdisc will do as it is. */
export interface QdiscRef {
  dev: LinkRef;
  /** 'root', 'ingress', 'clsact' or a class handle. */
  parent?: QdiscParent;
  /** The qdisc's handle, to name it without its parent or to make sure the right one goes. */
  handle?: Handle;
  /** With a listed Qdisc: ingress/clsact qdiscs are found on their hook. */
  kind?: string;
}

/** qdiscFromMessage turns a decoded RTM_NEWQDISC into a Qdisc. */
export function qdiscFromMessage(m: tc.TcMessage): Qdisc {
  const a = m.attrs;
  const out = {
    __proto__: JsonReady,
    dev: m.header.ifindex,
    kind: a.kind ?? '',
    handle: formatHandle(m.header.handle),
    parent: qdiscParentName(m.header.parent, a.kind),
    options: decodeKindOptions(QDISC_KINDS, a) as undefined,
    stats: statisticsOf(a),
    attrs: a,
  } satisfies JsonObject<Qdisc>;
  return out;
}

const SPEC_KEYS = ['dev', 'kind', 'parent', 'handle', 'options'];
/** A listed Qdisc's fields, accepted (and ignored) by delete. */
const LISTED_KEYS = ['options', 'stats', 'attrs'];

/**
 * qdiscMessage checks a QdiscSpec and builds its RTM_NEWQDISC body for
 * interface `ifindex`. Throws ArgumentError naming the field.
 */
export async function qdiscMessage(spec: unknown, ifindex: number, env: EncodeEnv): Promise<tc.TcMessageInput> {
  const s = checkOptions(spec, 'spec', SPEC_KEYS);
  checkLinkRef(s.dev, 'spec.dev');
  const hook = s.kind === 'ingress' || s.kind === 'clsact';
  let parent: number;
  let handle: number;
  if (hook) {
    // tc puts ingress and clsact on their own hook, always with handle ffff:.
    parent = s.parent === undefined ? TC_H_INGRESS : parseQdiscParent(s.parent, 'spec.parent');
    if (parent !== TC_H_INGRESS) throw new ArgumentError('spec.parent', { expected: `'${s.kind as string}' (the ${s.kind as string} qdisc has a hook of its own)`, received: s.parent });
    handle = s.handle === undefined ? INGRESS_HANDLE : parseHandle(s.handle, 'spec.handle');
    if (handle !== INGRESS_HANDLE) throw new ArgumentError('spec.handle', { expected: "'ffff:' (or none)", received: s.handle });
  } else {
    parent = s.parent === undefined ? TC_H_ROOT : parseQdiscParent(s.parent, 'spec.parent');
    if (parent === TC_H_INGRESS) throw new ArgumentError('spec.parent', { reason: `only ingress and clsact qdiscs go on the ingress hook, not ${JSON.stringify(s.kind)}` });
    handle = s.handle === undefined ? TC_H_UNSPEC : parseHandle(s.handle, 'spec.handle');
    if (handle & 0xffff) throw new ArgumentError('spec.handle', { expected: "a qdisc handle 'major:' (the minor is 0; 'maj:min' names a class)", received: s.handle });
  }
  const attrs = await kindAttributes(QDISC_KINDS, s.kind, s.options, 'qdisc', env);
  return { header: { ifindex, parent, handle }, attrs };
}

/** qdiscDeleteMessage checks a QdiscRef and builds its RTM_DELQDISC body. Throws ArgumentError. */
export function qdiscDeleteMessage(ref: unknown, ifindex: number): tc.TcMessageInput {
  const r = checkOptions(ref, 'qdisc', ['dev', 'parent', 'handle', 'kind', ...LISTED_KEYS]);
  checkLinkRef(r.dev, 'qdisc.dev');
  const hook = r.kind === 'ingress' || r.kind === 'clsact';
  // As tc: ingress and clsact are named by their hook, their fixed handle and their kind.
  const handle = r.handle !== undefined ? parseHandle(r.handle, 'qdisc.handle') : hook ? INGRESS_HANDLE : TC_H_UNSPEC;
  // Without a parent, a handle names the qdisc alone (the kernel looks it up); otherwise tc's default: root.
  const parent = r.parent !== undefined ? parseQdiscParent(r.parent, 'qdisc.parent') : hook ? TC_H_INGRESS : handle !== TC_H_UNSPEC ? TC_H_UNSPEC : TC_H_ROOT;
  return { header: { ifindex, parent, handle }, attrs: r.kind === undefined ? {} : { kind: checkKindName(r.kind, 'qdisc.kind') } };
}

/** checkKindName validates a kind name to send (TCA_KIND): a string of 1 to 15 bytes without NUL. Throws ArgumentError. */
export function checkKindName(v: unknown, argument: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 15 || v.includes('\0')) throw new ArgumentError(argument, { expected: 'a kind name such as "htb" (1 to 15 characters, no NUL)', received: v });
  return v;
}
