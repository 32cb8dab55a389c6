/**
 * Rules: the policy-routing rules of one namespace (`ip rule`), IPv4 and
 * IPv6 — list, add, delete. Requests are built with the generated rt-rule
 * codecs; what is returned is a plain `Rule`.
 */
import { NLM_F_CREATE, NLM_F_EXCL } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkBoolean, checkInteger, checkKeys, isRecord, lookupName } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import type * as rtRule from '../generated/rt-rule.js';
import type { RtnlContext } from '../registry/context.js';
import { listObjects, sendKind } from '../registry/kind.js';
import type { MulticastRuleFamily, Rule, RuleFamily, RuleFilter } from '../registry/kinds/rule.js';
import { ruleKind } from '../registry/kinds/rule-kind.js';
// The rule kind's codec, which ruleKind loads on first use, goes into this service's file (a
// build layer, tsup.config.ts): one file to load when rules are first used, not three.
import '../registry/kinds/rule.js';
import { Family, MulticastFamily, RouteTable, RuleActions, ipProtocolNumber, ruleFamilyName, ruleFamilyNumber, protocolNumber, type IpProtocolName, type RouteProtocolName, type RuleAction } from '../registry/vocabulary.js';
import { parsePrefix, type Prefix } from '../registry/prefix.js';
import { callOptions, checkLinkName, checkUint } from '../registry/validate.js';

type RuleAttrs = rtRule.RuleAttrs;

/** A routing table by number or by the name `ip` gives it. */
export type RuleTable = number | 'default' | 'main' | 'local';
/** The table names a rule takes (RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL). */
const RULE_TABLES = { default: RouteTable.default, main: RouteTable.main, local: RouteTable.local } as const;

/** IP protocols `ipProto` takes by name (IPPROTO_*). */
export type RuleIpProtocol = IpProtocolName;

/** Originators `protocol` takes by name (RTPROT_*). */
export type RuleProtocol = RouteProtocolName;

/**
 * A rule to add, or to delete (then every field given must match, and the
 * first matching rule goes; absent fields match anything).
 */
export interface RuleSpec {
  /** Default: the family of `from`/`to`, else 'inet'. 'ipmr' and 'ip6mr' are the multicast-routing rules (`ip mrule`). */
  family?: RuleFamily | MulticastRuleFamily;
  /** Preference (FRA_PRIORITY); the kernel picks one below the lowest non-zero when absent. */
  priority?: number;
  /** Source prefix: `10.0.0.0/8`, an address (a host prefix), or `all`. */
  from?: string;
  /** Destination prefix. */
  to?: string;
  /** Table to look up; numbers above 255 go in FRA_TABLE. Default for 'to_tbl' when adding: 'main'. */
  table?: RuleTable;
  /** What to do (FR_ACT_*); default when adding: 'goto' when `goto` is set, else 'to_tbl'. */
  action?: RuleAction;
  /** Target priority for 'goto' (FRA_GOTO); must be after this rule. */
  goto?: number;
  /** Input device name (FRA_IIFNAME); it need not exist. */
  iif?: string;
  /** Output device name (FRA_OIFNAME). */
  oif?: string;
  /** Firewall mark (FRA_FWMARK). */
  fwmark?: number;
  /** Mask for `fwmark` (FRA_FWMASK). */
  fwmask?: number;
  /** TOS byte to match. */
  tos?: number;
  /** DSCP to match, 0–63 (FRA_DSCP; kernels from 6.13). */
  dscp?: number;
  /** IP protocol (FRA_IP_PROTO), by number or name ('tcp', 'udp', …). */
  ipProto?: number | RuleIpProtocol;
  /** Source port or inclusive range (FRA_SPORT_RANGE). */
  sport?: number | [number, number];
  /** Destination port or inclusive range (FRA_DPORT_RANGE). */
  dport?: number | [number, number];
  /** Inclusive UID range (FRA_UID_RANGE). */
  uidRange?: [number, number];
  /** FRA_SUPPRESS_PREFIXLEN, 0–128. */
  suppressPrefixLength?: number;
  /** FRA_SUPPRESS_IFGROUP */
  suppressIfgroup?: number;
  /** Negate the selector (FIB_RULE_INVERT). */
  invert?: boolean;
  /** Originator (FRA_PROTOCOL), by number or name ('static', 'boot', …). */
  protocol?: number | RuleProtocol;
  /** Look up the l3mdev's (VRF's) table (FRA_L3MDEV); no `table` then. */
  l3mdev?: boolean;
}

/** Rules: the `rules` service of an Rtnl handle (policy-routing rules, both families). */
export class Rules {
  /** @internal */
  constructor(private readonly ctx: RtnlContext) {}

  /**
   * list dumps the rules: by default the IPv4 and IPv6 ones (as `ip rule`
   * and `ip -6 rule` show them), or those of `filter.family` ('all' for every
   * family); a named family is filtered by the kernel. Throws ArgumentError
   * for an unknown family, KernelError (EAFNOSUPPORT).
   */
  async list(filter: RuleFilter = {}, options?: DumpOptions): Promise<Rule[]> {
    return listObjects(this.ctx, ruleKind, filter, options);
  }

  /**
   * add adds a rule (RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL, as `ip rule
   * add`). `options`: `timeout`, `signal`. Throws ArgumentError for invalid
   * input before anything is sent, KernelError (EEXIST for an identical
   * rule, EINVAL with the kernel's message, e.g. a backward goto).
   */
  async add(spec: RuleSpec, options?: CallOptions): Promise<void> {
    const { message, label } = planRule(spec, true);
    await sendKind(this.ctx.conn, ruleKind, 'new', message, NLM_F_CREATE | NLM_F_EXCL, label, callOptions(options));
  }

  /**
   * delete removes the first rule matching every field given (RTM_DELRULE):
   * passing the spec given to `add`, or a Rule from `list()`, removes that
   * rule. `options`: `timeout`, `signal`. Throws ArgumentError before
   * sending, KernelError (ENOENT when none matches, EPERM for a permanent rule).
   */
  async delete(spec: RuleSpec | Rule, options?: CallOptions): Promise<void> {
    const { message, label } = planRule(isListedRule(spec) ? specOfRule(spec) : spec, false);
    await sendKind(this.ctx.conn, ruleKind, 'del', message, 0, label, callOptions(options));
  }
}

/** The address family of a rule family's prefixes: IPv4 for inet and ipmr, IPv6 for inet6 and ip6mr. */
function prefixFamily(family: number): number {
  return family === Family.inet6 || family === MulticastFamily.ip6mr ? Family.inet6 : Family.inet;
}

/** A Rule from `list()` (it carries the kernel's `attrs`), as opposed to a RuleSpec. */
function isListedRule(spec: RuleSpec | Rule): spec is Rule {
  return isRecord(spec as unknown) && 'attrs' in spec && 'flags' in spec;
}

/**
 * specOfRule turns a listed Rule into the RuleSpec that matches it: the
 * fields a spec has, where set. An l3mdev rule's table is the VRF's, not a
 * selector, so it is left out.
 */
function specOfRule(rule: Rule): RuleSpec {
  const spec: Record<string, unknown> = {};
  for (const k of RULE_KEYS) {
    const v = (rule as unknown as Record<string, unknown>)[k];
    if (v !== undefined) spec[k] = v;
  }
  if (rule.l3mdev) delete spec.table;
  return spec as RuleSpec;
}
const RULE_KEYS = [
  'family', 'priority', 'from', 'to', 'table', 'action', 'goto', 'iif', 'oif', 'fwmark', 'fwmask', 'tos', 'dscp',
  'ipProto', 'sport', 'dport', 'uidRange', 'suppressPrefixLength', 'suppressIfgroup', 'invert', 'protocol', 'l3mdev',
];

/**
 * planRule validates a spec and builds the request: header and attributes,
 * with `add`'s defaults when `create`. Throws ArgumentError naming the field
 * (`spec.iif`).
 */
function planRule(spec: RuleSpec, create: boolean): { message: rtRule.RuleMessageInput; label: string } {
  if (!isRecord(spec as unknown)) throw new ArgumentError('spec', { expected: 'a rule object such as { from: "10.1.0.0/24", table: 100 }', received: spec });
  checkKeys(spec, 'spec', RULE_KEYS);
  if (spec.invert !== undefined) checkBoolean(spec.invert, 'spec.invert');
  if (spec.l3mdev !== undefined) checkBoolean(spec.l3mdev, 'spec.l3mdev');
  const explicit = spec.family === undefined ? undefined : ruleFamilyNumber(spec.family, 'spec.family');
  const words: string[] = [];
  // A zero-length prefix ('all', '::/0') matches everything and says nothing about the family.
  const addressFamily = explicit === undefined ? Family.inet : prefixFamily(explicit);
  let from: Prefix | undefined = spec.from === undefined ? undefined : parsePrefix(spec.from, addressFamily, 'spec.from');
  let to: Prefix | undefined = spec.to === undefined ? undefined : parsePrefix(spec.to, addressFamily, 'spec.to');
  if (from?.length === 0) from = undefined;
  if (to?.length === 0) to = undefined;
  const family = explicit ?? from?.family ?? to?.family ?? Family.inet;
  for (const [p, what] of [
    [from, 'from'],
    [to, 'to'],
  ] as const) {
    if (p && p.family !== prefixFamily(family)) throw new ArgumentError(`spec.${what}`, { expected: `an ${ruleFamilyName(family)} prefix`, received: spec[what] });
  }

  const header: Partial<rtRule.FibRuleHdr> = { family, flags: spec.invert ? ['invert'] : [] };
  const attrs: RuleAttrs = {};
  if (spec.invert) words.push('not');
  words.push(`from ${from ? `${from.address}/${from.length}` : 'all'}`);
  if (from) {
    header.srcLen = from.length;
    attrs.src = from.address;
  }
  if (to) {
    header.dstLen = to.length;
    attrs.dst = to.address;
    words.push(`to ${to.address}/${to.length}`);
  }

  if (spec.priority !== undefined) {
    checkUint(spec.priority, 'spec.priority', 0xffffffff);
    attrs.priority = spec.priority;
    words.unshift(`pref ${spec.priority}`);
  }
  if (spec.tos !== undefined) {
    checkUint(spec.tos, 'spec.tos', 255);
    header.tos = spec.tos;
  }
  if (spec.dscp !== undefined) {
    checkUint(spec.dscp, 'spec.dscp', 63);
    attrs.dscp = spec.dscp;
  }
  if (spec.fwmark !== undefined) {
    checkUint(spec.fwmark, 'spec.fwmark', 0xffffffff);
    attrs.fwmark = spec.fwmark;
    words.push(`fwmark 0x${spec.fwmark.toString(16)}`);
  }
  if (spec.fwmask !== undefined) {
    checkUint(spec.fwmask, 'spec.fwmask', 0xffffffff);
    attrs.fwmask = spec.fwmask;
  }
  if (spec.iif !== undefined) {
    checkLinkName(spec.iif, 'spec.iif');
    attrs.iifname = spec.iif;
    words.push(`iif ${spec.iif}`);
  }
  if (spec.oif !== undefined) {
    checkLinkName(spec.oif, 'spec.oif');
    attrs.oifname = spec.oif;
    words.push(`oif ${spec.oif}`);
  }
  if (spec.ipProto !== undefined) attrs.ipProto = ipProtocolNumber(spec.ipProto, 'spec.ipProto');
  if (spec.sport !== undefined) attrs.sportRange = portRange(spec.sport, 'spec.sport');
  if (spec.dport !== undefined) attrs.dportRange = portRange(spec.dport, 'spec.dport');
  if (spec.uidRange !== undefined) {
    const r = spec.uidRange;
    if (!Array.isArray(r) || r.length !== 2) throw new ArgumentError('spec.uidRange', { expected: '[first, last]', received: r });
    checkUint(r[0], 'spec.uidRange[0]', 0xffffffff);
    checkUint(r[1], 'spec.uidRange[1]', 0xffffffff);
    if (r[0] > r[1]) throw new ArgumentError('spec.uidRange', { reason: `[${r[0]}, ${r[1]}] ends before it starts` });
    attrs.uidRange = { start: r[0], end: r[1] };
  }
  if (spec.suppressPrefixLength !== undefined) {
    checkUint(spec.suppressPrefixLength, 'spec.suppressPrefixLength', 128);
    attrs.suppressPrefixlen = spec.suppressPrefixLength;
  }
  if (spec.suppressIfgroup !== undefined) {
    checkUint(spec.suppressIfgroup, 'spec.suppressIfgroup', 0xffffffff);
    attrs.suppressIfgroup = spec.suppressIfgroup;
  }
  if (spec.protocol !== undefined) attrs.protocol = protocolNumber(spec.protocol, 'spec.protocol');
  if (spec.l3mdev) {
    if (spec.table !== undefined) throw new ArgumentError('spec.table', { reason: 'not with l3mdev (the VRF decides the table)' });
    attrs.l3mdev = 1;
  }

  let action: RuleAction | undefined = spec.action;
  if (action !== undefined) lookupName(RuleActions, action, 'spec.action');
  if (spec.goto !== undefined) {
    if (action !== undefined && action !== 'goto') throw new ArgumentError('spec.goto', { reason: `for action 'goto', not ${JSON.stringify(action)}` });
    checkUint(spec.goto, 'spec.goto', 0xffffffff);
    attrs.goto = spec.goto;
    action = 'goto';
  } else if (action === 'goto' && create) {
    throw new ArgumentError('spec.goto', { reason: "action 'goto' needs a goto target priority" });
  }
  if (create) action ??= 'to_tbl';

  let table: number | undefined;
  if (spec.table !== undefined) {
    table = typeof spec.table === 'number' ? checkInteger(spec.table, 'spec.table', 1, 0xffffffff) : lookupName(RULE_TABLES, spec.table, 'spec.table', 'or a number');
  } else if (create && action === 'to_tbl' && !spec.l3mdev) {
    table = RouteTable.main;
  }
  if (table !== undefined) {
    // The header has one byte for the table; larger ids go in FRA_TABLE (header RT_TABLE_UNSPEC).
    if (table < 256) header.table = table;
    else attrs.table = table;
    words.push(`lookup ${table}`);
  }
  if (action !== undefined) {
    header.action = RuleActions[action];
    if (action !== 'to_tbl') words.push(action === 'goto' ? `goto ${spec.goto}` : action);
  }
  return { message: { header, attrs }, label: `${words.join(' ')} (${ruleFamilyName(family)})` };
}

function portRange(v: number | [number, number], what: string): rtRule.FibRulePortRange {
  if (typeof v !== 'number' && !(Array.isArray(v) && v.length === 2)) throw new ArgumentError(what, { expected: 'a port or an inclusive range [first, last]', received: v });
  const [lo, hi] = typeof v === 'number' ? [v, v] : v;
  checkUint(lo, typeof v === 'number' ? what : `${what}[0]`, 0xffff);
  checkUint(hi, typeof v === 'number' ? what : `${what}[1]`, 0xffff);
  if (lo > hi) throw new ArgumentError(what, { reason: `[${lo}, ${hi}] ends before it starts` });
  return { start: lo, end: hi };
}

