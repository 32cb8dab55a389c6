/**
 * The core's args: the module lives in src/sys/ (below netns, which needs it too);
 * the core re-exports it here, as part of its API.
 */
export * from '../sys/args.js';
