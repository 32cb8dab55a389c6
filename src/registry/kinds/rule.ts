/**
 * The rule kind: policy-routing rules (`ip rule`; RTM_NEWRULE / RTM_DELRULE
 * / RTM_GETRULE), the plain `Rule`, and what `list()` filters by.
 */
import * as rtRule from '../../generated/rt-rule.js';
import { JsonReady, type JsonObject } from '../../codec/json.js';
import { Family, ruleActionName, ruleFamilyName, ruleFamilyNumber, type MulticastRuleFamily, type RuleAction, type RuleFamily } from '../vocabulary.js';
import type { KindCodec } from '../deferred.js';
import { loadedAttributePaths } from '../attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtRule.attributePathAt);

type RuleAttrs = rtRule.RuleAttrs;
export type RuleMessage = rtRule.RuleMessage;

export type { MulticastRuleFamily, RuleFamily } from '../vocabulary.js';

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
    family: ruleFamilyName(h.family),
    priority: a.priority ?? 0,
    from: a.src === undefined ? undefined : `${a.src}/${h.srcLen}`,
    to: a.dst === undefined ? undefined : `${a.dst}/${h.dstLen}`,
    table: a.table ?? h.table,
    action: ruleActionName(action),
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

/** Filters `rules.list` hands to the kernel (strict checking allows only the family). */
export interface RuleFilter {
  /**
   * Only this family. Default: 'inet' and 'inet6', what `ip rule` and
   * `ip -6 rule` show; the multicast-routing families ('ipmr', 'ip6mr') only
   * when named here; 'all' for every family the kernel has rules for.
   */
  family?: RuleFamily | MulticastRuleFamily | 'all';
}

/** The family filter of `rules.list`, resolved: the family dumped and the names kept (undefined: all). */
interface FamilyChoice {
  number: number;
  names: readonly string[] | undefined;
}

/** The rule kind's members that need its codec (see rule-kind.ts, which declares the kind and imports this module on first use). */
export const ruleCodec: KindCodec<RuleMessage, rtRule.RuleMessageInput, Rule> = {
  decode: rtRule.decodeRuleMessage,
  encode: rtRule.encodeRuleMessage,
  convert: ruleFromMessage,
  // A rule is all of its selectors and its action (the kernel's rule_exists
  // compares them all), so the key is the whole message.
  key: (m) => stableText({ h: { ...m.header, trailing: undefined }, a: { ...m.attrs, order: undefined } }),
  dump: (family) => ({ header: { family }, attrs: {} }),
  filters: {
    family: {
      // By default one dump of every family (one round trip), then what `ip rule` shows; a named
      // family is also re-checked, since a kernel without its rules (IPv6 disabled) answers with every family's.
      check: (v, argument): FamilyChoice => {
        if (v === undefined) return { number: Family.all, names: ['inet', 'inet6'] };
        if (v === 'all') return { number: Family.all, names: undefined };
        return { number: ruleFamilyNumber(v as RuleFamily, argument), names: [v as string] };
      },
      kernel: (r, f: FamilyChoice) => void (r.header.family = f.number),
      holds: (rule, f: FamilyChoice) => f.names === undefined || f.names.includes(rule.family as string),
    },
  },
};

/** Text of a decoded value, fields sorted, bigints and bytes spelled out (for keys). */
function stableText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`;
  if (Array.isArray(v)) return `[${v.map(stableText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${k}:${stableText(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
