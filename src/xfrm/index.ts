/**
 * IPsec configuration over NETLINK_XFRM: `Xfrm.open({ netns })` with
 * `states` (SAs) and `policies`.
 */
export { Xfrm, type XfrmOptions, type XfrmSadInfo, type XfrmSpdInfo } from './xfrm.js';
export { XfrmPolicies, type XfrmAction, type XfrmDir, type XfrmMode, type XfrmPolicy, type XfrmPolicyKey, type XfrmPolicySpec, type XfrmProto, type XfrmTemplate, type XfrmTemplateSpec } from './policy.js';
export { XfrmStates, type XfrmAlgorithmSpec, type XfrmState, type XfrmStateKey, type XfrmStateSpec } from './state.js';
export type { XfrmMarkSpec } from './common.js';
