/**
 * What one tc kind (a qdisc such as htb, a filter such as u32) declares:
 * the option keys it takes, how checked options become the TCA_OPTIONS
 * value of the generated tc codec, and how a decoded TCA_OPTIONS becomes
 * those options again, so what `list()` returns can be given back to
 * `add()` as it is.
 */
import type { Options } from '../../../netlink/args.js';
import type * as tc from '../../../generated/tc.js';
import type { LinkResolver } from '../actions.js';

/** What an encoder may need besides the options: the filter's protocol, and device lookups (mirred, indev). */
export interface EncodeEnv {
  /** The filter's protocol (ETH_P_*, host order); 0 for qdiscs and classes. */
  readonly protocol: number;
  /** Resolves a device to its index (during the check before sending: a placeholder). */
  readonly link: LinkResolver;
}

/** OptionsCodec: the typed options of one tc kind. `O` is the options object (given and returned). */
export interface OptionsCodec<O> {
  /** The option keys accepted (an unknown key is an ArgumentError). */
  readonly keys: readonly string[];
  /** Whether `options` must be given (htb classes need a rate). */
  readonly required?: boolean;
  /**
   * encode checks `o` (an object whose keys are already checked) and
   * returns the TCA_OPTIONS value, or undefined to send none. Throws
   * ArgumentError naming `argument.key`.
   */
  encode(o: Options, argument: string, env: EncodeEnv): Promise<tc.TcOptionsMsg | undefined> | tc.TcOptionsMsg | undefined;
  /** decode turns the kernel's TCA_OPTIONS back into options (undefined when it sent none). */
  decode(options: tc.TcOptionsMsg | undefined): O | undefined;
}
