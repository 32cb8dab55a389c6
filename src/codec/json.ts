/**
 * How nlkit's objects print: as JSON (`JSON.stringify`) and in the console
 * (`console.log`, `util.inspect`).
 *
 * Values keep their exact types in memory: 64-bit counters and timers are
 * `bigint` (exact to 2^64, one type whatever the value), binary attributes are
 * `Uint8Array`, absent attributes are `undefined` keys (every decoded object of
 * a kind has the same fields, which keeps decoding fast). None of that suits
 * JSON — `JSON.stringify` throws on a bigint and prints a Uint8Array as `{}` —
 * so every object the public API returns (Link, Address, Route, Neighbor,
 * Rule, MoveResult, generic netlink replies) inherits `toJSON` from
 * `JsonReady`, which writes:
 *
 *   bigint      → decimal string     `"18446744073709551615"` (exact; `BigInt(s)` reads it back)
 *   Uint8Array  → lower-case hex     `"0a000001"`
 *   undefined   → left out           (as JSON.stringify does for plain objects)
 *
 * and nothing that is not an enumerable own property (the decoders' wire-order
 * bookkeeping is non-enumerable). The console shows the same fields without
 * the undefined ones, with bigints and bytes as they are.
 */
// A builtin through process.getBuiltinModule, not import (see src/index.ts).
const { inspect } = process.getBuiltinModule('node:util');

/**
 * toJSONValue converts any value nlkit returned, or a part of one (`link.stats`,
 * `route.attrs`), to plain JSON data: bigint → decimal string, Uint8Array →
 * hex string, undefined fields dropped, arrays and objects converted
 * recursively. Never throws for nlkit's own objects.
 */
export function toJSONValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toJSONValue(v)));
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined && typeof v !== 'function') out[k] = toJSONValue(v);
  }
  return out;
}

/** inspectValue is toJSONValue for the console: undefined fields dropped, bigints and bytes kept. */
function inspectValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map(inspectValue);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = inspectValue(v);
  }
  return out;
}

/**
 * JsonReady: the prototype of every object the public API returns. It adds
 * no enumerable fields — the objects stay plain data (spread, `Object.keys`,
 * `structuredClone` see only their fields) — only `toJSON` (see toJSONValue)
 * and a console form without undefined fields.
 */
export const JsonReady: object = Object.freeze(
  Object.create(Object.prototype, {
    toJSON: {
      value: function toJSON(this: object): unknown {
        return toJSONValue(this);
      },
    },
    [inspect.custom]: {
      value: function (this: object, _depth: number, options: object): string {
        return inspect(inspectValue(this), options);
      },
    },
  }),
);

/**
 * jsonReady gives a decoded object `JsonReady` as its prototype and returns
 * it (anything else unchanged). For objects made elsewhere (generic netlink
 * replies, a Link's stats, details and attrs); nlkit's own object literals set
 * `__proto__: JsonReady` directly, which is cheaper.
 * @internal
 */
export function jsonReady<T>(value: T): T {
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) Object.setPrototypeOf(value, JsonReady);
  return value;
}

/** JsonObject<T>: the type of an object literal that sets `__proto__: JsonReady`. @internal */
export type JsonObject<T> = T & { __proto__: object };
