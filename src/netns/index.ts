/**
 * Network namespaces: open, create, delete and list them, and run
 * synchronous code (socket creation) inside one. See netns.ts.
 */
export {
  NETNS_RUN_DIR,
  THREAD_NETNS_PATH,
  NetNs,
  openNetNs,
  checkNetNsLike,
  validateNetNsName,
  withNetns,
  type NetNsIdentity,
  type NetNsLike,
} from './netns.js';
export type { NetNsWorkerOptions } from './worker.js';
export { InvalidNetNsNameError, NetNsError, NetNsStrandedError, type NetNsOperation } from './errors.js';
