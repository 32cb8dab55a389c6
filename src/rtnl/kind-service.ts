/**
 * KindService: list, get, add, replace and delete for an object kind
 * declared with request builders (`ServiceKind`), without a hand-written
 * service. The Rtnl facade makes one for every such kind in the registry,
 * under the kind's plural (`rt.nexthops`).
 */
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { checkEncodes } from '../netlink/writer.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { getObject, listObjects, loadKind, sendKind, type ResolveLink, type ServiceKind } from '../registry/kind.js';
import { callOptions, checkLinkRef } from '../registry/validate.js';

/** A placeholder for every link while a request is checked before any lookup. */
const DRY_RUN: ResolveLink = async (ref, argument) => {
  checkLinkRef(ref, argument);
  return 1;
};

/** KindService is the service of one registry kind: `rt.nexthops`, … */
export class KindService<O, Spec, Key, F> {
  /** @internal */
  constructor(
    private readonly ctx: RtnlContext,
    private readonly kind: ServiceKind<any, any, any, O, Spec, Key, F>,
  ) {}

  /**
   * list dumps the objects of this kind; `filter` is applied by the kernel
   * where it can and checked again on what comes back, so it always holds.
   * `options`: `timeout`, `signal`, `interrupted`, `maxAttempts`. Throws
   * ArgumentError for a bad filter before sending, KernelError.
   */
  list(filter: F = {} as F, options?: DumpOptions): Promise<O[]> {
    return listObjects(this.ctx, this.kind, filter, options);
  }

  /**
   * get fetches one object by its key with a single RTM_GET… (no dump).
   * Throws ArgumentError for a bad key before sending, KernelError (ENOENT
   * when there is none).
   */
  async get(key: Key, options?: CallOptions): Promise<O> {
    const call = callOptions(options);
    const message = await this.checked((r) => this.kind.requests.get(key, r), call);
    return getObject(this.ctx.conn, this.kind, message, this.kind.requests.label(key), call);
  }

  /**
   * add creates an object (RTM_NEW… with NLM_F_CREATE | NLM_F_EXCL).
   * Throws ArgumentError for invalid input before anything is sent,
   * KernelError (EEXIST when it exists, …).
   */
  async add(spec: Spec, options?: CallOptions): Promise<void> {
    await this.write(spec, NLM_F_CREATE | NLM_F_EXCL, options);
  }

  /**
   * replace creates the object or replaces the one with the same key
   * (NLM_F_CREATE | NLM_F_REPLACE). Throws as `add` does, save EEXIST.
   */
  async replace(spec: Spec, options?: CallOptions): Promise<void> {
    await this.write(spec, NLM_F_CREATE | NLM_F_REPLACE, options);
  }

  /**
   * delete removes the object a key (or an object from `list()`) names
   * (RTM_DEL…). Throws ArgumentError before sending, KernelError (ENOENT
   * when there is none).
   */
  async delete(key: Key, options?: CallOptions): Promise<void> {
    const call = callOptions(options);
    const message = await this.checked((r) => this.kind.requests.remove(key, r), call);
    await sendKind(this.ctx.conn, this.kind, 'del', message, 0, this.kind.requests.label(key), call);
  }

  private async write(spec: Spec, flags: number, options: CallOptions | undefined): Promise<void> {
    const call = callOptions(options);
    const message = await this.checked((r) => this.kind.requests.create(spec, r), call);
    await sendKind(this.ctx.conn, this.kind, 'new', message, flags, this.kind.requests.label(spec), call);
  }

  /** Builds a message twice: with placeholder links, encoded into a scratch buffer (so every bad value is found first), then for real. */
  private async checked<MI>(build: (resolve: ResolveLink) => Promise<MI>, call: CallOptions): Promise<MI> {
    // A kind whose codec loads on first use (nexthops) has its request builders from then on.
    await loadKind(this.kind);
    checkEncodes((w, m) => this.kind.encode(w, m), await build(DRY_RUN));
    const known = new Map<string | number, Promise<number>>();
    return build((ref: LinkRef) => {
      let p = known.get(ref);
      if (!p) known.set(ref, (p = this.ctx.linkIndex(ref, call)));
      return p;
    });
  }
}
