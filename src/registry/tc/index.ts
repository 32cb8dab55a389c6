/**
 * Traffic control by intent: qdiscs, classes and filters as plain objects,
 * the messages that add, replace and delete them, and the typed options of
 * each kind, and the codec parts of the registry's tc kinds (parts.ts).
 * The tc kinds (registry/kinds/tc.ts) and `rtnl.qdiscs`, `rtnl.classes`
 * and `rtnl.filters` load this module (with the generated tc codec) on
 * first use, so importing nlkit does not pay for tc.
 */
export { decodeTcMessage, encodeTcMessage, RequestType } from '../../generated/tc.js';
export * from './handle.js';
export { EthProtocol, ethProtocolName, ethProtocolNumber, IpProtocol, ipProtocolName, ipProtocolNumber } from '../vocabulary.js';
export { qdiscFromMessage, qdiscMessage, qdiscDeleteMessage } from './qdisc.js';
export { classFromMessage, classMessage, classDeleteMessage } from './class.js';
export { filterFromMessage, filterMessage, filterDeleteMessage, filterInfo } from './filter.js';
export { qdiscParts, classParts, filterParts } from './parts.js';
