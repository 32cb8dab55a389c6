/**
 * Requests from plain JavaScript: the generated encoders write the fields and
 * attributes their spec names and never look at anything else, so a
 * misspelt key (`{ header: { devNmae: 'eth0' } }`) would be dropped in
 * silence and the kernel would act on a request without it — often on a
 * different object than the caller meant.
 *
 * encodeRequest runs the operation's generated encoder over a tracing view of
 * the request that records every property the encoder reads, at every depth
 * (fixed-header fields, attributes, nests, the sub-message a `kind` selects,
 * arrays). A key holding a value that was never read is not part of the
 * operation's spec: ArgumentError naming its path. What is allowed is thus
 * what the generated code encodes, never a hand-kept list. Scalars of the
 * wrong type are refused by the writer (EncodeError, an ArgumentError); an
 * object where a scalar belongs too; `null` or a non-object where an object
 * belongs is refused here.
 *
 * The writer is filled in place, so a refusal leaves nothing to send: the
 * connection drops the half-written message.
 */
import { ArgumentError } from '../netlink/errors.js';
import type { MessageWriter } from '../netlink/writer.js';
import { NotAnObjectError } from '../codec/support.js';

/** What the encoder read of one object of the request: the keys, or 'all' when it enumerated them. */
type Reads = Set<PropertyKey> | 'all';

/** Plain objects and arrays are traced; bytes, bigints and other values are handed over as they are. */
function traced(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
}

/**
 * encodeRequest encodes `request` with `encode` into `w` and refuses keys
 * the encoder did not read. `argument` names the request in errors
 * (`request.header.devNmae`). Throws ArgumentError for an unknown key or a
 * value of the wrong shape, EncodeError for a value that does not fit.
 */
export function encodeRequest<V>(encode: (w: MessageWriter, value: V) => void, w: MessageWriter, request: V, argument = 'request'): void {
  const reads = new WeakMap<object, Reads>();
  const proxies = new WeakMap<object, object>();
  // The path of the value the encoder read last: where a TypeError (null.x) comes from.
  let last = { path: argument, value: request as unknown };

  const wrap = (target: object, path: string): object => {
    const known = proxies.get(target);
    if (known) return known;
    const seen: Reads = new Set();
    reads.set(target, seen);
    const childPath = (key: PropertyKey) => (Array.isArray(target) ? `${path}[${String(key)}]` : `${path}.${String(key)}`);
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver) as unknown;
        if (typeof key === 'symbol') return value;
        const r = reads.get(t);
        if (r !== 'all') r!.add(key);
        last = { path: childPath(key), value };
        return traced(value) && Object.hasOwn(t, key) ? wrap(value, childPath(key)) : value;
      },
      has(t, key) {
        const r = reads.get(t);
        if (r !== 'all') r!.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        reads.set(t, 'all');
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };

  try {
    encode(w, (traced(request) ? wrap(request, argument) : request) as V);
  } catch (err) {
    // The encoder stepped into a value that is not an object: `null` or a
    // primitive given for a nest or a struct.
    if (err instanceof TypeError || err instanceof NotAnObjectError) throw new ArgumentError(last.path, { expected: 'an object (a nest or a struct)', received: last.value });
    throw err;
  }
  if (traced(request)) refuseUnread(request, argument, reads);
}

/** refuseUnread throws ArgumentError for the first own enumerable key (symbols included; value not undefined) the encoder never read. */
function refuseUnread(target: object, path: string, reads: WeakMap<object, Reads>): void {
  const r = reads.get(target);
  if (r === undefined) return;
  for (const key of Reflect.ownKeys(target)) {
    if (!Object.prototype.propertyIsEnumerable.call(target, key)) continue;
    const value = (target as Record<PropertyKey, unknown>)[key];
    if (value === undefined) continue;
    const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
    const at = Array.isArray(target) ? `${path}[${name}]` : `${path}.${name}`;
    if (r !== 'all' && !r.has(key)) {
      // An array element the encoder skipped is one it had no room for (fixed-size arrays): say so plainly.
      if (Array.isArray(target)) throw new ArgumentError(at, { reason: 'more elements than this field holds' });
      throw new ArgumentError(at, { reason: 'not a field or attribute of this request in its spec (misspelt, or of another operation or kind?)' });
    }
    if (traced(value)) refuseUnread(value, at, reads);
  }
}

