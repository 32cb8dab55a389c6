/**
 * Traffic control: `rtnl.qdiscs`, `rtnl.classes` and `rtnl.filters` — list,
 * add, replace and delete, with each kind's options typed (src/registry/tc/kinds).
 * Every request is checked and encoded once with placeholder device
 * indexes before any lookup or change is sent, so bad input never leaves
 * anything half done.
 */
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../netlink/constants.js';
import { isRecord } from '../netlink/args.js';
import { ArgumentError, KernelError } from '../netlink/errors.js';
import type { CallOptions, DumpOptions } from '../netlink/connection.js';
import { checkEncodes } from '../netlink/writer.js';
import type * as tc from '../generated/tc.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { listObjects } from '../registry/kind.js';
import { TcTypes, classKind, filterKind, qdiscKind } from '../registry/kinds/tc.js';
import { callOptions, checkLinkRef } from '../registry/validate.js';
import type { ClassRef, ClassSpec, TcClass } from '../registry/tc/class.js';
import type { Filter, FilterRef, FilterSpec } from '../registry/tc/filter.js';
import type { Qdisc, QdiscRef, QdiscSpec } from '../registry/tc/qdisc.js';
import type { FilterParent, Handle, QdiscParent } from '../registry/tc/handle.js';
import type { LinkResolver } from '../registry/tc/actions.js';
import type { EthProtocolName } from '../registry/vocabulary.js';

/** The tc module, loaded on first use (it brings the generated tc codec). */
type TcModule = typeof import('../registry/tc/index.js');
const loadTc = (): Promise<TcModule> => import('../registry/tc/index.js');


/** Filters of `qdiscs.list`; each holds in what is returned. */
export interface QdiscFilter {
  /** Only this device's qdiscs. */
  dev?: LinkRef;
  /** Only this kind ('htb', 'noqueue', …). */
  kind?: string;
  /** Only qdiscs under this parent ('root', 'ingress', 'clsact', a class). */
  parent?: QdiscParent;
  /** Only the qdisc with this handle. */
  handle?: Handle;
}

/** Filters of `classes.list`. */
export interface ClassFilter {
  /** Only this device's classes (otherwise every device's, one dump each). */
  dev?: LinkRef;
  kind?: string;
  /** Only children of this class ('root': top-level classes). */
  parent?: 'root' | Handle;
  /** Only the class with this id. */
  classid?: Handle;
}

/** Filters of `filters.list`. */
export interface FilterFilter {
  /** Only this device's filters (otherwise every device's). */
  dev?: LinkRef;
  /** Only this block: 'root', 'ingress', 'egress', a qdisc or class (otherwise every block of the device: each qdisc's and class's). */
  parent?: FilterParent;
  kind?: string;
  /** Only this priority (applied by the kernel). */
  priority?: number;
  /** Only this protocol (applied by the kernel). */
  protocol?: EthProtocolName | number;
  /** Only this chain. */
  chain?: number;
}

/** A placeholder lookup while checking: the reference is validated, nothing is asked of the kernel. */
const checkOnly: LinkResolver = async (ref, argument) => {
  checkLinkRef(ref, argument);
  return 1;
};

/** The options of a single request: `timeout` and `signal`. */
type Call = CallOptions;

/** Shared plumbing of the three services. */
abstract class TcService {
  /** @internal */
  constructor(protected readonly ctx: RtnlContext) {}

  /**
   * send checks and encodes the message with placeholders (ifindex 1, every
   * device 1), then resolves the devices and sends it for real.
   */
  protected async send(
    type: number,
    label: string,
    flags: number,
    dev: unknown,
    build: (ifindex: number, link: LinkResolver) => Promise<tc.TcMessageInput> | tc.TcMessageInput,
    call: Call,
    before?: (message: tc.TcMessageInput) => Promise<void>,
  ): Promise<void> {
    const t = await loadTc();
    checkEncodes(t.encodeTcMessage, await build(1, checkOnly));
    const ifindex = await this.ctx.linkIndex(dev as LinkRef, call);
    const message = await build(ifindex, (ref) => this.ctx.linkIndex(ref, call));
    await before?.(message);
    await this.ctx.conn.request({ type, flags, label, body: (w) => t.encodeTcMessage(w, message) }, undefined, call);
  }
}

/** ENOENT: what the kernel answers for a qdisc that does not exist, and nlkit for a parent class that does not. */
const ENOENT = 2;

/** Qdiscs is `rtnl.qdiscs`: the queueing disciplines of one namespace's devices (`tc qdisc`). */
export class Qdiscs extends TcService {
  /**
   * list dumps the qdiscs (RTM_GETQDISC), as `tc qdisc show` lists them,
   * the kernel's default ones (`noqueue`, `pfifo_fast`, …) included.
   * `options`: `timeout`, `signal`, `interrupted`, `maxAttempts`. Throws
   * ArgumentError for a bad filter before sending, KernelError (ENODEV).
   */
  list(filter: QdiscFilter = {}, options?: DumpOptions): Promise<Qdisc[]> {
    return listObjects(this.ctx, qdiscKind, filter, options);
  }

  /**
   * add creates a qdisc (RTM_NEWQDISC with NLM_F_CREATE | NLM_F_EXCL), as
   * `tc qdisc add`. Throws ArgumentError for a bad spec before sending
   * (unknown kind or option, bad handle, rate, size), KernelError (`EEXIST`
   * when there is one already, `ENOENT` for a missing parent, `EINVAL` with
   * the kernel's reason, `ENODEV`).
   */
  async add(spec: QdiscSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE | NLM_F_EXCL, 'RTM_NEWQDISC', options);
  }

  /**
   * replace creates the qdisc or replaces the one at its parent
   * (NLM_F_CREATE | NLM_F_REPLACE), as `tc qdisc replace`: the way to change
   * a root qdisc's kind in one step. Throws as `add` does, save EEXIST.
   */
  async replace(spec: QdiscSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE | NLM_F_REPLACE, 'RTM_NEWQDISC (replace)', options);
  }

  /**
   * delete removes a qdisc and everything under it (RTM_DELQDISC): the one
   * at `parent` (default 'root'), or the one with `handle`; a listed Qdisc
   * can be given as is (its kind is sent too, so the kernel never removes
   * another qdisc in its place). Throws ArgumentError, KernelError
   * (`ENOENT`; `EINVAL` for the kernel's default qdisc).
   */
  async delete(qdisc: QdiscRef, options?: Call): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const dev = record(qdisc, 'qdisc').dev;
    await this.send(TcTypes.delqdisc, `RTM_DELQDISC on ${JSON.stringify(dev)}`, 0, dev, (ifindex) => t.qdiscDeleteMessage(qdisc, ifindex), call);
  }

  private async modify(spec: QdiscSpec, flags: number, label: string, options: Call | undefined): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const s = record(spec, 'spec');
    await this.send(TcTypes.newqdisc, `${label} ${JSON.stringify(s.kind)} on ${JSON.stringify(s.dev)}`, flags, s.dev, (ifindex, link) => t.qdiscMessage(spec, ifindex, { protocol: 0, link }), call);
  }
}

/** Classes is `rtnl.classes`: the classes of classful qdiscs (htb), as `tc class`. */
export class Classes extends TcService {
  /**
   * list dumps the classes (RTM_GETTCLASS) of one device, or of every
   * device (one dump each: the kernel dumps classes per device). Throws
   * ArgumentError, KernelError (ENODEV).
   */
  list(filter: ClassFilter = {}, options?: DumpOptions): Promise<TcClass[]> {
    return listObjects(this.ctx, classKind, filter, options);
  }

  /**
   * add creates a class (RTM_NEWTCLASS with NLM_F_CREATE | NLM_F_EXCL), as
   * `tc class add`; htb's rate tables and bursts are computed as tc
   * computes them. A parent class is looked for first (htb would quietly
   * make the class a top-level one). Throws ArgumentError before sending,
   * KernelError (`EEXIST`; `ENOENT` naming the qdisc or parent class that
   * does not exist).
   */
  async add(spec: ClassSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE | NLM_F_EXCL, 'RTM_NEWTCLASS', options);
  }

  /** replace creates the class or changes it in place (NLM_F_CREATE, as `tc class replace`). Throws as `add` does, save EEXIST. */
  async replace(spec: ClassSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE, 'RTM_NEWTCLASS (replace)', options);
  }

  /** delete removes a class (RTM_DELTCLASS) by device and classid; a listed TcClass can be given as is. Throws ArgumentError, KernelError (`ENOENT`, `EBUSY` while it has children or filters point to it). */
  async delete(cls: ClassRef, options?: Call): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const r = record(cls, 'class');
    await this.send(TcTypes.deltclass, `RTM_DELTCLASS ${JSON.stringify(r.classid)} on ${JSON.stringify(r.dev)}`, 0, r.dev, (ifindex) => t.classDeleteMessage(cls, ifindex), call);
  }

  private async modify(spec: ClassSpec, flags: number, label: string, options: Call | undefined): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const s = record(spec, 'spec');
    const what = `${label} ${JSON.stringify(s.classid)} on ${JSON.stringify(s.dev)}`;
    let qdisc = '';
    // Set once nlkit's own check refused: that error is not the kernel's to reword.
    let checked = false;
    try {
      await this.send(
        TcTypes.newtclass,
        what,
        flags,
        s.dev,
        (ifindex, link) => t.classMessage(spec, ifindex, { protocol: 0, link }),
        call,
        async (message) => {
          const { ifindex, parent = t.TC_H_ROOT, handle = 0 } = message.header;
          qdisc = t.formatHandle(handle & 0xffff0000);
          if (parent !== t.TC_H_ROOT && (parent & 0xffff) !== 0) {
            checked = true;
            await this.checkParentClass(ifindex!, parent, what, call);
            checked = false;
          }
        },
      );
    } catch (err) {
      // With NLM_F_CREATE the kernel's only ENOENT is a qdisc lookup that failed, and it says nothing more.
      if (err instanceof KernelError && err.code === 'ENOENT' && err.requestType === TcTypes.newtclass && !err.ack.message && !checked) {
        throw new KernelError(err.errno, err.ack, err.requestType, `${what}: there is no qdisc ${qdisc} on the device (a class goes in the qdisc its classid's major names)`);
      }
      throw err;
    }
  }

  /**
   * The kernel does not refuse a parent class that does not exist: htb makes
   * the class a top-level one instead (and tc does the same). So the
   * device's classes are dumped first (the kernel answers no single
   * RTM_GETTCLASS) and a missing parent is refused as the kernel refuses a
   * missing qdisc, with ENOENT. A parent deleted between the two requests
   * still slips through: the check is for the common mistake, not the race.
   */
  private async checkParentClass(ifindex: number, parent: number, what: string, call: Call): Promise<void> {
    const t = await loadTc();
    const classid = t.formatHandle(parent);
    if ((await listObjects(this.ctx, classKind, { dev: ifindex, classid }, call)).length > 0) return;
    throw new KernelError(ENOENT, {}, TcTypes.newtclass, `${what}: its parent class ${classid} does not exist (htb would make the class a top-level one; nlkit refuses first)`);
  }

}

/** Filters is `rtnl.filters`: classifiers and their actions (`tc filter`). */
export class Filters extends TcService {
  /**
   * list dumps filters (RTM_GETTFILTER). The kernel dumps one block (a
   * qdisc's or class's filters) per request, so without `parent` every
   * block of the device is dumped: each qdisc's and class's, a clsact's
   * ingress and egress. Without `dev`, every device's. Throws
   * ArgumentError, KernelError (ENODEV).
   */
  list(filter: FilterFilter = {}, options?: DumpOptions): Promise<Filter[]> {
    return listObjects(this.ctx, filterKind, filter, options);
  }

  /**
   * add creates a filter (RTM_NEWTFILTER with NLM_F_CREATE | NLM_F_EXCL),
   * as `tc filter add`. Throws ArgumentError before sending (unknown kind
   * or option, a match the protocol cannot have), KernelError (`EEXIST`,
   * `EINVAL` with the kernel's reason, `ENOENT` for a classifier or action
   * the kernel lacks).
   */
  async add(spec: FilterSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE | NLM_F_EXCL, 'RTM_NEWTFILTER', options);
  }

  /** replace creates the filter or changes the one with its handle (NLM_F_CREATE, as `tc filter replace`). Throws as `add` does. */
  async replace(spec: FilterSpec, options?: Call): Promise<void> {
    await this.modify(spec, NLM_F_CREATE, 'RTM_NEWTFILTER (replace)', options);
  }

  /**
   * delete removes filters (RTM_DELTFILTER): every filter of a priority, or
   * with `handle` and `kind` one node; a listed Filter can be given as is.
   * Throws ArgumentError (a missing priority: the kernel would empty the
   * whole block), KernelError (`ENOENT`).
   */
  async delete(filter: FilterRef, options?: Call): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const r = record(filter, 'filter');
    await this.send(TcTypes.deltfilter, `RTM_DELTFILTER prio ${String(r.priority)} on ${JSON.stringify(r.dev)}`, 0, r.dev, (ifindex) => t.filterDeleteMessage(filter, ifindex), call);
  }

  private async modify(spec: FilterSpec, flags: number, label: string, options: Call | undefined): Promise<void> {
    const call = callOptions(options);
    const t = await loadTc();
    const s = record(spec, 'spec');
    await this.send(TcTypes.newtfilter, `${label} ${JSON.stringify(s.kind)} on ${JSON.stringify(s.dev)}`, flags, s.dev, (ifindex, link) => t.filterMessage(spec, ifindex, { link }), call);
  }

}

/** record checks that an argument is an object (its keys are checked where it is built). Throws ArgumentError. */
function record(v: unknown, argument: string): Record<string, unknown> {
  if (!isRecord(v)) throw new ArgumentError(argument, { expected: 'an object', received: v });
  return v;
}
