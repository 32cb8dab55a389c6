/** The types of traffic control's public API (the modules themselves load on first use). */
export type { Qdisc, QdiscSpec, QdiscRef, QdiscOptionsInputByKind } from './qdisc.js';
export type { TcClass, ClassSpec, ClassRef, ClassOptionsInputByKind } from './class.js';
export type { Filter, FilterSpec, FilterRef } from './filter.js';
export type { TcStatistics } from './common.js';
export type { Handle, QdiscParent, FilterParent } from './handle.js';
export type { Action, GactAction, MirredAction, VerdictName } from './actions.js';
export type { EthProtocolName, IpProtocolName } from '../vocabulary.js';
/** The IP protocol names tc's filters take (flower's ipProto, u32's protocol): the shared vocabulary's. */
export type { IpProtocolName as IpProtoName } from '../vocabulary.js';
export type { BitsPerSecond, Bytes, Microseconds, RateInput, SizeInput, TimeInput, LinkLayer } from './units.js';
export type * from './kinds/index.js';
