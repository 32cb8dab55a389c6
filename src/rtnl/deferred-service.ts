/**
 * Services whose code loads on first use: routes, neighbours, rules and
 * bridge VLANs. The handle holds a stand-in with the service's methods;
 * the first call imports the service's module (and its codec), and every
 * call goes to the real service. Every method of these services returns a
 * promise, so a caller sees no difference beyond the first call's load:
 * argument errors still reject before anything is sent.
 */

/** Every public member of service `S`, each a method returning a promise: the stand-in gets one of each. */
export type ServiceMethods<S> = { readonly [K in keyof S]: true };

/**
 * deferredService returns the stand-in for a service `load` makes. A load
 * that fails (a transient file system error) rejects that call and is
 * tried again on the next.
 */
export function deferredService<S extends object>(methods: ServiceMethods<S>, load: () => Promise<S>): S {
  let service: Promise<S> | undefined;
  const loaded = () =>
    (service ??= load().catch((err: unknown) => {
      service = undefined;
      throw err;
    }));
  const stand: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    stand[name] = (...args) => loaded().then((s) => (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args));
  }
  return stand as unknown as S;
}
