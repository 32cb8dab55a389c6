/**
 * The rule kind's declaration: its static facts here, and what needs the
 * generated rt-rule codec in rule.ts, imported on first use (deferred.ts).
 */
import type * as rtRule from '../../generated/rt-rule.js';
import { deferredKind } from '../deferred.js';
import type { ObjectKind } from '../kind.js';
import { Family } from '../vocabulary.js';
import type { Rule, RuleMessage } from './rule.js';

/**
 * RTM_*RULE and the rule groups: the generated codec's RequestType and
 * McastGroup, written out so that declaring the kind does not load it
 * (test/rtnl/deferred-kinds.test.ts checks they agree).
 */
export const RuleTypes = { newrule: 32, delrule: 33, getrule: 34, ipv4Group: 8, ipv6Group: 19 } as const;

/** ruleKind declares rules to the registry. */
export const ruleKind: ObjectKind<{ kind: 'rule'; plural: 'rules'; groups: 'ipv4-rule' | 'ipv6-rule' }, RuleMessage, rtRule.RuleMessageInput, Rule> = deferredKind(
  {
    kind: 'rule',
    plural: 'rules',
    doc: 'policy routing rules (rt.rules.list)',
    types: { new: RuleTypes.newrule, del: RuleTypes.delrule, get: RuleTypes.getrule },
    names: { new: 'RTM_NEWRULE', del: 'RTM_DELRULE', get: 'RTM_GETRULE' },
    families: [Family.inet, Family.inet6],
    defaultFamilies: [Family.inet, Family.inet6],
    groups: [
      { name: 'ipv4-rule', group: RuleTypes.ipv4Group, family: Family.inet },
      { name: 'ipv6-rule', group: RuleTypes.ipv6Group, family: Family.inet6 },
    ],
    volatile: new Set(['order']),
  },
  () => import('./rule.js').then((m) => m.ruleCodec),
);
