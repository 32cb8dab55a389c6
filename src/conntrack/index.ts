/**
 * Connection tracking over ctnetlink: `Conntrack.open({ netns })` and the
 * entry types it reads and writes.
 */
export {
  Conntrack,
  type ConntrackOptions,
  type ConntrackCpuStats,
  type ConntrackEvent,
  type ConntrackEventType,
  type ConntrackSubscribeOptions,
  type ConntrackSubscription,
} from './conntrack.js';
export {
  ConntrackProtocols,
  entryFromMessage,
  type ConntrackChanges,
  type ConntrackCounters,
  type ConntrackEntry,
  type ConntrackFamily,
  type ConntrackFilter,
  type ConntrackKey,
  type ConntrackProtocol,
  type ConntrackSpec,
  type ConntrackStatus,
  type ConntrackTuple,
  type ConntrackTupleSpec,
  type TcpState,
  type TcpTrackingFlag,
} from './entry.js';
