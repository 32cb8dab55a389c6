/**
 * Xfrm: one NETLINK_XFRM handle on one network namespace — IPsec `states`
 * (the SAD) and `policies` (the SPD), and the kernel's counters of both.
 */
import type { CallOptions, Connection } from '../netlink/connection.js';
import type { NetNsLike } from '../netns/index.js';
import { NetlinkHandle, byMessageType, checkOver, openConnection, type HandleOptions } from '../netlink/handle.js';
import type { XfrmCodec, XfrmContext } from './common.js';
import type { XfrmPolicies } from './policy.js';
import type { XfrmStates } from './state.js';

/**
 * loadParts imports the generated codec and the two services together, on
 * the first open: importing nlkit loads neither.
 */
async function loadParts(): Promise<{ codec: XfrmCodec; services: typeof import('./services.js') }> {
  const [codec, services] = await Promise.all([import('../generated/xfrm.js'), import('./services.js')]);
  return { codec, services };
}

/** Options for Xfrm.open: `netns`, `receiveBufferSize` (as every handle's). */
export type XfrmOptions = HandleOptions;

/** The SPD's counters (`ip xfrm policy count`; XFRM_MSG_GETSPDINFO). */
export interface XfrmSpdInfo {
  /** Policies per direction, and per-socket policies per direction. */
  in: number;
  out: number;
  fwd: number;
  inSocket: number;
  outSocket: number;
  fwdSocket: number;
  /** Hash buckets in use and their maximum. */
  hashCount: number;
  hashMax: number;
  /** Prefix lengths up to which policies are hashed (local/remote bits), per family. */
  ipv4Threshold: { local: number; remote: number } | undefined;
  ipv6Threshold: { local: number; remote: number } | undefined;
}

/** The SAD's counters (`ip xfrm state count`; XFRM_MSG_GETSADINFO). */
export interface XfrmSadInfo {
  count: number;
  hashCount: number;
  hashMax: number;
}

/** Xfrm is one handle; close it (or `await using`). */
export class Xfrm extends NetlinkHandle implements XfrmContext {
  /** The generated codec, loaded on the first open. */
  readonly codec: XfrmCodec;
  /** Security associations: list, get, add, update, delete, flush. */
  readonly states: XfrmStates;
  /** Security policies: list, get, add, update, delete, flush. */
  readonly policies: XfrmPolicies;

  private constructor(conn: Connection, parts: Awaited<ReturnType<typeof loadParts>>, netns: NetNsLike | undefined) {
    super(conn, netns);
    this.codec = parts.codec;
    this.states = new parts.services.XfrmStates(this);
    this.policies = new parts.services.XfrmPolicies(this);
  }

  /**
   * open makes a handle on the current namespace or `options.netns`. Throws
   * ArgumentError for bad options, NetNsError, SyscallError.
   */
  static async open(options: XfrmOptions = {}): Promise<Xfrm> {
    const parts = await loadParts();
    const { conn, netns } = openConnection(options, parts.codec.xfrmFamily.protocol, byMessageType(parts.codec.attributePathAt));
    return new Xfrm(conn, parts, netns);
  }

  /** over makes a handle on an existing NETLINK_XFRM connection (a test's fake kernel); the handle owns it. Throws ArgumentError. */
  static async over(conn: Connection, netns?: NetNsLike): Promise<Xfrm> {
    checkOver(conn, netns);
    return new Xfrm(conn, await loadParts(), netns);
  }

  /** spdInfo reads the SPD's counters (`ip xfrm policy count`). Throws KernelError. */
  async spdInfo(options: CallOptions = {}): Promise<XfrmSpdInfo> {
    const c = this.codec;
    // iproute2 sends flags ~0; the kernel ignores them.
    const r = await this.conn.request(
      { type: c.RequestType.getspdinfo, label: 'XFRM_MSG_GETSPDINFO', body: (w) => c.encodeSpdMessage(w, { header: { flags: 0xffffffff }, attrs: {} }) },
      (view, start, end) => c.decodeSpdMessage(view, start, end),
      options,
    );
    const a = r.replies[0]?.attrs;
    if (!a) throw new Error('xfrm spdInfo: the kernel answered without XFRM_MSG_NEWSPDINFO');
    const th = (t: { lbits: number; rbits: number } | undefined) => t && { local: t.lbits, remote: t.rbits };
    return {
      in: a.info?.incnt ?? 0,
      out: a.info?.outcnt ?? 0,
      fwd: a.info?.fwdcnt ?? 0,
      inSocket: a.info?.inscnt ?? 0,
      outSocket: a.info?.outscnt ?? 0,
      fwdSocket: a.info?.fwdscnt ?? 0,
      hashCount: a.hinfo?.spdhcnt ?? 0,
      hashMax: a.hinfo?.spdhmcnt ?? 0,
      ipv4Threshold: th(a.ipv4Hthresh),
      ipv6Threshold: th(a.ipv6Hthresh),
    };
  }

  /** sadInfo reads the SAD's counters (`ip xfrm state count`). Throws KernelError. */
  async sadInfo(options: CallOptions = {}): Promise<XfrmSadInfo> {
    const c = this.codec;
    const r = await this.conn.request(
      { type: c.RequestType.getsadinfo, label: 'XFRM_MSG_GETSADINFO', body: (w) => c.encodeSadMessage(w, { header: { flags: 0xffffffff }, attrs: {} }) },
      (view, start, end) => c.decodeSadMessage(view, start, end),
      options,
    );
    const a = r.replies[0]?.attrs;
    if (!a) throw new Error('xfrm sadInfo: the kernel answered without XFRM_MSG_NEWSADINFO');
    return { count: a.cnt ?? 0, hashCount: a.hinfo?.sadhcnt ?? 0, hashMax: a.hinfo?.sadhmcnt ?? 0 };
  }
}
