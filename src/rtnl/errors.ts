/**
 * The errors of rtnl's composite operations, in a module of their own: a
 * caller catches them with `instanceof` from the root import, which must not
 * load the services (and their codecs) that throw them.
 */
import { NetlinkError } from '../netlink/errors.js';
import type { Address } from '../registry/kinds/address.js';

/** The step of links.move that failed. */
export type MoveStep = 'validate' | 'find' | 'list-addresses' | 'set-down' | 'move' | 'find-in-target' | 'add-address' | 'set-up';

/**
 * MoveError: links.move failed at `step` because of `cause` (often a
 * KernelError with errno and extended-ACK message). `restored` says whether
 * everything was put back; `state` says where the device is now.
 */
export class MoveError extends NetlinkError {
  override name = 'MoveError';
  readonly step: MoveStep;
  /** True when the device is back as it was: namespace, name, addresses, up state. */
  readonly restored: boolean;
  /** Where the device is now, in words (namespace, name, what is missing). */
  readonly state: string;
  /** The errno name of the cause, when it has one (`'EEXIST'`). */
  readonly code: string | undefined;
  constructor(step: MoveStep, cause: unknown, restored: boolean, state: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`links.move failed at step "${step}": ${reason}; ${state}`, { cause });
    this.step = step;
    this.restored = restored;
    this.state = state;
    this.code = (cause as { code?: string })?.code;
  }
}

/**
 * FlushIncompleteError: addresses matching the filter were still there after
 * as many rounds as iproute2 allows (something keeps adding them back).
 * `removed` is what was deleted, `remaining` what the last dump showed.
 */
export class FlushIncompleteError extends NetlinkError {
  override name = 'FlushIncompleteError';
  readonly removed: Address[];
  readonly remaining: Address[];
  constructor(rounds: number, removed: Address[], remaining: Address[]) {
    super(`address flush incomplete after ${rounds} rounds: ${remaining.length} matching address(es) keep coming back`);
    this.removed = removed;
    this.remaining = remaining;
  }
}
