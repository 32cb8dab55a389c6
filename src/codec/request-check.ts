/**
 * Unknown keys in what plain JavaScript asks to encode: the generated
 * encoders write the fields and attributes their spec names and never look
 * at anything else, so a misspelt key (`{ header: { devNmae: 'eth0' } }`,
 * `{ kind: 'vxlan', data: { vxlanId: 5 } }`) would be dropped in silence and
 * the kernel would act on a request without it — often on a different
 * object than the caller meant.
 *
 * This is the one way nlkit finds them: the generated encoder runs over a
 * tracing view of the value that records every property the encoder reads,
 * at every depth (fixed-header fields, attributes, nests, structs, the
 * sub-message a `kind` selects, arrays). A key holding a value that was
 * never read is not part of the spec: ArgumentError naming its path and the
 * keys the encoder did read there — the fields a misspelt key could have
 * meant, from the generated code itself, never a hand-kept list, with the
 * spec's name of the object (`linkinfo-vxlan-attrs has id, group, link, …`),
 * which the encoder announces through expectObject. Scalars of the wrong
 * type are refused by the writer (EncodeError, an ArgumentError); an object
 * where a scalar belongs too; `null` or a non-object where an object
 * belongs is refused here, by its path.
 *
 * Users: NetlinkFamily's `do` / `dump` (the whole request, `encodeRequest`)
 * and `links.add` (each kind option, `checkEncodedKeys`).
 */
import { ArgumentError } from '../netlink/errors.js';
import { checkEncodes, type MessageWriter } from '../netlink/writer.js';
import { ENCODED_AS, NotAnObjectError } from './support.js';

/** What the encoder read of one object: the keys in the order read, or 'all' when it enumerated them. */
interface Reads {
  keys: Set<PropertyKey> | 'all';
  /** What the encoder said the object is (expectObject's `what`), if it said. */
  what: string | undefined;
}

/** Keys every decoded object may carry (raw unknown attributes, wire order): read by encoders, but no field a misspelt key could have meant. */
const BOOKKEEPING: ReadonlySet<PropertyKey> = new Set(['unknown', 'order', 'trailing']);

/** Plain objects and arrays are traced; bytes, bigints and other values are handed over as they are. */
function traced(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
}

/** One encoding under watch: the proxies made and what each object had read. */
class Trace {
  private readonly reads = new WeakMap<object, Reads>();
  private readonly proxies = new WeakMap<object, object>();
  /** The path of the value the encoder read last: where a TypeError (null.x) comes from. */
  private last: { path: string; value: unknown };

  constructor(private readonly argument: string, root: unknown) {
    this.last = { path: argument, value: root };
  }

  /** view returns the tracing view of `value` (the value itself when it is not traced). */
  view<V>(value: V): V {
    return (traced(value) ? this.wrap(value, this.argument) : value) as V;
  }

  private wrap(target: object, path: string): object {
    const known = this.proxies.get(target);
    if (known) return known;
    const seen: Reads = { keys: new Set(), what: undefined };
    this.reads.set(target, seen);
    const childPath = (key: PropertyKey) => (Array.isArray(target) ? `${path}[${String(key)}]` : `${path}.${String(key)}`);
    const proxy = new Proxy(target, {
      get: (t, key, receiver) => {
        if (key === ENCODED_AS) return (what: string) => void (seen.what ??= what);
        const value = Reflect.get(t, key, receiver) as unknown;
        if (typeof key === 'symbol') return value;
        if (seen.keys !== 'all') seen.keys.add(key);
        this.last = { path: childPath(key), value };
        return traced(value) && Object.hasOwn(t, key) ? this.wrap(value, childPath(key)) : value;
      },
      has: (t, key) => {
        if (seen.keys !== 'all') seen.keys.add(key);
        return Reflect.has(t, key);
      },
      ownKeys: (t) => {
        seen.keys = 'all';
        return Reflect.ownKeys(t);
      },
    });
    this.proxies.set(target, proxy);
    return proxy;
  }

  /**
   * named turns what an encoder threw on stepping into a value that is not
   * an object (`null` or a primitive given for a nest or a struct) into an
   * ArgumentError naming that value's path; anything else is returned as is.
   */
  named(err: unknown): unknown {
    if (err instanceof TypeError || err instanceof NotAnObjectError) return new ArgumentError(this.last.path, { expected: 'an object (a nest or a struct)', received: this.last.value });
    return err;
  }

  /** readNothing tells whether the encoder read no key of `target` (it refused it whole). */
  readNothing(target: object): boolean {
    const r = this.reads.get(target);
    return r !== undefined && r.keys !== 'all' && r.keys.size === 0;
  }

  /** refuseUnread throws ArgumentError for the first own enumerable key (symbols included; value not undefined) of `target`, at any depth, that the encoder never read. */
  refuseUnread(target: object, path = this.argument): void {
    const r = this.reads.get(target);
    if (r === undefined) return;
    for (const key of Reflect.ownKeys(target)) {
      if (!Object.prototype.propertyIsEnumerable.call(target, key)) continue;
      const value = (target as Record<PropertyKey, unknown>)[key];
      if (value === undefined) continue;
      const name = typeof key === 'symbol' ? `[${String(key)}]` : key;
      const at = Array.isArray(target) ? `${path}[${name}]` : `${path}.${name}`;
      if (r.keys !== 'all' && !r.keys.has(key)) {
        // An array element the encoder skipped is one it had no room for (fixed-size arrays): say so plainly.
        if (Array.isArray(target)) throw new ArgumentError(at, { reason: 'more elements than this field holds' });
        throw new ArgumentError(at, { reason: `unknown key: ${describe(r)}` });
      }
      if (traced(value)) this.refuseUnread(value, at);
    }
  }
}

/** `linkinfo-vxlan-attrs has id, group, link, …`: what the object is and the fields its encoder read. */
function describe(r: Reads): string {
  const fields = r.keys === 'all' ? [] : [...r.keys].filter((k): k is string => typeof k === 'string' && !BOOKKEEPING.has(k));
  // expectObject says `attribute set X` or `struct X`: a set goes by its name alone.
  const what = r.what === undefined ? 'this object' : r.what.replace(/^attribute set /, '');
  return `${what} has ${fields.length ? fields.join(', ') : 'no fields'} (misspelt, or of another operation or kind?)`;
}

/**
 * encodeRequest encodes `request` with `encode` into `w` and refuses keys
 * the encoder did not read. `argument` names the request in errors
 * (`request.header.devNmae`). Throws ArgumentError for an unknown key or a
 * value of the wrong shape, EncodeError for a value that does not fit; the
 * writer is filled in place, so the caller drops the half-written message.
 */
export function encodeRequest<V>(encode: (w: MessageWriter, value: V) => void, w: MessageWriter, request: V, argument = 'request'): void {
  const t = new Trace(argument, request);
  try {
    encode(w, t.view(request));
  } catch (err) {
    throw t.named(err);
  }
  if (traced(request)) t.refuseUnread(request);
}

/**
 * checkEncodedKeys refuses the keys of `value` that `encode` does not read
 * when it writes it (into a scratch writer; nothing is kept). `encode` gets
 * the tracing view of `value` and may place it inside a larger message
 * (`(w, data) => encodeLinkinfoAttrs(w, { kind, data })`); `argument` names
 * `value` in errors (`spec.vxlan`). A value the encoder refuses is left to
 * the encoding that sends it, which names it by the message's own path —
 * unless the encoder refused `value` whole, before reading any of its keys
 * (a kind whose options can only be raw bytes). Throws ArgumentError for an
 * unknown key, a non-object where an object belongs, or such a value.
 */
export function checkEncodedKeys<V>(value: V, argument: string, encode: (w: MessageWriter, value: V) => void): void {
  const t = new Trace(argument, value);
  try {
    checkEncodes(encode, t.view(value));
  } catch (err) {
    const named = t.named(err);
    if (named !== err) throw named;
    // Refused whole, before any of its keys was read (a kind whose options are raw bytes only): the value itself is wrong.
    if (traced(value) && t.readNothing(value)) throw new ArgumentError(argument, { reason: `cannot be encoded: ${(err as Error).message}` });
    return;
  }
  if (traced(value)) t.refuseUnread(value);
}
