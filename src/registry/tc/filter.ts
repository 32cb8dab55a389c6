/**
 * Filters (classifiers): the plain object a listed filter becomes, and the
 * RTM_NEWTFILTER / RTM_DELTFILTER messages built from what callers give
 * (`tc filter add dev veth0 parent 1: protocol ip prio 1 u32 match ip dst
 * 10.0.0.1/32 flowid 1:10`).
 *
 * A filter is found by its device, its parent (the qdisc or class whose
 * filter block it is in), its priority and protocol (tcm_info: prio in the
 * upper 16 bits, the protocol in network byte order in the lower), and,
 * within that, by its kind-specific handle.
 */
import { ArgumentError } from '../../netlink/errors.js';
import { checkInteger, checkOptions } from '../../netlink/args.js';
import * as tc from '../../generated/tc.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import type { LinkRef } from '../context.js';
import { checkLinkRef } from '../validate.js';
import { TC_H_INGRESS, TC_H_ROOT, filterParentName, parseFilterParent, type FilterParent } from './handle.js';
import { FILTER_KINDS, formatU32Handle, parseU32Handle, type EncodeEnv, type FilterKind, type FilterOptionsByKind } from './kinds/index.js';
import { decodeKindOptions, kindAttributes } from './common.js';
import { ethProtocolName, ethProtocolNumber, EthProtocol, type EthProtocolName } from '../vocabulary.js';
import { checkKindName } from './qdisc.js';

/** What every filter has, whatever its kind. */
interface FilterFields {
  /** Interface index. */
  dev: number;
  /** The block it is in: 'root', 'ingress', 'egress' or a qdisc or class handle (`'1:'`). */
  parent: 'root' | 'ingress' | 'egress' | string;
  /** Its priority (tc's `prio`/`pref`): lower runs first. */
  priority: number;
  /** The link-layer protocol it applies to: 'all', 'ip', 'ipv6', … or the ETH_P_* number. */
  protocol: EthProtocolName | number;
  /**
   * Its handle within the priority: u32's `'800::800'` (hash table, bucket,
   * node, as tc writes it), a number for other kinds; undefined for the entry
   * that stands for the whole priority (the kernel lists one first).
   */
  handle: string | number | undefined;
  /** The filter chain (tc's `chain`), 0 by default. */
  chain: number;
  /** Every attribute the kernel sent, typed from the tc spec. */
  attrs: tc.TcAttrs;
}

/**
 * A filter as `list()` returns it; `options` typed by `kind` for u32,
 * flower and matchall, in the shape `add` takes. Like `tc filter show`, a
 * u32 filter is listed as several entries: its priority, its hash table
 * (`'800:'`, with `divisor`) and each node (`'800::800'`, with `keys`).
 */
export type Filter = { [K in FilterKind]: FilterFields & { kind: K; options: FilterOptionsByKind[K] | undefined } }[FilterKind] | (FilterFields & { kind: string; options: undefined });

/** A filter to add or replace (`tc filter add dev DEV parent P protocol PROTO prio N [handle H] [chain C] KIND OPTIONS`). */
export type FilterSpec = {
  [K in FilterKind]: {
    dev: LinkRef;
    kind: K;
    /** Its block: 'root' (the default), a qdisc or class (`'1:'`), or a clsact's (or ingress qdisc's) 'ingress' / 'egress'. */
    parent?: FilterParent;
    /** 1 to 65535; absent: the kernel picks (49152 for the first, one less for each further). */
    priority?: number;
    /** The link-layer protocol: 'all' (the default, as tc), 'ip', 'ipv6', … or an ETH_P_* number. */
    protocol?: EthProtocolName | number;
    /** Its handle (u32: `'800::800'`; others: a number); absent: the kernel picks. */
    handle?: string | number;
    /** The chain (0 by default). */
    chain?: number;
    options?: FilterOptionsByKind[K];
  };
}[FilterKind];

/** Which filters to delete: by device, parent and priority (the whole priority), or with `handle` and `kind` one of them; a listed Filter will do as it is. */
export interface FilterRef {
  dev: LinkRef;
  parent?: FilterParent;
  /** Required: the kernel would otherwise delete every filter of the block. */
  priority: number;
  protocol?: EthProtocolName | number;
  handle?: string | number;
  kind?: string;
  chain?: number;
}

/** filterFromMessage turns a decoded RTM_NEWTFILTER into a Filter. */
export function filterFromMessage(m: tc.TcMessage): Filter {
  const a = m.attrs;
  const h = m.header;
  const out = {
    __proto__: JsonReady,
    dev: h.ifindex,
    kind: a.kind ?? '',
    parent: filterParentName(h.parent),
    priority: h.info >>> 16,
    protocol: ethProtocolName(swap16(h.info & 0xffff)),
    handle: h.handle === 0 ? undefined : a.kind === 'u32' ? formatU32Handle(h.handle) : h.handle,
    chain: a.chain ?? 0,
    options: decodeKindOptions(FILTER_KINDS, a) as undefined,
    attrs: a,
  } satisfies JsonObject<Filter>;
  return out;
}

/** The 16-bit byte swap between host and network order of tcm_info's protocol. */
function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >>> 8);
}

/** tcm_info: TC_H_MAKE(prio << 16, htons(protocol)). */
export function filterInfo(priority: number, protocol: number): number {
  return ((priority << 16) | swap16(protocol)) >>> 0;
}

const SPEC_KEYS = ['dev', 'kind', 'parent', 'priority', 'protocol', 'handle', 'chain', 'options'];
/** A listed Filter's fields, accepted (and ignored) by delete. */
const LISTED_KEYS = ['options', 'attrs'];

function checkParent(v: unknown, argument: string): number {
  const parent = v === undefined ? TC_H_ROOT : parseFilterParent(v, argument);
  if (parent === TC_H_INGRESS) throw new ArgumentError(argument, { reason: "'ffff:fff1' is the ingress qdisc's own place; filters go on 'ingress' or 'ffff:'" });
  return parent;
}

function checkHandle(v: unknown, kind: unknown, argument: string): number {
  return kind === 'u32' ? parseU32Handle(v, argument) : checkInteger(v, argument, 1, 0xffffffff);
}

/** filterMessage checks a FilterSpec and builds its RTM_NEWTFILTER body for interface `ifindex`. Throws ArgumentError. */
export async function filterMessage(spec: unknown, ifindex: number, env: Omit<EncodeEnv, 'protocol'>): Promise<tc.TcMessageInput> {
  const s = checkOptions(spec, 'spec', SPEC_KEYS);
  checkLinkRef(s.dev, 'spec.dev');
  const parent = checkParent(s.parent, 'spec.parent');
  const priority = s.priority === undefined ? 0 : checkInteger(s.priority, 'spec.priority', 1, 0xffff);
  const protocol = s.protocol === undefined ? EthProtocol.all : ethProtocolNumber(s.protocol, 'spec.protocol');
  const handle = s.handle === undefined ? 0 : checkHandle(s.handle, s.kind, 'spec.handle');
  const attrs = await kindAttributes(FILTER_KINDS, s.kind, s.options, 'filter', { ...env, protocol });
  if (s.chain !== undefined) attrs.chain = checkInteger(s.chain, 'spec.chain', 0, 0xffffffff);
  return { header: { ifindex, parent, handle, info: filterInfo(priority, protocol) }, attrs };
}

/** filterDeleteMessage checks a FilterRef and builds its RTM_DELTFILTER body. Throws ArgumentError. */
export function filterDeleteMessage(ref: unknown, ifindex: number): tc.TcMessageInput {
  const r = checkOptions(ref, 'filter', ['dev', 'parent', 'priority', 'protocol', 'handle', 'kind', 'chain', ...LISTED_KEYS]);
  checkLinkRef(r.dev, 'filter.dev');
  const parent = checkParent(r.parent, 'filter.parent');
  if (r.priority === undefined) throw new ArgumentError('filter.priority', { reason: 'is required: without it the kernel deletes every filter of the block' });
  const priority = checkInteger(r.priority, 'filter.priority', 1, 0xffff);
  // tc deletes by any protocol unless told one.
  const protocol = r.protocol === undefined ? 0 : ethProtocolNumber(r.protocol, 'filter.protocol');
  const handle = r.handle === undefined ? 0 : checkHandle(r.handle, r.kind, 'filter.handle');
  if (handle !== 0 && r.kind === undefined) throw new ArgumentError('filter.kind', { reason: 'is required with a handle: handles are the kind\'s own' });
  const attrs: tc.TcAttrs = {};
  if (r.kind !== undefined) attrs.kind = checkKindName(r.kind, 'filter.kind');
  if (r.chain !== undefined) attrs.chain = checkInteger(r.chain, 'filter.chain', 0, 0xffffffff);
  return { header: { ifindex, parent, handle, info: filterInfo(priority, protocol) }, attrs };
}
