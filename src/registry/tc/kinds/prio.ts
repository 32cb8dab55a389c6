/**
 * prio: a fixed number of bands served strictly in order, packets sorted
 * into them by their priority through a 16-entry map.
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkArray, checkInteger } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import type { OptionsCodec } from './kind.js';

/** TCQ_PRIO_BANDS: the most bands prio has. */
const MAX_BANDS = 16;
/** tc's (and the kernel's pfifo_fast's) map of packet priority to band for 3 bands. */
const DEFAULT_PRIOMAP = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
/**
 * tc follows struct tc_prio_qopt with an empty nested TCA_OPTIONS
 * (addattr_nest_compat); nlkit sends the same 4 bytes so its request is
 * tc's, and the kernel reads them as "no nested options".
 */
const COMPAT_NEST = Uint8Array.of(4, 0, 2, 0);

/** Options of prio (`tc qdisc add … prio bands 3 priomap …`). */
export interface PrioOptions {
  /** Number of bands, 2 to 16 (default 3). */
  bands?: number;
  /** Band of each of the 16 packet priorities (default tc's map: 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1). */
  priomap?: number[];
}

/** prio's options (tc sends them even when none are given). */
export const prio: OptionsCodec<PrioOptions> = {
  keys: ['bands', 'priomap'],
  encode(o, arg): tc.TcPrioQopt {
    const bands = o.bands === undefined ? 3 : checkInteger(o.bands, `${arg}.bands`, 2, MAX_BANDS);
    let map = DEFAULT_PRIOMAP;
    if (o.priomap !== undefined) {
      const given = checkArray(o.priomap, `${arg}.priomap`);
      if (given.length !== 16) throw new ArgumentError(`${arg}.priomap`, { expected: 'an array of 16 band numbers', received: o.priomap });
      map = given.map((b, i) => checkInteger(b, `${arg}.priomap[${i}]`, 0, bands - 1));
    } else if (map.some((b) => b >= bands)) {
      throw new ArgumentError(`${arg}.priomap`, { reason: `is required with fewer than 3 bands (the default map uses bands 0-2)` });
    }
    return { bands, priomap: Uint8Array.from(map), trailing: COMPAT_NEST };
  },
  decode(options) {
    const q = options as tc.TcPrioQopt | undefined;
    if (q === undefined || !(q.priomap instanceof Uint8Array)) return undefined;
    return { bands: q.bands, priomap: [...q.priomap] };
  },
};
