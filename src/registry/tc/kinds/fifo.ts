/**
 * pfifo and bfifo: a plain first-in first-out queue limited in packets
 * (pfifo) or bytes (bfifo), and ingress/clsact, which take no options.
 */
import type * as tc from '../../../generated/tc.js';
import { parseSize, type Bytes, type SizeInput } from '../units.js';
import { checkInteger } from '../../../netlink/args.js';
import type { OptionsCodec } from './kind.js';

/** Options of pfifo (`limit` in packets) and bfifo (`limit` in bytes, or `'64kb'`). Without a limit the kernel takes the device's txqueuelen (× its MTU for bfifo). */
export interface FifoOptions {
  /** pfifo: packets; bfifo: bytes. */
  limit?: number | Bytes;
}
/** The input form of bfifo's options: the limit may carry tc's size units. */
export type BfifoOptionsInput = { limit?: SizeInput };

/** pfifo: the limit is a packet count; tc sends no options without one. */
export const pfifo: OptionsCodec<FifoOptions> = {
  keys: ['limit'],
  encode: (o, arg): tc.TcFifoQopt | undefined => (o.limit === undefined ? undefined : { limit: checkInteger(o.limit, `${arg}.limit`, 0, 0xffffffff) }),
  decode: (options) => (options === undefined ? undefined : { limit: (options as tc.TcFifoQopt).limit }),
};

/** bfifo: the limit is in bytes. */
export const bfifo: OptionsCodec<FifoOptions> = {
  keys: ['limit'],
  encode: (o, arg): tc.TcFifoQopt | undefined => (o.limit === undefined ? undefined : { limit: parseSize(o.limit, `${arg}.limit`) }),
  decode: pfifo.decode,
};

/** Options of ingress and clsact: none. */
export type NoOptions = Record<string, never>;

/** ingress, clsact: no options are sent, and none come back. */
export const noOptions: OptionsCodec<NoOptions> = {
  keys: [],
  encode: () => undefined,
  decode: () => undefined,
};
