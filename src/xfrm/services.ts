/** The services of an Xfrm handle, loaded with the codec on its first open (see xfrm.ts). */
export { XfrmPolicies } from './policy.js';
export { XfrmStates } from './state.js';
