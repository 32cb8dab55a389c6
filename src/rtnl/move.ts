/**
 * links.move: put a device into another network namespace, renamed, in ONE
 * RTM_NEWLINK (IFLA_NET_NS_FD + IFLA_IFNAME), so no program ever sees it
 * under its new name in the old namespace or its old name in the new one —
 * and carry its addresses over, which the kernel drops on the way.
 *
 * Steps, in order:
 *   1. validate (name, target namespace) before touching anything;
 *   2. find the device (one RTM_GETLINK);
 *   3. list its addresses, this device only, under the `retry` dump policy —
 *      before setting it down, since IPv6 addresses are flushed on down;
 *   4. set it down;
 *   5. the one RTM_NEWLINK;
 *   6. find it in the target by its new name, re-add every permanent
 *      global-scope address (prefix, peer, broadcast, label, flags);
 *   7. set it up (unless `down`).
 * Any failure undoes what was done — the device goes back under its old
 * name, its addresses and up state are restored — and throws MoveError
 * naming the step, the kernel's reason and where the device is now.
 *
 * Measured on this kernel: the kernel changes the namespace first and
 * renames second, so a name taken in the target fails with EEXIST *after*
 * the device arrived there under its old name. So after any failure we
 * look where the device really is before undoing.
 */
import { Connection, type CallOptions, type Request } from '../netlink/connection.js';
import { NLM_F_CREATE, NLM_F_EXCL, NetlinkProtocol } from '../netlink/constants.js';
import { ClosedError, KernelError } from '../netlink/errors.js';
import { MoveError, type MoveStep } from './errors.js';
import { NetNs, openNetNs, type NetNsLike } from '../netns/index.js';
import type * as rtAddr from '../generated/rt-addr.js';
import type * as rtLink from '../generated/rt-link.js';
import type { LinkRef, RtnlContext } from '../registry/context.js';
import { kindRequest, sendKind } from '../registry/kind.js';
import { addressKind } from '../registry/kinds/address.js';
import { getLink, linkKind, linkUpRequest, setLinkUp, type Link } from '../registry/kinds/link.js';
import { checkLinkName, pickCall } from '../registry/validate.js';
import { FOREVER, Family, ScopeNumber, scopeName, type Scope } from '../registry/vocabulary.js';
import { JsonReady, type JsonObject } from '../codec/json.js';

/**
 * Options for links.move. `timeout` and `signal` apply to each request of
 * the move's steps; a move given up half-way is undone like any other
 * failure (the undo itself is not cut short), and MoveError's `cause` is the
 * TimeoutError or AbortError.
 */
export interface MoveOptions extends CallOptions {
  /** The target namespace: a NetNs, a name under /run/netns, an absolute path, or a pid. */
  netns: NetNsLike;
  /** The device's name in the target (default: its current name). */
  name?: string;
  /** Leave the device down in the target (default: set it up). */
  down?: boolean;
}

/** An address as links.move saw it. */
export interface MovedAddress {
  family: 'inet' | 'inet6';
  /** The interface's own address (IFA_LOCAL, or IFA_ADDRESS when there is no LOCAL). */
  address: string;
  prefixLength: number;
  /** Point-to-point peer, when IFA_ADDRESS differs from IFA_LOCAL. */
  peer: string | undefined;
  broadcast: string | undefined;
  label: string | undefined;
  /** ifa_scope by name as `ip` prints it ('global', 'site', 'link', 'host'), or the number. */
  scope: Scope | number;
  permanent: boolean;
}

/** What links.move did. */
export interface MoveResult {
  /** The device's index in the target namespace (the kernel may renumber it). */
  index: number;
  /** Its name in the target. */
  name: string;
  /** Its hardware address (IFLA_ADDRESS) in the target, e.g. `02:00:00:00:00:01`; undefined for a device without one. */
  mac: string | undefined;
  /** Whether it was set up in the target. */
  up: boolean;
  /** Permanent global addresses re-added in the target. */
  carried: MovedAddress[];
  /** Addresses not carried: host or link scope, or with a finite lifetime. */
  skipped: MovedAddress[];
  /** Address dumps it took (more than 1 when a concurrent change interrupted one: NLM_F_DUMP_INTR). */
  addressDumps: number;
}

interface Snapshot {
  link: Link;
  addresses: rtAddr.AddrMessage[];
}

function summarize(m: rtAddr.AddrMessage): MovedAddress {
  const a = m.attrs;
  const local = a.ifaLocal ?? a.ifaAddress ?? '';
  const flags = a.ifaFlags ?? m.header.ifaFlags;
  return {
    family: m.header.ifaFamily === Family.inet6 ? 'inet6' : 'inet',
    address: local,
    prefixLength: m.header.ifaPrefixlen,
    peer: a.ifaLocal !== undefined && a.ifaAddress !== undefined && a.ifaAddress !== a.ifaLocal ? a.ifaAddress : undefined,
    broadcast: a.ifaBroadcast,
    label: a.ifaLabel,
    scope: scopeName(m.header.ifaScope),
    permanent: flags.includes('permanent'),
  };
}

/** Whether an address belongs in the new namespace: permanent, global scope, no finite lifetime. */
function carries(m: rtAddr.AddrMessage): boolean {
  const flags = m.attrs.ifaFlags ?? m.header.ifaFlags;
  const life = m.attrs.ifaCacheinfo;
  return m.header.ifaScope === ScopeNumber.global && flags.includes('permanent') && (!life || life.ifaValid === FOREVER);
}

/** findLink is getLink that answers undefined for ENODEV. */
async function findLink(conn: Connection, ref: LinkRef): Promise<Link | undefined> {
  try {
    return await getLink(conn, ref);
  } catch (err) {
    if (err instanceof KernelError && err.code === 'ENODEV') return undefined;
    throw err;
  }
}

/**
 * moveLinkMessage is the RTM_NEWLINK body that moves device `index` into the
 * namespace open on `nsFd` under `name` (IFLA_NET_NS_FD + IFLA_IFNAME), what
 * `ip link set dev X netns NS name Y` sends; exported for the golden request
 * test (test/golden/link-move.test.ts).
 * @internal
 */
export function moveLinkMessage(index: number, name: string, nsFd: number): rtLink.LinkMessageInput {
  return { header: { ifiIndex: index }, attrs: { ifname: name, netNsFd: nsFd } };
}

/** The one message that moves (and renames) the device. */
async function moveMessage(conn: Connection, index: number, name: string, nsFd: number, options?: CallOptions): Promise<void> {
  await sendKind(conn, linkKind, 'new', moveLinkMessage(index, name, nsFd), 0, `move ${name}`, options);
}

/** The device's addresses; throws DumpInterruptedError when ten dumps in a row were interrupted (no consistent set to carry). */
async function listAddresses(conn: Connection, index: number, options?: CallOptions): Promise<{ items: rtAddr.AddrMessage[]; attempts: number }> {
  const { items, attempts } = await conn.dump(kindRequest(addressKind, 'get', { header: { ifaIndex: index }, attrs: {} }), addressKind.decode, {
    ...options,
    interrupted: 'retry',
    maxAttempts: 10,
  });
  // Strict checking filters by index; keep the check in case a kernel ignores it.
  return { items: items.filter((m) => m.header.ifaIndex === index), attempts };
}

/**
 * The RTM_NEWADDR that re-adds an address on `index`. The label follows the device's name the way
 * the kernel renames labels on a rename (`veth0:a` on veth0 → `eth0:a` on eth0).
 */
function addAddressRequest(index: number, m: rtAddr.AddrMessage, oldName: string, newName: string, keepLifetime: boolean): Request {
  const a = m.attrs;
  const attrs: rtAddr.AddrAttrs = {};
  if (a.ifaLocal !== undefined) attrs.ifaLocal = a.ifaLocal;
  if (a.ifaAddress !== undefined) attrs.ifaAddress = a.ifaAddress;
  if (a.ifaBroadcast !== undefined) attrs.ifaBroadcast = a.ifaBroadcast;
  if (a.ifaLabel !== undefined) attrs.ifaLabel = a.ifaLabel.startsWith(oldName) ? newName + a.ifaLabel.slice(oldName.length) : a.ifaLabel;
  // Flags the kernel sets by itself (permanent, tentative, secondary, …) are not ours to send.
  const settable = (a.ifaFlags ?? m.header.ifaFlags).filter((f) => f === 'nodad' || f === 'noprefixroute' || f === 'managetempaddr' || f === 'mcautojoin' || f === 'homeaddress');
  if (settable.length) attrs.ifaFlags = settable;
  if (a.ifaRtPriority !== undefined) attrs.ifaRtPriority = a.ifaRtPriority;
  if (keepLifetime && a.ifaCacheinfo && a.ifaCacheinfo.ifaValid !== FOREVER) {
    attrs.ifaCacheinfo = { ifaPrefered: a.ifaCacheinfo.ifaPrefered, ifaValid: a.ifaCacheinfo.ifaValid, cstamp: 0, tstamp: 0 };
  }
  const summary = summarize(m);
  const header = { ifaFamily: m.header.ifaFamily, ifaPrefixlen: m.header.ifaPrefixlen, ifaScope: m.header.ifaScope, ifaIndex: index };
  return kindRequest(addressKind, 'new', { header, attrs }, NLM_F_CREATE | NLM_F_EXCL, `${summary.address}/${summary.prefixLength}`);
}

/** The namespace an Rtnl's socket lives in, as a NetNs (for moving a device back). */
function namespaceOf(conn: Connection): NetNs {
  return NetNs.ofSocket(conn.netlinkSocket.fd);
}

/**
 * moveLink implements links.move (see the module comment). Throws
 * ClosedError when the handle is closed (like every call on a closed
 * handle), MoveError for every other failure — step `validate` when the
 * target cannot be opened or entered (entering needs CAP_SYS_ADMIN: the
 * cause is then a NetNsError EPERM saying so).
 */
export async function moveLink(ctx: RtnlContext, ref: LinkRef, options: MoveOptions): Promise<MoveResult> {
  if (ctx.conn.closed) throw new ClosedError('links.move: the Rtnl handle is closed');
  // 1. Validate before any change.
  let target: NetNs;
  let ownsTarget: boolean;
  let source: NetNs;
  try {
    if (options.name !== undefined) checkLinkName(options.name, 'new name');
    ({ ns: target, owned: ownsTarget } = openNetNs(options.netns));
  } catch (err) {
    throw new MoveError('validate', err, true, 'nothing was changed');
  }
  try {
    source = namespaceOf(ctx.conn);
  } catch (err) {
    if (ownsTarget) target.close();
    throw new MoveError('validate', err, true, 'nothing was changed');
  }
  let tconn: Connection | undefined;
  try {
    if (source.equals(target)) throw new MoveError('validate', new Error('the target namespace is the one the device is in'), true, 'nothing was changed');
    try {
      tconn = Connection.open({ protocol: NetlinkProtocol.route, netns: target });
    } catch (err) {
      throw new MoveError('validate', err, true, `nothing was changed (the target namespace ${JSON.stringify(target.path)} could not be entered)`);
    }
    return await runMove(ctx.conn, tconn, source, target, ref, options);
  } finally {
    tconn?.close();
    source.close();
    if (ownsTarget) target.close();
  }
}

async function runMove(conn: Connection, tconn: Connection, source: NetNs, target: NetNs, ref: LinkRef, options: MoveOptions): Promise<MoveResult> {
  let step: MoveStep = 'find';
  let snap: Snapshot | undefined;
  // The caller's timeout and signal bound each forward step; the undo (restore) runs without them.
  const call = pickCall(options);
  try {
    const link = await getLink(conn, ref, call);
    const newName = options.name ?? link.name;
    step = 'list-addresses';
    const listed = await listAddresses(conn, link.index, call);
    const addresses = listed.items;
    snap = { link, addresses };
    if (link.up) {
      step = 'set-down';
      await setLinkUp(conn, link.index, false, call);
    }
    step = 'move';
    await moveMessage(conn, link.index, newName, target.fd, call);
    step = 'find-in-target';
    const moved = await getLink(tconn, newName, call);
    step = 'add-address';
    const carried = addresses.filter(carries);
    const up = !options.down;
    // The re-adds and the link-up go out in one batch: one datagram, one ACK, one outcome each.
    const requests = carried.map((m) => addAddressRequest(moved.index, m, link.name, newName, false));
    if (up) requests.push(linkUpRequest(moved.index, true));
    const outcomes = await tconn.batch(requests, undefined, call);
    const failed = outcomes.findIndex((o) => !o.ok);
    if (failed >= 0) {
      if (failed === carried.length) step = 'set-up';
      throw (outcomes[failed] as { ok: false; error: Error }).error;
    }
    const result = {
      __proto__: JsonReady,
      index: moved.index,
      name: newName,
      mac: moved.mac,
      up,
      carried: carried.map(summarize),
      skipped: addresses.filter((m) => !carries(m)).map(summarize),
      addressDumps: listed.attempts,
    } satisfies JsonObject<MoveResult>;
    return result;
  } catch (err) {
    if (err instanceof MoveError) throw err;
    if (!snap) throw new MoveError(step, err, true, 'nothing was changed');
    const state = await restore(conn, tconn, source, snap, options.name ?? snap.link.name).catch((e: unknown) => ({
      restored: false,
      state: `restoring failed too (${e instanceof Error ? e.message : String(e)}); the device may be in either namespace — look for ${JSON.stringify(snap!.link.name)} and ${JSON.stringify(options.name ?? snap!.link.name)}`,
    }));
    throw new MoveError(step, err, state.restored, state.state);
  }
}

/**
 * Puts the device back: find where it is, move it home under its old name,
 * re-add the addresses it had, restore its up state. Returns what it
 * achieved, in words.
 */
async function restore(conn: Connection, tconn: Connection, source: NetNs, snap: Snapshot, newName: string): Promise<{ restored: boolean; state: string }> {
  const { link } = snap;
  let home = await findLink(conn, link.name);
  if (!home || home.index !== link.index) {
    // Not at home under its name: it went to the target, under the new name or (EEXIST on rename) the old
    // one. A name alone proves nothing (the taken name belongs to another device): match the hardware address too.
    const same = (l: Link | undefined) => (l && l.mac === link.mac && l.kind === link.kind ? l : undefined);
    const there = same(await findLink(tconn, newName)) ?? (newName !== link.name ? same(await findLink(tconn, link.name)) : undefined);
    if (!there) {
      return { restored: false, state: `the device (index ${link.index}) was found neither as ${JSON.stringify(link.name)} here nor in the target namespace` };
    }
    await setLinkUp(tconn, there.index, false).catch(() => undefined);
    await moveMessage(tconn, there.index, link.name, source.fd);
    home = await getLink(conn, link.name);
  }
  // The kernel drops addresses on a namespace change; put back whatever is missing.
  const present = new Set((await listAddresses(conn, home.index)).items.map((m) => `${m.header.ifaFamily}|${summarize(m).address}|${m.header.ifaPrefixlen}`));
  const missing: string[] = [];
  for (const m of snap.addresses) {
    const s = summarize(m);
    if (present.has(`${m.header.ifaFamily}|${s.address}|${m.header.ifaPrefixlen}`)) continue;
    try {
      await conn.request(addAddressRequest(home.index, m, link.name, link.name, true));
    } catch (err) {
      // The kernel may already have made it again (an IPv6 link-local address, say).
      if (err instanceof KernelError && err.code === 'EEXIST') continue;
      missing.push(`${s.address}/${s.prefixLength} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (link.up) await setLinkUp(conn, home.index, true);
  if (missing.length) return { restored: false, state: `the device is back as ${JSON.stringify(link.name)} (index ${home.index}) but these addresses could not be restored: ${missing.join(', ')}` };
  return { restored: true, state: `the device is back as it was: ${JSON.stringify(link.name)} (index ${home.index}), ${link.up ? 'up' : 'down'}, with its addresses` };
}
