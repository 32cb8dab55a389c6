/**
 * XfrmStates: the IPsec security association database (SAD) of one
 * namespace — `ip xfrm state list/get/add/update/delete/flush`. Requests are
 * built with the generated xfrm codec; what comes back is a plain `XfrmState`.
 */
import type { CallOptions, DumpOptions, MessageDecoder } from '../netlink/connection.js';
import { ArgumentError } from '../netlink/errors.js';
import type * as xfrm from '../generated/xfrm.js';
import { checkObject, lookupName } from '../netlink/args.js';
import { EncapType, ipFamilyName, ipsecProtocolName, ipsecProtocolNumber, type EncapTypeName, type IpFamily, type IpsecProtocolName } from '../registry/vocabulary.js';
import { formatAddress, parseAddress, parsePrefix, sameFamily } from './address.js';
import { checkUint } from '../registry/validate.js';
import { NO_LIMITS, checkMark, type XfrmCodec, type XfrmContext, type XfrmMarkSpec } from './common.js';
import type { XfrmMode, XfrmProto } from './policy.js';

/** An algorithm and its key: the key as bytes or hex text (`'0x0011…'` or `'0011…'`). */
export interface XfrmAlgorithmSpec {
  /** The kernel's crypto name: 'cbc(aes)', 'hmac(sha256)', 'rfc4106(gcm(aes))', 'deflate', … */
  name: string;
  key?: Uint8Array | string;
}

/** What `add`/`update` take. */
export interface XfrmStateSpec {
  src: string;
  dst: string;
  proto: XfrmProto;
  spi: number;
  mode?: XfrmMode;
  reqid?: number;
  replayWindow?: number;
  /** Encryption (XFRMA_ALG_CRYPT). */
  enc?: XfrmAlgorithmSpec;
  /** Authentication with the algorithm's default truncation (XFRMA_ALG_AUTH). */
  auth?: XfrmAlgorithmSpec;
  /** Authentication truncated to `truncLen` bits (XFRMA_ALG_AUTH_TRUNC). */
  authTrunc?: XfrmAlgorithmSpec & { truncLen: number };
  /** Authenticated encryption with an ICV of `icvLen` bits (XFRMA_ALG_AEAD). */
  aead?: XfrmAlgorithmSpec & { icvLen: number };
  /** Compression (XFRMA_ALG_COMP), for proto 'comp'. */
  comp?: XfrmAlgorithmSpec;
  /** NAT traversal (XFRMA_ENCAP): UDP or TCP ports, and the original address (default 0.0.0.0 / ::). */
  encap?: { type: EncapTypeName; sport: number; dport: number; oa?: string };
  mark?: XfrmMarkSpec;
  ifId?: number;
  /** The traffic selector (default: any). */
  selector?: { src: string; dst: string };
}

/** What names an SA: destination, protocol and SPI (with the source and mark it was added with). */
export interface XfrmStateKey {
  src?: string;
  dst: string;
  proto: XfrmProto;
  spi: number;
  mark?: XfrmMarkSpec;
}

/** An SA as the kernel describes it. */
export interface XfrmState {
  family: IpFamily | number;
  src: string;
  dst: string;
  proto: XfrmProto | number;
  spi: number;
  mode: XfrmMode | string | number;
  reqid: number;
  replayWindow: number;
  enc: { name: string; key: string } | undefined;
  auth: { name: string; key: string; truncLen?: number } | undefined;
  aead: { name: string; key: string; icvLen: number } | undefined;
  comp: { name: string } | undefined;
  mark: { value: number; mask: number } | undefined;
  ifId: number | undefined;
  /** Every struct field and attribute the kernel sent. */
  message: xfrm.XfrmMessage;
}

/** keyBytes checks a key given as bytes or hex text. */
function keyBytes(argument: string, v: unknown): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const hex = v.startsWith('0x') ? v.slice(2) : v;
    if (/^([0-9a-fA-F]{2})*$/.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'));
  }
  throw new ArgumentError(argument, { expected: "the key as a Uint8Array or hex text ('0x0011…')", received: v });
}

/** nameBytes makes the 64-byte alg_name field; ArgumentError for a name that does not fit. */
function nameBytes(argument: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || v === '') throw new ArgumentError(argument, { expected: "an algorithm name like 'cbc(aes)'", received: v });
  const b = Buffer.from(v, 'utf8');
  if (b.includes(0)) throw new ArgumentError(argument, { reason: 'contains a NUL byte' });
  if (b.length > 63) throw new ArgumentError(argument, { reason: `is ${b.length} bytes; the kernel's limit is 63` });
  const out = new Uint8Array(64);
  out.set(b);
  return out;
}

/** An algorithm struct (xfrm_algo and its _auth/_aead forms) with its key as `trailing`. */
function algo(argument: string, raw: unknown): { algName: Uint8Array; algKeyLen: number; trailing: Uint8Array } {
  const a = checkObject(raw, argument);
  const key = keyBytes(`${argument}.key`, a.key);
  return { algName: nameBytes(`${argument}.name`, a.name), algKeyLen: key.length * 8, trailing: key };
}

/** stateMessage checks a spec and builds NEWSA / UPDSA's body. */
function stateMessage(codec: XfrmCodec, raw: unknown): xfrm.XfrmMessageInput {
  const s = checkObject(raw, 'spec');
  const src = parseAddress('spec.src', s.src);
  const dst = parseAddress('spec.dst', s.dst);
  sameFamily('spec.dst', src, dst);
  const proto = ipsecProtocolNumber(s.proto as IpsecProtocolName, 'spec.proto');
  const attrs: xfrm.XfrmAttrs = {};
  if (s.enc !== undefined) attrs.algCrypt = algo('spec.enc', s.enc);
  if (s.auth !== undefined) attrs.algAuth = algo('spec.auth', s.auth);
  if (s.authTrunc !== undefined) {
    const a = algo('spec.authTrunc', s.authTrunc);
    attrs.algAuthTrunc = { ...a, algTruncLen: checkUint((s.authTrunc as Record<string, unknown>).truncLen, 'spec.authTrunc.truncLen', 0xffffffff) };
  }
  if (s.aead !== undefined) {
    const a = algo('spec.aead', s.aead);
    attrs.algAead = { ...a, algIcvLen: checkUint((s.aead as Record<string, unknown>).icvLen, 'spec.aead.icvLen', 0xffffffff) };
  }
  if (s.comp !== undefined) attrs.algComp = algo('spec.comp', s.comp);
  if (s.encap !== undefined) {
    const e = checkObject(s.encap, 'spec.encap');
    const oa = e.oa === undefined ? new Uint8Array(16) : parseAddress('spec.encap.oa', e.oa).bytes;
    attrs.encap = {
      encapType: lookupName(EncapType, e.type, 'spec.encap.type'),
      encapSport: checkUint(e.sport, 'spec.encap.sport', 0xffff),
      encapDport: checkUint(e.dport, 'spec.encap.dport', 0xffff),
      encapOa: oa,
    };
  }
  if (s.mark !== undefined) attrs.mark = checkMark('spec.mark', s.mark);
  if (s.ifId !== undefined) attrs.ifId = checkUint(s.ifId, 'spec.ifId', 0xffffffff);
  const sel: Partial<xfrm.Selector> = {};
  if (s.selector !== undefined) {
    const o = checkObject(s.selector, 'spec.selector');
    const ss = parsePrefix('spec.selector.src', o.src);
    const sd = parsePrefix('spec.selector.dst', o.dst);
    sameFamily('spec.selector.dst', ss, sd);
    Object.assign(sel, { saddr: ss.bytes, daddr: sd.bytes, family: ss.family, prefixlenS: ss.length, prefixlenD: sd.length });
  }
  return {
    header: {
      sel: sel as xfrm.Selector,
      id: { daddr: dst.bytes, spi: checkUint(s.spi, 'spec.spi', 0xffffffff), proto },
      saddr: src.bytes,
      lft: NO_LIMITS,
      reqid: s.reqid === undefined ? 0 : checkUint(s.reqid, 'spec.reqid', 0xffffffff),
      family: src.family,
      mode: s.mode === undefined ? 0 : lookupName(codec.Mode, s.mode, 'spec.mode'),
      replayWindow: s.replayWindow === undefined ? 0 : checkUint(s.replayWindow, 'spec.replayWindow', 255),
    },
    attrs,
  };
}

/** keyMessage checks a key and builds GETSA / DELSA's body (iproute2 sends the source as XFRMA_SRCADDR). */
function keyMessage(raw: unknown): xfrm.XfrmUsersaIdMessageInput {
  const k = checkObject(raw, 'key');
  const dst = parseAddress('key.dst', k.dst);
  const attrs: xfrm.XfrmAttrs = {};
  if (k.src !== undefined) {
    const src = parseAddress('key.src', k.src);
    sameFamily('key.src', dst, src);
    attrs.srcaddr = src.bytes;
  }
  if (k.mark !== undefined) attrs.mark = checkMark('key.mark', k.mark);
  return { header: { daddr: dst.bytes, spi: checkUint(k.spi, 'key.spi', 0xffffffff), family: dst.family, proto: ipsecProtocolNumber(k.proto as IpsecProtocolName, 'key.proto') }, attrs };
}

function algName(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(b.subarray(0, end < 0 ? b.length : end)).toString('utf8');
}
const hexOf = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('hex');

/** stateFromMessage turns a decoded XFRM_MSG_NEWSA into an XfrmState. */
export function stateFromMessage(m: xfrm.XfrmMessage): XfrmState {
  const h = m.header;
  const a = m.attrs;
  const fam = h.family;
  const auth = a.algAuthTrunc ?? a.algAuth;
  return {
    family: ipFamilyName(fam),
    src: formatAddress(h.saddr, fam),
    dst: formatAddress(h.id.daddr, fam),
    proto: ipsecProtocolName(h.id.proto),
    spi: h.id.spi,
    mode: h.mode,
    reqid: h.reqid,
    replayWindow: h.replayWindow,
    enc: a.algCrypt && { name: algName(a.algCrypt.algName), key: hexOf(a.algCrypt.trailing) },
    auth: auth && { name: algName(auth.algName), key: hexOf(auth.trailing), truncLen: a.algAuthTrunc?.algTruncLen },
    aead: a.algAead && { name: algName(a.algAead.algName), key: hexOf(a.algAead.trailing), icvLen: a.algAead.algIcvLen },
    comp: a.algComp && { name: algName(a.algComp.algName) },
    mark: a.mark === undefined ? undefined : { value: a.mark.v, mask: a.mark.m },
    ifId: a.ifId,
    message: m,
  };
}

/** XfrmStates: list, get, add, update, delete, flush. */
export class XfrmStates {
  private readonly decode: MessageDecoder<XfrmState>;

  constructor(private readonly ctx: XfrmContext) {
    const codec = ctx.codec;
    this.decode = (view, start, end) => stateFromMessage(codec.decodeXfrmMessage(view, start, end));
  }

  /** list dumps every SA (`ip xfrm state list`). Throws KernelError. */
  async list(options: DumpOptions = {}): Promise<XfrmState[]> {
    // A GETSA dump carries no struct.
    const r = await this.ctx.conn.dump({ type: this.ctx.codec.RequestType.getsa, label: 'XFRM_MSG_GETSA' }, this.decode, options);
    return r.items;
  }

  /** get reads one SA (`ip xfrm state get`). Throws ArgumentError, KernelError `ESRCH` when there is none. */
  async get(key: XfrmStateKey, options: CallOptions = {}): Promise<XfrmState> {
    const m = keyMessage(key);
    const c = this.ctx.codec;
    const r = await this.ctx.conn.request({ type: c.RequestType.getsa, label: 'XFRM_MSG_GETSA', body: (w) => c.encodeXfrmUsersaIdMessage(w, m) }, this.decode, options);
    const s = r.replies[0];
    if (!s) throw new Error('xfrm state get: the kernel answered without an SA');
    return s;
  }

  /**
   * add creates an SA (`ip xfrm state add`). Throws ArgumentError (nothing
   * sent); KernelError with the kernel's extended-ACK text when it refuses
   * (an algorithm or protocol it lacks: `Requested CRYPT algorithm not found`,
   * `Requested type not found`; `EEXIST`).
   */
  async add(spec: XfrmStateSpec, options: CallOptions = {}): Promise<void> {
    await this.send(this.ctx.codec.RequestType.newsa, 'XFRM_MSG_NEWSA', spec, options);
  }

  /** update replaces an SA's changeable parts (`ip xfrm state update`). Throws as `add`. */
  async update(spec: XfrmStateSpec, options: CallOptions = {}): Promise<void> {
    await this.send(this.ctx.codec.RequestType.updsa, 'XFRM_MSG_UPDSA', spec, options);
  }

  private async send(type: number, label: string, spec: unknown, options: CallOptions): Promise<void> {
    const m = stateMessage(this.ctx.codec, spec);
    const c = this.ctx.codec;
    await this.ctx.conn.request({ type, label, body: (w) => c.encodeXfrmMessage(w, m) }, undefined, options);
  }

  /** delete removes one SA (`ip xfrm state delete`). Throws ArgumentError, KernelError `ESRCH`. */
  async delete(key: XfrmStateKey, options: CallOptions = {}): Promise<void> {
    const m = keyMessage(key);
    const c = this.ctx.codec;
    await this.ctx.conn.request({ type: c.RequestType.delsa, label: 'XFRM_MSG_DELSA', body: (w) => c.encodeXfrmUsersaIdMessage(w, m) }, undefined, options);
  }

  /** flush removes every SA, or those of one protocol (`ip xfrm state flush [proto esp]`). Throws ArgumentError, KernelError. */
  async flush(filter: { proto?: XfrmProto } = {}, options: CallOptions = {}): Promise<void> {
    const f = checkObject(filter, 'filter', true);
    // 0: every protocol (as ip xfrm state flush sends).
    const proto = f.proto === undefined ? 0 : ipsecProtocolNumber(f.proto as IpsecProtocolName, 'filter.proto');
    const c = this.ctx.codec;
    await this.ctx.conn.request({ type: c.RequestType.flushsa, label: 'XFRM_MSG_FLUSHSA', body: (w) => c.encodeXfrmUsersaFlushMessage(w, { header: { proto }, attrs: {} }) }, undefined, options);
  }
}
