/**
 * Rules: the policy-routing rules of one namespace (`ip rule`), IPv4 and
 * IPv6 — list, add, delete. Requests are built with the generated rt-rule
 * codecs; what is returned is a plain `Rule`.
 */
import { NLM_F_CREATE, NLM_F_EXCL } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { checkBoolean, checkInteger, checkKeys, checkOptions, isRecord, lookupName } from '../netlink/args.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import * as rtRule from '../generated/rt-rule.js';
import { Family, type RtnlContext } from './context.js';
import { parsePrefix, type Prefix } from './prefix.js';
import { callOptions, checkLinkName, checkUint, dumpOptions } from './validate.js';
import { JsonReady, type JsonObject } from '../codec/json.js';

type RuleAttrs = rtRule.RuleAttrs;
type RuleMessage = rtRule.RuleMessage;

/** The families rules are added in, and the ones `rules.list()` shows by default (as `ip rule`). */
export type RuleFamily = 'inet' | 'inet6';

/**
 * The multicast-routing rule families (RTNL_FAMILY_IPMR 128, RTNL_FAMILY_IP6MR
 * 129; `ip mrule`): listed only when asked for by name.
 */
export type MulticastRuleFamily = 'ipmr' | 'ip6mr';

/** What a matching rule does (FR_ACT_*), as `ip rule` names it. */
export type RuleAction = 'to_tbl' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

/** FR_ACT_* by RuleAction. */
export const RuleActions = {
  /** FR_ACT_TO_TBL: look the route up in `table`. */
  to_tbl: 1,
  /** FR_ACT_GOTO: continue at the rule with priority `goto`. */
  goto: 2,
  /** FR_ACT_NOP */
  nop: 3,
  /** FR_ACT_BLACKHOLE: drop silently. */
  blackhole: 6,
  /** FR_ACT_UNREACHABLE: drop with ENETUNREACH. */
  unreachable: 7,
  /** FR_ACT_PROHIBIT: drop with EACCES. */
  prohibit: 8,
} as const;
const ACTION_NAMES: Readonly<Record<number, RuleAction>> = Object.fromEntries(Object.entries(RuleActions).map(([k, v]) => [v, k as RuleAction]));

/** A routing table by number or by the name `ip` gives it. */
export type RuleTable = number | 'default' | 'main' | 'local';
/** RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL */
const TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };

/** IP protocols `ipProto` takes by name (IPPROTO_*). */
export type RuleIpProtocol = 'icmp' | 'tcp' | 'udp' | 'gre' | 'esp' | 'ah' | 'ipv6-icmp' | 'sctp' | 'udplite';
const IP_PROTOCOLS: Readonly<Record<RuleIpProtocol, number>> = { icmp: 1, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, sctp: 132, udplite: 136 };

/** Originators `protocol` takes by name (RTPROT_*). */
export type RuleProtocol = 'unspec' | 'redirect' | 'kernel' | 'boot' | 'static';
const PROTOCOLS: Readonly<Record<RuleProtocol, number>> = { unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4 };

/** RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR */
const RTNL_FAMILY_IPMR = 128;
const RTNL_FAMILY_IP6MR = 129;
const RULE_FAMILIES: Readonly<Record<number, RuleFamily | MulticastRuleFamily>> = {
  [Family.inet]: 'inet',
  [Family.inet6]: 'inet6',
  [RTNL_FAMILY_IPMR]: 'ipmr',
  [RTNL_FAMILY_IP6MR]: 'ip6mr',
};

/** A policy-routing rule, as the kernel describes it. */
export interface Rule {
  /** 'inet', 'inet6', 'ipmr' or 'ip6mr' (multicast routing), or the family number. */
  family: RuleFamily | MulticastRuleFamily | number;
  /** Preference (FRA_PRIORITY); the kernel omits it for 0, which this reports as 0. */
  priority: number;
  /** Source prefix, `10.0.0.0/8` (FRA_SRC / src_len); undefined: from all. */
  from: string | undefined;
  /** Destination prefix (FRA_DST / dst_len); undefined: to all. */
  to: string | undefined;
  /** Table looked up (FRA_TABLE, else the header's); 0 for actions without one. */
  table: number;
  /** What it does (FR_ACT_*), by name; unknown values as numbers. */
  action: RuleAction | number;
  /** Target priority of a 'goto' (FRA_GOTO). */
  goto: number | undefined;
  /** Input device name (FRA_IIFNAME). */
  iif: string | undefined;
  /** Output device name (FRA_OIFNAME). */
  oif: string | undefined;
  /** Firewall mark (FRA_FWMARK). */
  fwmark: number | undefined;
  /** Mask for `fwmark` (FRA_FWMASK); 0xffffffff when only a mark was given. */
  fwmask: number | undefined;
  /** TOS byte (fib_rule_hdr.tos). */
  tos: number;
  /** DSCP (FRA_DSCP, kernels from 6.13). */
  dscp: number | undefined;
  /** IP protocol matched (FRA_IP_PROTO). */
  ipProto: number | undefined;
  /** Source port range (FRA_SPORT_RANGE), inclusive. */
  sport: [number, number] | undefined;
  /** Destination port range (FRA_DPORT_RANGE), inclusive. */
  dport: [number, number] | undefined;
  /** UID range (FRA_UID_RANGE), inclusive. */
  uidRange: [number, number] | undefined;
  /**
   * Reject lookups whose result has a prefix this long or shorter
   * (FRA_SUPPRESS_PREFIXLEN); undefined when unset (the kernel sends -1 then).
   */
  suppressPrefixLength: number | undefined;
  /** Reject lookups whose result's device is in this group (FRA_SUPPRESS_IFGROUP). */
  suppressIfgroup: number | undefined;
  /** The selector is negated (FIB_RULE_INVERT, `ip rule add not …`). */
  invert: boolean;
  /** Who made it (FRA_PROTOCOL, RTPROT_*): 2 for the kernel's defaults. */
  protocol: number | undefined;
  /** Look up the l3mdev's (VRF's) table (FRA_L3MDEV). */
  l3mdev: boolean;
  /** fib_rule_hdr flags by name: 'invert', 'unresolved', 'iif-detached', …; unknown bits as a number. */
  flags: Array<rtRule.FibRuleFlags | number>;
  /** Every attribute the kernel sent, as generated from the spec (unknown ones kept raw). */
  attrs: RuleAttrs;
}

/** ruleFromMessage turns a decoded RTM_NEWRULE into a Rule. */
export function ruleFromMessage(m: RuleMessage): Rule {
  const h = m.header;
  const a = m.attrs;
  const action = typeof h.action === 'number' ? h.action : rtRule.FrAct[h.action];
  const range = (r: { start: number; end: number } | undefined): [number, number] | undefined => (r === undefined ? undefined : [r.start, r.end]);
  const out = {
    __proto__: JsonReady,
    family: RULE_FAMILIES[h.family] ?? h.family,
    priority: a.priority ?? 0,
    from: a.src === undefined ? undefined : `${a.src}/${h.srcLen}`,
    to: a.dst === undefined ? undefined : `${a.dst}/${h.dstLen}`,
    table: a.table ?? h.table,
    action: ACTION_NAMES[action] ?? action,
    goto: a.goto,
    iif: a.iifname,
    oif: a.oifname,
    fwmark: a.fwmark,
    fwmask: a.fwmask,
    tos: h.tos,
    dscp: a.dscp,
    ipProto: a.ipProto,
    sport: range(a.sportRange),
    dport: range(a.dportRange),
    uidRange: range(a.uidRange),
    suppressPrefixLength: a.suppressPrefixlen === 0xffffffff ? undefined : a.suppressPrefixlen,
    suppressIfgroup: a.suppressIfgroup,
    invert: h.flags.includes('invert'),
    protocol: a.protocol,
    l3mdev: a.l3mdev !== undefined && a.l3mdev !== 0,
    flags: h.flags,
    attrs: a,
  } satisfies JsonObject<Rule>;
  return out;
}

const decodeRule = (view: DataView, start: number, end: number): Rule => ruleFromMessage(rtRule.decodeRuleMessage(view, start, end));

/** Filters `rules.list` hands to the kernel (strict checking allows only the family). */
export interface RuleFilter {
  /**
   * Only this family. Default: 'inet' and 'inet6', what `ip rule` and
   * `ip -6 rule` show; the multicast-routing families ('ipmr', 'ip6mr') only
   * when named here; 'all' for every family the kernel has rules for.
   */
  family?: RuleFamily | MulticastRuleFamily | 'all';
}

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
    const f = checkOptions(filter, 'filter', ['family']) as RuleFilter;
    const family = f.family === undefined || f.family === 'all' ? Family.all : ruleFamily(f.family, 'filter.family');
    const dump = dumpOptions(options);
    const { items } = await this.ctx.conn.dump(
      {
        type: rtRule.RequestType.getrule,
        label: `RTM_GETRULE${f.family ? ` ${f.family}` : ''}`,
        body: (w) => rtRule.encodeRuleMessage(w, { header: { family }, attrs: {} }),
      },
      decodeRule,
      dump,
    );
    // By default one dump of every family (one round trip), then what `ip rule` shows.
    if (f.family === undefined) return items.filter((r) => r.family === 'inet' || r.family === 'inet6');
    // A kernel without the family's rules (IPv6 disabled) would answer with every family's.
    return family === Family.all ? items : items.filter((r) => r.family === f.family);
  }

  /**
   * add adds a rule (RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL, as `ip rule
   * add`). `options`: `timeout`, `signal`. Throws ArgumentError for invalid
   * input before anything is sent, KernelError (EEXIST for an identical
   * rule, EINVAL with the kernel's message, e.g. a backward goto).
   */
  async add(spec: RuleSpec, options?: CallOptions): Promise<void> {
    const { message, label } = planRule(spec, true);
    await this.ctx.conn.request(
      {
        type: rtRule.RequestType.newrule,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        label: `RTM_NEWRULE ${label}`,
        body: (w) => rtRule.encodeRuleMessage(w, message),
      },
      undefined,
      callOptions(options),
    );
  }

  /**
   * delete removes the first rule matching every field given (RTM_DELRULE):
   * passing the spec given to `add`, or a Rule from `list()`, removes that
   * rule. `options`: `timeout`, `signal`. Throws ArgumentError before
   * sending, KernelError (ENOENT when none matches, EPERM for a permanent rule).
   */
  async delete(spec: RuleSpec | Rule, options?: CallOptions): Promise<void> {
    const { message, label } = planRule(isListedRule(spec) ? specOfRule(spec) : spec, false);
    await this.ctx.conn.request(
      {
        type: rtRule.RequestType.delrule,
        label: `RTM_DELRULE ${label}`,
        body: (w) => rtRule.encodeRuleMessage(w, message),
      },
      undefined,
      callOptions(options),
    );
  }
}

/** ruleFamily maps a rule family name to AF_* / RTNL_FAMILY_*; throws ArgumentError naming `argument` on anything else. */
function ruleFamily(family: RuleFamily | MulticastRuleFamily, argument: string): number {
  return lookupName(RULE_FAMILY_NUMBERS, family, argument);
}

/** The address family of a rule family's prefixes: IPv4 for inet and ipmr, IPv6 for inet6 and ip6mr. */
function prefixFamily(family: number): number {
  return family === Family.inet6 || family === RTNL_FAMILY_IP6MR ? Family.inet6 : Family.inet;
}

const RULE_FAMILY_NUMBERS: Readonly<Record<RuleFamily | MulticastRuleFamily, number>> = {
  inet: Family.inet,
  inet6: Family.inet6,
  ipmr: RTNL_FAMILY_IPMR,
  ip6mr: RTNL_FAMILY_IP6MR,
};

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
  const explicit = spec.family === undefined ? undefined : ruleFamily(spec.family, 'spec.family');
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
    if (p && p.family !== prefixFamily(family)) throw new ArgumentError(`spec.${what}`, { expected: `an ${RULE_FAMILIES[family]} prefix`, received: spec[what] });
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
  if (spec.ipProto !== undefined) attrs.ipProto = named(spec.ipProto, IP_PROTOCOLS, 'spec.ipProto');
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
  if (spec.protocol !== undefined) attrs.protocol = named(spec.protocol, PROTOCOLS, 'spec.protocol');
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
    table = typeof spec.table === 'number' ? checkInteger(spec.table, 'spec.table', 1, 0xffffffff) : lookupName(TABLES, spec.table, 'spec.table', 'or a number');
  } else if (create && action === 'to_tbl' && !spec.l3mdev) {
    table = TABLES.main;
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
  return { message: { header, attrs }, label: `${words.join(' ')} (${RULE_FAMILIES[family]})` };
}

function portRange(v: number | [number, number], what: string): rtRule.FibRulePortRange {
  if (typeof v !== 'number' && !(Array.isArray(v) && v.length === 2)) throw new ArgumentError(what, { expected: 'a port or an inclusive range [first, last]', received: v });
  const [lo, hi] = typeof v === 'number' ? [v, v] : v;
  checkUint(lo, typeof v === 'number' ? what : `${what}[0]`, 0xffff);
  checkUint(hi, typeof v === 'number' ? what : `${what}[1]`, 0xffff);
  if (lo > hi) throw new ArgumentError(what, { reason: `[${lo}, ${hi}] ends before it starts` });
  return { start: lo, end: hi };
}

function named<K extends string>(v: number | K, names: Readonly<Record<K, number>>, what: string): number {
  if (typeof v === 'number') {
    checkUint(v, what, 255);
    return v;
  }
  return lookupName(names, v, what, 'or a number 0-255');
}
