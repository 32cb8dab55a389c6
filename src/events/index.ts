/**
 * Events: typed rtnetlink notifications (`subscribe`) and live views that
 * never silently lose a change (`watch`). Both are reachable from an Rtnl
 * handle as `rt.subscribe(...)` and `rt.watch(...)`.
 */
export { RtnlGroup, type RtnlGroupName, type RtnlKind, type RtnlObjects, type RtnlChange } from './kinds.js';
export { subscribe, type EventContext, type RtnlEvent, type SubscribeOptions, type Subscription, type SubscriptionStats } from './subscribe.js';
export { watch, WatchTargets, type View, type WatchEvent, type WatchObject, type WatchOptions, type WatchStats, type WatchTarget } from './watch.js';
