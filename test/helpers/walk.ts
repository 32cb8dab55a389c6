/**
 * Test helpers that walk netlink bytes with the real reader (checkMessage,
 * checkAttr, nextAttr, attrsDone): the loops every generated decoder runs.
 */
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, align4 } from '../../src/netlink/constants.js';
import { attrType, attrsDone, checkAttr, checkMessage, nextAttr } from '../../src/netlink/reader.js';

/** One attribute found by walkAttrs. */
export interface WalkedAttr {
  /** nla_type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
  type: number;
  nested: boolean;
  netByteOrder: boolean;
  /** Offset of the nlattr header and the end of its value (unpadded). */
  at: number;
  end: number;
  /** Children, when NLA_F_NESTED is set. */
  children?: WalkedAttr[];
}

/** walkAttrs walks the attributes in `[s, e)`, descending into NLA_F_NESTED ones; throws DecodeError on bad framing. */
export function walkAttrs(view: DataView, s: number, e: number, depth = 0): WalkedAttr[] {
  const out: WalkedAttr[] = [];
  for (let p = s; !attrsDone(p, e); ) {
    const len = checkAttr(view, p, e);
    const raw = view.getUint16(p + 2, true);
    const a: WalkedAttr = { type: attrType(view, p), nested: (raw & NLA_F_NESTED) !== 0, netByteOrder: (raw & NLA_F_NET_BYTEORDER) !== 0, at: p, end: p + len };
    if (a.nested && depth < 32) a.children = walkAttrs(view, p + 4, p + len, depth + 1);
    out.push(a);
    p = nextAttr(p, len);
  }
  return out;
}

/** walkMessages returns `[offset, length]` of every message in a datagram of `n` bytes; throws DecodeError. */
export function walkMessages(view: DataView, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; n - p >= 16; ) {
    const len = checkMessage(view, p, n);
    out.push([p, len]);
    p += align4(len);
  }
  return out;
}

/** fromHex and toHex convert fixture strings. */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

/** viewOf returns a DataView over exactly `b`. */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}
