/**
 * Kinds declared in two parts: the static facts every table of the
 * registry is built from (names, message types, groups, families, volatile
 * fields), known at import, and the members that need the kind's codec
 * (decode, convert, key, dumps, filters), which load on first use. tc's
 * kinds are declared so: their generated codec is 19,000 lines that
 * `import { Rtnl } from 'nlkit'` should not pay for. So are routes,
 * neighbours, rules and nexthops: `Rtnl.open` need not load what a program
 * that only reads links and addresses never uses.
 */
import type { KindNames, KindRequests, ObjectKind, ServiceKind } from './kind.js';

/** The members of a kind that need its codec: absent until `load()` resolved. */
type CodecKey = 'decode' | 'encode' | 'convert' | 'lazy' | 'fromWire' | 'key' | 'groupKey' | 'objectKey' | 'accept' | 'silent' | 'dump' | 'filters' | 'checkFilter' | 'expand';

/** Every codec member, so the declaration below fails to compile when ObjectKind gains one that is not listed. */
const CODEC_KEYS: Readonly<Record<CodecKey, true>> = {
  decode: true,
  encode: true,
  convert: true,
  lazy: true,
  fromWire: true,
  key: true,
  groupKey: true,
  objectKey: true,
  accept: true,
  silent: true,
  dump: true,
  filters: true,
  checkFilter: true,
  expand: true,
};

/** The static part of a deferred kind's declaration. */
export type KindStatics<N extends KindNames> = Omit<ObjectKind<N>, CodecKey | 'load'>;

/** The part of a deferred kind's declaration that its codec's module provides. */
export type KindCodec<M, MI, O> = Pick<ObjectKind<KindNames, M, MI, O>, CodecKey>;

/**
 * deferredKind declares a kind whose codec-dependent members come from
 * `load` (a dynamic import) on first use. Until `kind.load()` has resolved,
 * reading one of them throws an Error saying so: a caller that forgot to
 * await `loadKind` fails loudly, never with a half-made kind.
 */
export function deferredKind<N extends KindNames, M, MI, O>(statics: KindStatics<N>, load: () => Promise<KindCodec<M, MI, O>>): ObjectKind<N, M, MI, O> {
  return defer(statics, load, CODEC_MEMBERS) as unknown as ObjectKind<N, M, MI, O>;
}

/**
 * deferredServiceKind is deferredKind for a kind the generic service drives
 * (`ServiceKind`): its request builders come with the codec, and the
 * service awaits `loadKind` before it uses them.
 */
export function deferredServiceKind<N extends KindNames, M, MI, O, Spec, Key, F>(
  statics: KindStatics<N>,
  load: () => Promise<KindCodec<M, MI, O> & { requests: KindRequests<MI, Spec, Key> }>,
): ServiceKind<N, M, MI, O, Spec, Key, F> {
  return defer(statics, load, SERVICE_MEMBERS) as unknown as ServiceKind<N, M, MI, O, Spec, Key, F>;
}

/** The members a deferred kind gets from its codec, and the getters that throw until then. */
interface CodecMembers {
  keys: readonly string[];
  unloaded: PropertyDescriptorMap;
}

/**
 * codecMembers makes the throwing getters of `keys` once, for every kind deferred
 * with them to share: a getter and a descriptor per key per kind made ~70 kB of
 * objects at `Rtnl.open` for what only a caller's mistake ever runs. Each getter
 * names its kind from the object it is read on.
 */
function codecMembers(keys: readonly string[]): CodecMembers {
  const unloaded: PropertyDescriptorMap = {};
  for (const key of keys) {
    unloaded[key] = {
      configurable: true,
      enumerable: true,
      get(this: { kind: string }) {
        throw new Error(`the ${this.kind} kind's ${key} is used before its codec loaded (await loadKind(kind) first)`);
      },
    };
  }
  return { keys, unloaded };
}

const CODEC_MEMBERS = codecMembers(Object.keys(CODEC_KEYS));
const SERVICE_MEMBERS = codecMembers([...Object.keys(CODEC_KEYS), 'requests']);

/** defer makes the kind object: `statics`, and a member per key of `members` that throws until `load` resolved. */
function defer(statics: KindStatics<KindNames>, load: () => Promise<object>, { keys, unloaded }: CodecMembers): Record<string, unknown> {
  const kind: Record<string, unknown> = { ...statics };
  let loading: Promise<void> | undefined;
  Object.defineProperties(kind, unloaded);
  kind.load = () =>
    (loading ??= load().then(
      (parts) => {
        for (const key of keys) Object.defineProperty(kind, key, { value: (parts as Record<string, unknown>)[key], enumerable: true, writable: false, configurable: false });
      },
      (err: unknown) => {
        // A failed import may succeed later (a transient file system error): try again next time.
        loading = undefined;
        throw err;
      },
    ));
  return kind;
}
