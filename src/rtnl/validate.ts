/**
 * Checks on caller input, made before anything is sent, so a bad value is an
 * EncodeError naming the field rather than a kernel errno.
 */
import { EncodeError } from '../netlink/errors.js';

/** checkUint returns `v` if it is an integer from 0 to `max`; throws EncodeError naming `what` otherwise. */
export function checkUint(v: number, what: string, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(`${what} must be an integer from 0 to ${max} (is ${String(v)})`);
  return v;
}
