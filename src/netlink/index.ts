/**
 * nlkit's protocol core: sockets, framing, requests, dumps, batches and
 * notifications for any netlink protocol.
 */
export * from './constants.js';
export * from './errors.js';
export { errnoName, errnoNumber, errnoDescription } from './errno.js';
export { MessageWriter } from './writer.js';
export * from './reader.js';
export * from './format.js';
export { NetlinkSocket, RECEIVE_AGAIN, RECEIVE_OVERRUN, RECEIVE_TRUNCATED, type SocketOptions } from './socket.js';
export {
  Connection,
  type BatchOutcome,
  type BodyWriter,
  type CallOptions,
  type ConnectionOptions,
  type DumpOptions,
  type DumpPolicy,
  type DumpResult,
  type MessageDecoder,
  type NotificationEvent,
  type NotificationOptions,
  type NotificationStream,
  type Reply,
  type Request,
  type Transport,
} from './connection.js';
export { MIN_RECEIVE_BUFFER, TIMER_MAX_MS } from './options.js';
export { decodeErrorMessage, decodeDoneError, type ErrorMessage } from './extack.js';
