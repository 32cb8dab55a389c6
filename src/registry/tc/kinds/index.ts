/**
 * The tc kinds nlkit types, one table per object: qdisc kinds, class kinds
 * and filter kinds, each mapping the kernel's kind name to its options
 * codec. A kind not in a table can still be listed (its options stay raw in
 * `attrs`) but not added.
 */
import type { OptionsCodec } from './kind.js';
import { htbClass, htbQdisc, type HtbClassOptions, type HtbQdiscOptions } from './htb.js';
import { bfifo, noOptions, pfifo, type FifoOptions, type NoOptions } from './fifo.js';
import { netem, type NetemOptions } from './netem.js';
import { fqCodel, type FqCodelOptions } from './fq-codel.js';
import { tbf, type TbfOptions } from './tbf.js';
import { prio, type PrioOptions } from './prio.js';
import { u32, type U32Options } from './u32.js';
import { flower, type FlowerOptions } from './flower.js';
import { matchall, type MatchallOptions } from './matchall.js';

/** The options of each qdisc kind nlkit types. */
export interface QdiscOptionsByKind {
  htb: HtbQdiscOptions;
  pfifo: FifoOptions;
  bfifo: FifoOptions;
  ingress: NoOptions;
  clsact: NoOptions;
  netem: NetemOptions;
  fq_codel: FqCodelOptions;
  tbf: TbfOptions;
  prio: PrioOptions;
}
/** The options of each class kind. */
export interface ClassOptionsByKind {
  htb: HtbClassOptions;
}
/** The options of each filter kind. */
export interface FilterOptionsByKind {
  u32: U32Options;
  flower: FlowerOptions;
  matchall: MatchallOptions;
}

/** A qdisc kind nlkit can add: 'htb', 'pfifo', 'bfifo', 'ingress', 'clsact', 'netem', 'fq_codel', 'tbf', 'prio'. */
export type QdiscKind = keyof QdiscOptionsByKind;
/** A class kind nlkit can add: 'htb'. */
export type ClassKind = keyof ClassOptionsByKind;
/** A filter kind nlkit can add: 'u32', 'flower', 'matchall'. */
export type FilterKind = keyof FilterOptionsByKind;

/** Qdisc kinds to their options codecs. */
export const QDISC_KINDS: { readonly [K in QdiscKind]: OptionsCodec<QdiscOptionsByKind[K]> } = {
  htb: htbQdisc,
  pfifo,
  bfifo,
  ingress: noOptions,
  clsact: noOptions,
  netem,
  fq_codel: fqCodel,
  tbf,
  prio,
};
/** Class kinds to their options codecs. */
export const CLASS_KINDS: { readonly [K in ClassKind]: OptionsCodec<ClassOptionsByKind[K]> } = { htb: htbClass };
/** Filter kinds to their options codecs. */
export const FILTER_KINDS: { readonly [K in FilterKind]: OptionsCodec<FilterOptionsByKind[K]> } = { u32, flower, matchall };

export type { OptionsCodec, EncodeEnv } from './kind.js';
export type { HtbClassOptions, HtbQdiscOptions, FifoOptions, NoOptions, NetemOptions, FqCodelOptions, TbfOptions, PrioOptions, U32Options, FlowerOptions, MatchallOptions };
export type { U32Key, U32IpMatch } from './u32.js';
export { formatU32Handle, parseU32Handle } from './u32.js';
