/**
 * Namespace ids (nsids): the numbers one network namespace gives the others
 * it refers to — a veth peer's `link.parent.netnsId`, IFLA_LINK_NETNSID —
 * read, assigned and resolved back to a namespace over rtnetlink
 * (RTM_GETNSID / RTM_NEWNSID, generated from codegen/overlays/rt-nsid.yaml).
 *
 * An nsid means something only relative to the namespace that assigned it:
 * every call here asks the namespace of the Rtnl handle. The kernel has no
 * way back from an id to a namespace, so `namespaceOfId` does what
 * `ip netns list-id` does to print names: it asks the id of every named
 * namespace under /run/netns and keeps the one that matches.
 */
import type { CallOptions } from '../netlink/connection.js';
import { ArgumentError, NetlinkError } from '../netlink/errors.js';
import * as rtNsid from '../generated/rt-nsid.js';
import { NetNs, checkNetNsLike, openNetNs, type NetNsLike } from '../netns/index.js';
import { checkInteger } from '../netlink/args.js';
import type { RtnlContext } from '../registry/context.js';
import { Family } from '../registry/vocabulary.js';
import { loadedAttributePaths } from '../registry/attribute-paths.js';

// Requests of this family get attribute paths from here on (attribute-paths.ts).
loadedAttributePaths.add(rtNsid.attributePathAt);

/** NETNSA_NSID_NOT_ASSIGNED: no id (in a reply), or "pick one" (in RTM_NEWNSID). */
const NOT_ASSIGNED = -1;

/** Ids are non-negative s32 (the kernel's idr allocates from 0 to INT_MAX). */
const MAX_NSID = 0x7fffffff;

/** An nsid assigned in a namespace, as `ip -j netns list-id` shows it. */
export interface NetnsIdEntry {
  /** The id (NETNSA_NSID). */
  id: number;
  /** The name under /run/netns of the namespace it stands for, when one has it. */
  name: string | undefined;
}

/** How a request names the other namespace: NETNSA_PID for a pid, NETNSA_FD for anything opened. */
type Target = { attrs: rtNsid.NsidAttrs; done: () => void };

/** target opens `ns` (unless it is a pid) and returns the attribute naming it and what closes it. */
function target(ns: NetNsLike): Target {
  if (typeof ns === 'number') return { attrs: { pid: ns }, done: () => {} };
  const { ns: handle, owned } = openNetNs(ns);
  return { attrs: { fd: handle.fd }, done: () => (owned ? handle.close() : undefined) };
}

const decodeNsid = (view: DataView, start: number, end: number): number | undefined => {
  const id = rtNsid.decodeNsidMessage(view, start, end).attrs.nsid;
  return id === undefined || id === NOT_ASSIGNED ? undefined : id;
};

/**
 * netnsIdOf returns the id the handle's namespace has given `ns`, or
 * undefined when it has none (asking never assigns one), with one
 * RTM_GETNSID (NETNSA_FD, or NETNSA_PID for a pid). Throws ArgumentError
 * for a bad `ns`, NetNsError when it cannot be opened, KernelError.
 */
export async function netnsIdOf(ctx: RtnlContext, ns: NetNsLike, options?: CallOptions): Promise<number | undefined> {
  checkNetNsLike(ns, 'ns');
  const t = target(ns);
  try {
    const { replies } = await ctx.conn.request(
      {
        type: rtNsid.RequestType.getnsid,
        label: 'RTM_GETNSID',
        body: (w) => rtNsid.encodeNsidMessage(w, { header: { family: Family.all }, attrs: t.attrs }),
      },
      decodeNsid,
      options,
    );
    return replies[0];
  } finally {
    t.done();
  }
}

/**
 * setNetnsId gives `ns` the id `id` in the handle's namespace (RTM_NEWNSID,
 * as `ip netns set NAME ID`); `'auto'` lets the kernel pick the lowest free
 * one (`ip netns set NAME auto`). Returns the id `ns` has now. Throws
 * ArgumentError for a bad `ns` or `id` (nothing sent), NetNsError, and
 * KernelError `EEXIST` when `ns` has an id already or `id` is taken.
 */
export async function setNetnsId(ctx: RtnlContext, ns: NetNsLike, id: number | 'auto', options?: CallOptions): Promise<number> {
  checkNetNsLike(ns, 'ns');
  if (id !== 'auto' && !(typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= MAX_NSID)) {
    throw new ArgumentError('id', { expected: `an integer from 0 to ${MAX_NSID}, or 'auto'`, received: id });
  }
  const t = target(ns);
  try {
    await ctx.conn.request(
      {
        type: rtNsid.RequestType.newnsid,
        label: `RTM_NEWNSID ${String(id)}`,
        body: (w) => rtNsid.encodeNsidMessage(w, { header: { family: Family.all }, attrs: { ...t.attrs, nsid: id === 'auto' ? NOT_ASSIGNED : id } }),
      },
      undefined,
      options,
    );
  } finally {
    t.done();
  }
  if (id !== 'auto') return id;
  const assigned = await netnsIdOf(ctx, ns, options);
  // The kernel acknowledged an allocation; only a namespace gone meanwhile leaves it without one.
  if (assigned === undefined) throw new NetlinkError('RTM_NEWNSID auto: the kernel acknowledged, but the namespace has no id afterwards');
  return assigned;
}

/**
 * listNetnsIds dumps every id the handle's namespace has assigned
 * (RTM_GETNSID dump) and names them from /run/netns as `ip netns list-id`
 * does, sorted by id. Throws KernelError, NetNsError when /run/netns cannot
 * be read.
 */
export async function listNetnsIds(ctx: RtnlContext, options?: CallOptions): Promise<NetnsIdEntry[]> {
  const { items } = await ctx.conn.dump(
    {
      type: rtNsid.RequestType.getnsid,
      label: 'RTM_GETNSID (dump)',
      body: (w) => rtNsid.encodeNsidMessage(w, { header: { family: Family.all }, attrs: {} }),
    },
    decodeNsid,
    options,
  );
  const ids = items.filter((id): id is number => id !== undefined).sort((a, b) => a - b);
  const names = new Map<number, string>();
  if (ids.length > 0) {
    for (const { name, id } of await namedIds(ctx, options)) if (!names.has(id)) names.set(id, name);
  }
  return ids.map((id) => ({ id, name: names.get(id) }));
}

/**
 * namespaceOfId returns an open handle on the namespace that `id` stands
 * for in the handle's namespace — found among the named namespaces under
 * /run/netns, the only ones that can be found by id — or undefined when
 * none of them has it (an unnamed namespace, or an id not assigned). The
 * caller owns the returned NetNs. Throws ArgumentError for a bad id,
 * KernelError, NetNsError when /run/netns cannot be read.
 */
export async function namespaceOfId(ctx: RtnlContext, id: number, options?: CallOptions): Promise<NetNs | undefined> {
  checkInteger(id, 'id', 0, MAX_NSID);
  for (const name of NetNs.list()) {
    const ns = openQuietly(name);
    if (ns === undefined) continue;
    let found = false;
    try {
      found = (await netnsIdOf(ctx, ns, options)) === id;
    } finally {
      if (!found) ns.close();
    }
    if (found) return ns;
  }
  return undefined;
}

/** namedIds asks the id of every named namespace that has one. */
async function namedIds(ctx: RtnlContext, options?: CallOptions): Promise<{ name: string; id: number }[]> {
  const out: { name: string; id: number }[] = [];
  for (const name of NetNs.list()) {
    const ns = openQuietly(name);
    if (ns === undefined) continue;
    try {
      const id = await netnsIdOf(ctx, ns, options);
      if (id !== undefined) out.push({ name, id });
    } finally {
      ns.close();
    }
  }
  return out;
}

/** openQuietly opens /run/netns/NAME, or undefined for a leftover file that is no namespace (as `ip` skips it). */
function openQuietly(name: string): NetNs | undefined {
  try {
    return NetNs.fromName(name);
  } catch {
    return undefined;
  }
}
