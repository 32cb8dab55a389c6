/**
 * XfrmPolicies: the IPsec security policy database (SPD) of one namespace —
 * `ip xfrm policy list/get/add/update/delete/flush`. Requests are built with
 * the generated xfrm codec; what comes back is a plain `XfrmPolicy`.
 */
import type { CallOptions, DumpOptions, MessageDecoder } from '../netlink/connection.js';
import { ArgumentError } from '../netlink/errors.js';
import type * as xfrm from '../generated/xfrm.js';
import { checkObject, lookupName } from '../netlink/args.js';
import { Family, ipFamilyName, ipProtocolNumber, ipsecProtocolName, ipsecProtocolNumber, type IpFamily, type IpProtocolName, type IpsecProtocolName } from '../registry/vocabulary.js';
import { formatAddress, parseAddress, parsePrefix, sameFamily } from './address.js';
import { checkUint } from '../registry/validate.js';
import { NO_LIMITS, checkMark, type XfrmCodec, type XfrmContext, type XfrmMarkSpec } from './common.js';

// Directions, actions and modes are the xfrm spec's enums (the generated
// codec's PolicyDir, PolicyAction, Mode); protocols are the vocabulary's.

/** Policy directions (XFRM_POLICY_IN/OUT/FWD): the spec's `policy-dir`. */
export type XfrmDir = xfrm.PolicyDir;
/** What a matching policy does (XFRM_POLICY_ALLOW/BLOCK): the spec's `policy-action`. */
export type XfrmAction = xfrm.PolicyAction;
/** SA modes (XFRM_MODE_*). */
export type XfrmMode = 'transport' | 'tunnel' | 'beet';
/** IPsec protocols of a template or SA (IPPROTO_ESP, _AH, _COMP). */
export type XfrmProto = IpsecProtocolName;

/** One template of a policy: the SA that must protect matching traffic. */
export interface XfrmTemplate {
  src: string;
  dst: string;
  proto: XfrmProto | number;
  spi: number;
  reqid: number;
  mode: XfrmMode | string | number;
  /** The SA is optional (`level use`). */
  optional: boolean;
}

/** A policy as the kernel describes it. */
export interface XfrmPolicy {
  /** 'inet' or 'inet6' (the selector's family). */
  family: IpFamily | number;
  /** Selector source and destination prefixes: `10.1.0.0/24`. */
  src: string;
  dst: string;
  /** Selector protocol (0: any) and ports (undefined: any). */
  proto: number;
  sport: number | undefined;
  dport: number | undefined;
  dir: XfrmDir | number;
  action: XfrmAction | number;
  priority: number;
  /** The kernel's index of the policy (its identity with `dir`). */
  index: number;
  mark: { value: number; mask: number } | undefined;
  /** XFRMA_IF_ID: the xfrm interface it belongs to. */
  ifId: number | undefined;
  templates: XfrmTemplate[];
  /** When it was added, seconds since the epoch. */
  addTime: number;
  /** Every struct field and attribute the kernel sent. */
  message: xfrm.XfrmUserpolicyInfoMessage;
}

/** What `add`/`update` take. */
export interface XfrmPolicySpec {
  src: string;
  dst: string;
  dir: XfrmDir;
  /** Selector protocol by name ('tcp', 'udp', 'icmp', …) or number. */
  proto?: IpProtocolName | number;
  sport?: number;
  dport?: number;
  action?: XfrmAction;
  priority?: number;
  mark?: XfrmMarkSpec;
  ifId?: number;
  templates?: XfrmTemplateSpec[];
}

/** A template to add: the SA's addresses (tunnel mode) and protocol. */
export interface XfrmTemplateSpec {
  proto: XfrmProto;
  /** Tunnel endpoints (required in tunnel mode). */
  src?: string;
  dst?: string;
  spi?: number;
  reqid?: number;
  mode?: XfrmMode;
  optional?: boolean;
}

/** What names a policy: its selector and direction (with the mark and interface id it was added with), or its index. */
export type XfrmPolicyKey = Pick<XfrmPolicySpec, 'src' | 'dst' | 'dir' | 'proto' | 'sport' | 'dport' | 'mark' | 'ifId'> | { index: number; dir: XfrmDir };

/** checkSelector builds struct xfrm_selector from src/dst/proto/ports. */
function selectorOf(argument: string, s: Record<string, unknown>): xfrm.Selector {
  const src = parsePrefix(`${argument}.src`, s.src);
  const dst = parsePrefix(`${argument}.dst`, s.dst);
  sameFamily(`${argument}.dst`, src, dst);
  const sel: xfrm.Selector = {
    daddr: dst.bytes,
    saddr: src.bytes,
    dport: 0,
    dportMask: 0,
    sport: 0,
    sportMask: 0,
    family: src.family,
    prefixlenD: dst.length,
    prefixlenS: src.length,
    proto: s.proto === undefined ? 0 : ipProtocolNumber(s.proto as IpProtocolName, `${argument}.proto`),
    ifindex: 0,
    user: 0,
  };
  for (const side of ['sport', 'dport'] as const) {
    if (s[side] === undefined) continue;
    if (sel.proto === 0) throw new ArgumentError(`${argument}.${side}`, { reason: 'needs proto (tcp, udp, sctp, …)' });
    sel[side] = checkUint(s[side], `${argument}.${side}`, 0xffff);
    sel[side === 'sport' ? 'sportMask' : 'dportMask'] = 0xffff;
  }
  return sel;
}

function templateOf(codec: XfrmCodec, argument: string, raw: unknown, family: number): xfrm.UserTmpl {
  const t = checkObject(raw, argument);
  const mode = t.mode === undefined ? 0 : lookupName(codec.Mode, t.mode, `${argument}.mode`);
  let saddr: Uint8Array = new Uint8Array(16);
  let daddr: Uint8Array = new Uint8Array(16);
  let fam = family;
  if (t.src !== undefined || t.dst !== undefined || mode === codec.Mode.tunnel) {
    const s = parseAddress(`${argument}.src`, t.src);
    const d = parseAddress(`${argument}.dst`, t.dst);
    sameFamily(`${argument}.dst`, s, d);
    saddr = s.bytes;
    daddr = d.bytes;
    fam = s.family;
  }
  return {
    id: { daddr, spi: t.spi === undefined ? 0 : checkUint(t.spi, `${argument}.spi`, 0xffffffff), proto: ipsecProtocolNumber(t.proto as IpsecProtocolName, `${argument}.proto`) },
    family: fam,
    saddr,
    reqid: t.reqid === undefined ? 0 : checkUint(t.reqid, `${argument}.reqid`, 0xffffffff),
    mode,
    share: 0,
    optional: t.optional === true ? 1 : 0,
    // Any algorithm (as ip xfrm does): the SA found decides.
    aalgos: 0xffffffff,
    ealgos: 0xffffffff,
    calgos: 0xffffffff,
  };
}

/** The XFRMA_TMPL bytes: struct xfrm_user_tmpl after struct xfrm_user_tmpl. */
function templatesBytes(codec: XfrmContext['codec'], tmpls: xfrm.UserTmpl[]): Uint8Array {
  const out = new Uint8Array(tmpls.length * codec.UserTmplSize);
  const view = new DataView(out.buffer);
  tmpls.forEach((t, i) => codec.writeUserTmpl(view, i * codec.UserTmplSize, t));
  return out;
}

/** policyMessage checks a spec and builds NEWPOLICY / UPDPOLICY's body. */
function policyMessage(ctx: XfrmContext, raw: unknown): xfrm.XfrmUserpolicyInfoMessageInput {
  const s = checkObject(raw, 'spec');
  const sel = selectorOf('spec', s);
  const attrs: xfrm.XfrmAttrs = {};
  if (s.templates !== undefined) {
    if (!Array.isArray(s.templates)) throw new ArgumentError('spec.templates', { expected: 'an array of templates', received: s.templates });
    if (s.templates.length) attrs.tmpl = templatesBytes(ctx.codec, s.templates.map((t, i) => templateOf(ctx.codec, `spec.templates[${i}]`, t, sel.family)));
  }
  if (s.mark !== undefined) attrs.mark = checkMark('spec.mark', s.mark);
  if (s.ifId !== undefined) attrs.ifId = checkUint(s.ifId, 'spec.ifId', 0xffffffff);
  const dir = lookupName(ctx.codec.PolicyDir, s.dir, 'spec.dir');
  return {
    header: {
      sel,
      lft: NO_LIMITS,
      priority: s.priority === undefined ? 0 : checkUint(s.priority, 'spec.priority', 0xffffffff),
      dir,
      action: s.action === undefined ? 0 : lookupName(ctx.codec.PolicyAction, s.action, 'spec.action'),
    },
    attrs,
  };
}

/** keyMessage checks a key and builds GETPOLICY / DELPOLICY's body. */
function keyMessage(codec: XfrmCodec, raw: unknown): xfrm.XfrmUserpolicyIdMessageInput {
  const k = checkObject(raw, 'key');
  const dir = lookupName(codec.PolicyDir, k.dir, 'key.dir');
  // By index the kernel reads no selector; its family says AF_INET, as `ip xfrm policy get/delete … index` sends.
  if (k.index !== undefined) return { header: { sel: { family: Family.inet } as xfrm.Selector, index: checkUint(k.index, 'key.index', 0xffffffff), dir }, attrs: {} };
  const attrs: xfrm.XfrmAttrs = {};
  if (k.mark !== undefined) attrs.mark = checkMark('key.mark', k.mark);
  if (k.ifId !== undefined) attrs.ifId = checkUint(k.ifId, 'key.ifId', 0xffffffff);
  return { header: { sel: selectorOf('key', k), dir }, attrs };
}

/** templatesOf splits XFRMA_TMPL into templates. */
function templatesOf(codec: XfrmContext['codec'], bytes: Uint8Array | undefined): XfrmTemplate[] {
  if (bytes === undefined) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: XfrmTemplate[] = [];
  for (let p = 0; p + codec.UserTmplSize <= bytes.length; p += codec.UserTmplSize) {
    const t = codec.readUserTmpl(view, p, p + codec.UserTmplSize);
    out.push({
      src: formatAddress(t.saddr, t.family),
      dst: formatAddress(t.id.daddr, t.family),
      proto: ipsecProtocolName(t.id.proto),
      spi: t.id.spi,
      reqid: t.reqid,
      mode: t.mode,
      optional: t.optional !== 0,
    });
  }
  return out;
}

/** policyFromMessage turns a decoded XFRM_MSG_NEWPOLICY into an XfrmPolicy. */
export function policyFromMessage(codec: XfrmContext['codec'], m: xfrm.XfrmUserpolicyInfoMessage): XfrmPolicy {
  const h = m.header;
  const sel = h.sel;
  const fam = sel.family;
  return {
    family: ipFamilyName(fam),
    src: `${formatAddress(sel.saddr, fam)}/${sel.prefixlenS}`,
    dst: `${formatAddress(sel.daddr, fam)}/${sel.prefixlenD}`,
    proto: sel.proto,
    sport: sel.sportMask === 0 ? undefined : sel.sport,
    dport: sel.dportMask === 0 ? undefined : sel.dport,
    dir: h.dir as XfrmDir | number,
    action: h.action as XfrmAction | number,
    priority: h.priority,
    index: h.index,
    mark: m.attrs.mark === undefined ? undefined : { value: m.attrs.mark.v, mask: m.attrs.mark.m },
    ifId: m.attrs.ifId,
    templates: templatesOf(codec, m.attrs.tmpl),
    addTime: Number(h.curlft.addTime),
    message: m,
  };
}

/** XfrmPolicies: list, get, add, update, delete, flush. */
export class XfrmPolicies {
  private readonly decode: MessageDecoder<XfrmPolicy>;

  constructor(private readonly ctx: XfrmContext) {
    const codec = ctx.codec;
    this.decode = (view, start, end) => policyFromMessage(codec, codec.decodeXfrmUserpolicyInfoMessage(view, start, end));
  }

  /** list dumps every policy (`ip xfrm policy list`). Throws KernelError. */
  async list(options: DumpOptions = {}): Promise<XfrmPolicy[]> {
    // A GETPOLICY dump carries no struct.
    const r = await this.ctx.conn.dump({ type: this.ctx.codec.RequestType.getpolicy, label: 'XFRM_MSG_GETPOLICY' }, this.decode, options);
    return r.items;
  }

  /**
   * get reads one policy by selector and direction (and mark / interface id),
   * or by index and direction. Throws ArgumentError, KernelError `ENOENT`.
   */
  async get(key: XfrmPolicyKey, options: CallOptions = {}): Promise<XfrmPolicy> {
    const m = keyMessage(this.ctx.codec, key);
    const c = this.ctx.codec;
    const r = await this.ctx.conn.request({ type: c.RequestType.getpolicy, label: 'XFRM_MSG_GETPOLICY', body: (w) => c.encodeXfrmUserpolicyIdMessage(w, m) }, this.decode, options);
    const p = r.replies[0];
    if (!p) throw new Error('xfrm policy get: the kernel answered without a policy');
    return p;
  }

  /** add creates a policy (`ip xfrm policy add`). Throws ArgumentError (nothing sent), KernelError `EEXIST`. */
  async add(spec: XfrmPolicySpec, options: CallOptions = {}): Promise<void> {
    await this.send(this.ctx.codec.RequestType.newpolicy, 'XFRM_MSG_NEWPOLICY', spec, options);
  }

  /** update creates or replaces a policy (`ip xfrm policy update`). Throws ArgumentError, KernelError. */
  async update(spec: XfrmPolicySpec, options: CallOptions = {}): Promise<void> {
    await this.send(this.ctx.codec.RequestType.updpolicy, 'XFRM_MSG_UPDPOLICY', spec, options);
  }

  private async send(type: number, label: string, spec: unknown, options: CallOptions): Promise<void> {
    const m = policyMessage(this.ctx, spec);
    const c = this.ctx.codec;
    await this.ctx.conn.request({ type, label, body: (w) => c.encodeXfrmUserpolicyInfoMessage(w, m) }, undefined, options);
  }

  /** delete removes one policy (see `get` for the key). Throws ArgumentError, KernelError `ENOENT`. */
  async delete(key: XfrmPolicyKey, options: CallOptions = {}): Promise<void> {
    const m = keyMessage(this.ctx.codec, key);
    const c = this.ctx.codec;
    await this.ctx.conn.request({ type: c.RequestType.delpolicy, label: 'XFRM_MSG_DELPOLICY', body: (w) => c.encodeXfrmUserpolicyIdMessage(w, m) }, undefined, options);
  }

  /** flush removes every policy (`ip xfrm policy flush`). Throws KernelError. */
  async flush(options: CallOptions = {}): Promise<void> {
    await this.ctx.conn.request({ type: this.ctx.codec.RequestType.flushpolicy, label: 'XFRM_MSG_FLUSHPOLICY' }, undefined, options);
  }
}
