/**
 * Helpers for comparing tc requests with tc's own: the generated encoder's
 * body for a message, and a decoded message without the attribute order tc
 * happened to use (so it re-encodes in the kernel's order).
 */
import * as tc from '../../src/generated/tc.js';
import { MessageWriter } from '../../src/netlink/index.js';

/** withoutOrder drops every `order` (tc's own attribute order) from a decoded message. */
export function withoutOrder<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutOrder) as T;
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'order') o[k] = withoutOrder(x);
  return o as T;
}

/** encodeBody is the message body (after the nlmsghdr) as encodeTcMessage writes it, in hex. */
export function encodeBody(m: tc.TcMessageInput): string {
  const w = new MessageWriter();
  const start = w.begin(0, 0);
  tc.encodeTcMessage(w, m);
  const len = w.end(start);
  return Buffer.from(w.bytes.slice(start + 16, start + len)).toString('hex');
}
