/**
 * IPsec configuration over NETLINK_XFRM: `Xfrm.open({ netns })` with
 * `states` (SAs) and `policies`.
 */
export { Xfrm, type XfrmOptions, type XfrmSadInfo, type XfrmSpdInfo } from './xfrm.js';
export type { XfrmPolicies, XfrmAction, XfrmDir, XfrmMode, XfrmPolicy, XfrmPolicyKey, XfrmPolicySpec, XfrmProto, XfrmTemplate, XfrmTemplateSpec } from './policy.js';
export type { XfrmStates, XfrmAlgorithmSpec, XfrmState, XfrmStateKey, XfrmStateSpec } from './state.js';
export type { XfrmMarkSpec } from './common.js';
