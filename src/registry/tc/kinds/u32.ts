/**
 * u32: match 32-bit words of the packet at fixed offsets. A selector is a
 * list of keys (value, mask, byte offset of the word); `ip` sugar builds
 * them as tc's `match ip src/dst/protocol/sport/dport/tos` does, packing
 * fields that share a word into one key (f_u32.c's pack_key).
 *
 *   struct tc_u32_sel (16 bytes) then nkeys × struct tc_u32_key:
 *   +-------+---------+-------+-----+---------+-----+--------+------+-------+
 *   | flags | offshift| nkeys | pad | offmask | off | offoff | hoff | hmask |
 *   +-------+---------+-------+-----+---------+-----+--------+------+-------+
 *   key: mask (be32) | val (be32) | off (s32) | offmask (s32)
 */
import { ArgumentError } from '../../../netlink/errors.js';
import { checkArray, checkInteger, checkKeys, isRecord } from '../../../netlink/args.js';
import type { Options } from '../../../netlink/args.js';
import * as tc from '../../../generated/tc.js';
import { parsePrefix } from '../../prefix.js';
import { decodeActions, encodeActions, type Action } from '../actions.js';
import { formatHandle, parseHandle, type Handle } from '../handle.js';
import { ipProtocolNumber, type IpProtocolName } from '../../vocabulary.js';
import { checkIndev, clsFlags, type OptionsCodec } from './filter-common.js';

/** TC_U32_TERMINAL: a match ends classification (set when the filter has a class or actions). */
const TC_U32_TERMINAL = 1;
/** The most keys one selector holds (tc's limit). */
const MAX_KEYS = 128;

/** One key of a u32 selector: the 32-bit word at `offset` (a multiple of 4) ANDed with `mask` must equal `value` (both in packet byte order: 10.0.0.1 is 0x0a000001). */
export interface U32Key {
  value: number;
  mask: number;
  /** Byte offset of the word from the start of the network header. */
  offset: number;
  /** Mask of the offset taken from the packet (next-header matching); 0 (the default) for a fixed offset. */
  offsetMask?: number;
}

/** IPv4 header fields tc's `match ip …` matches; each becomes (part of) a key. */
export interface U32IpMatch {
  /** Source prefix (`'10.0.0.0/8'`; a bare address is a /32). */
  src?: string;
  /** Destination prefix. */
  dst?: string;
  /** Type of service byte. */
  tos?: number;
  /** IP protocol ('tcp', 'udp', 'icmp', … or a number). */
  protocol?: IpProtocolName | number;
  /** TCP/UDP source port (assumes a 20-byte IP header, as tc does). */
  sport?: number;
  /** TCP/UDP destination port. */
  dport?: number;
}

/** Options of a u32 filter (`tc filter add … u32 match ip dst 10.0.0.1/32 flowid 1:10`). */
export interface U32Options {
  /** The class a match goes to (tc's `flowid`/`classid`). */
  classid?: Handle;
  /** IPv4 sugar: keys built as tc builds them (input only; listed filters show the keys). */
  ip?: U32IpMatch;
  /** The selector's keys (after those `ip` makes). A filter without keys matches every packet. */
  keys?: U32Key[];
  /** Actions run on a match. */
  actions?: Action[];
  /** Only packets that arrived on this device. */
  indev?: string;
  skipHw?: boolean;
  skipSw?: boolean;
  /** Listed only: the number of buckets of a hash table node (tc's `ht_divisor`; the kernel's own root table has 1). */
  divisor?: number;
}

/** u32's options. */
export const u32: OptionsCodec<U32Options> = {
  keys: ['classid', 'ip', 'keys', 'actions', 'indev', 'skipHw', 'skipSw', 'divisor'],
  async encode(o, arg, env): Promise<tc.TcU32Attrs> {
    const out: tc.TcU32Attrs = {};
    if (o.divisor !== undefined) throw new ArgumentError(`${arg}.divisor`, { reason: 'hash tables are not made through nlkit; leave it out' });
    if (o.classid !== undefined) out.classid = parseHandle(o.classid, `${arg}.classid`);
    const keys: tc.TcU32Key[] = [];
    if (o.ip !== undefined) ipKeys(o.ip, `${arg}.ip`, keys);
    if (o.keys !== undefined) {
      for (const [i, k] of checkArray(o.keys, `${arg}.keys`).entries()) {
        const key = checkKey(k, `${arg}.keys[${i}]`);
        pack(keys, key.val, key.mask, key.off, key.offmask, `${arg}.keys[${i}]`);
      }
    }
    if (o.actions !== undefined) out.act = await encodeActions(o.actions, `${arg}.actions`, env.link);
    if (o.indev !== undefined) out.indev = checkIndev(o.indev, `${arg}.indev`);
    const flags = clsFlags(o, arg);
    out.sel = selector(keys, out.classid !== undefined || out.act !== undefined ? TC_U32_TERMINAL : 0);
    if (flags.length > 0) out.flags = flags.reduce((bits, f) => bits | tc.TcClsFlags[f], 0);
    return out;
  },
  decode(options) {
    const a = options as tc.TcU32Attrs | undefined;
    if (a === undefined) return undefined;
    const flags = a.flags ?? 0;
    return {
      classid: a.classid === undefined ? undefined : formatHandle(a.classid),
      ip: undefined,
      keys: a.sel === undefined ? undefined : selectorKeys(a.sel),
      actions: decodeActions(a.act),
      indev: a.indev,
      skipHw: flags & tc.TcClsFlags['skip-hw'] ? true : undefined,
      skipSw: flags & tc.TcClsFlags['skip-sw'] ? true : undefined,
      divisor: a.divisor,
    };
  },
};

/** The key fields in the generated struct's names, before packing. */
interface RawKey {
  val: number;
  mask: number;
  off: number;
  offmask: number;
}

function checkKey(k: unknown, arg: string): RawKey {
  if (!isRecord(k)) throw new ArgumentError(arg, { expected: 'a key { value, mask, offset }', received: k });
  checkKeys(k, arg, ['value', 'mask', 'offset', 'offsetMask']);
  const off = checkInteger(k.offset, `${arg}.offset`, -0x80000000, 0x7fffffff);
  if (off % 4 !== 0) throw new ArgumentError(`${arg}.offset`, { reason: `${off} is not a multiple of 4: keys match whole 32-bit words` });
  return {
    val: checkInteger(k.value, `${arg}.value`, 0, 0xffffffff),
    mask: checkInteger(k.mask, `${arg}.mask`, 0, 0xffffffff),
    off,
    offmask: k.offsetMask === undefined ? 0 : checkInteger(k.offsetMask, `${arg}.offsetMask`, -0x80000000, 0x7fffffff),
  };
}

/** ipKeys adds the keys of `match ip …` to `keys`, in tc's field order. */
function ipKeys(ip: unknown, arg: string, keys: tc.TcU32Key[]): void {
  if (!isRecord(ip)) throw new ArgumentError(arg, { expected: "IPv4 fields such as { dst: '10.0.0.1/32', dport: 80 }", received: ip });
  const o = ip as Options;
  checkKeys(o, arg, ['src', 'dst', 'tos', 'protocol', 'sport', 'dport']);
  for (const [field, off] of [
    ['src', 12],
    ['dst', 16],
  ] as const) {
    if (o[field] === undefined) continue;
    const p = parsePrefix(o[field] as string, 2, `${arg}.${field}`);
    if (p.bytes.length !== 4) throw new ArgumentError(`${arg}.${field}`, { expected: 'an IPv4 prefix', received: o[field] });
    const mask = p.length === 0 ? 0 : (0xffffffff << (32 - p.length)) >>> 0;
    pack(keys, new DataView(p.bytes.buffer, p.bytes.byteOffset).getUint32(0), mask, off, 0, `${arg}.${field}`);
  }
  // IPv4 header: tos at byte 1, protocol at 9; ports at 20 and 22 (a header without options).
  if (o.tos !== undefined) packField(keys, checkInteger(o.tos, `${arg}.tos`, 0, 0xff), 1, 1, `${arg}.tos`);
  if (o.protocol !== undefined) packField(keys, ipProtocolNumber(o.protocol, `${arg}.protocol`), 1, 9, `${arg}.protocol`);
  if (o.sport !== undefined) packField(keys, checkInteger(o.sport, `${arg}.sport`, 0, 0xffff), 2, 20, `${arg}.sport`);
  if (o.dport !== undefined) packField(keys, checkInteger(o.dport, `${arg}.dport`, 0, 0xffff), 2, 22, `${arg}.dport`);
}

/** packField matches a `width`-byte field at byte `offset`: it is shifted into its place in the 32-bit word that holds it. */
function packField(keys: tc.TcU32Key[], value: number, width: 1 | 2, offset: number, arg: string): void {
  const shift = (4 - (offset & 3) - width) * 8;
  const mask = width === 1 ? 0xff : 0xffff;
  pack(keys, (value << shift) >>> 0, (mask << shift) >>> 0, offset & ~3, 0, arg);
}

/** pack adds a key, or merges it into the key of the same word (tc's pack_key); refuses contradicting values. */
function pack(keys: tc.TcU32Key[], val: number, mask: number, off: number, offmask: number, arg: string): void {
  const v = (val & mask) >>> 0;
  const same = keys.find((k) => k.off === off && k.offmask === offmask);
  if (same !== undefined) {
    if (((v ^ same.val) & mask & same.mask) !== 0) throw new ArgumentError(arg, { reason: `contradicts an earlier match of the word at offset ${off}` });
    same.val = (same.val | v) >>> 0;
    same.mask = (same.mask | mask) >>> 0;
    return;
  }
  if (keys.length >= MAX_KEYS) throw new ArgumentError(arg, { reason: `more than ${MAX_KEYS} keys` });
  keys.push({ mask, val: v, off, offmask });
}

/**
 * selector builds struct tc_u32_sel with its keys. The generated struct
 * types the first key; the others follow it as the struct's trailing
 * bytes, each written by the generated key writer.
 */
function selector(keys: tc.TcU32Key[], flags: number): tc.TcU32Sel {
  // No key: one that matches every packet (tc's `match u32 0 0`); the kernel wants a selector.
  if (keys.length === 0) keys.push({ mask: 0, val: 0, off: 0, offmask: 0 });
  const sel: tc.TcU32Sel = { flags, offshift: 0, nkeys: keys.length, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0, keys: keys[0]! };
  if (keys.length > 1) {
    const rest = new Uint8Array((keys.length - 1) * tc.TcU32KeySize);
    const view = new DataView(rest.buffer);
    keys.slice(1).forEach((k, i) => tc.writeTcU32Key(view, i * tc.TcU32KeySize, k));
    sel.trailing = rest;
  }
  return sel;
}

/** selectorKeys reads every key of a decoded selector (the first typed, the rest from its trailing bytes). */
function selectorKeys(sel: tc.TcU32Sel): U32Key[] {
  const raw: tc.TcU32Key[] = [];
  if (sel.nkeys > 0) raw.push(sel.keys);
  const t = sel.trailing;
  if (t !== undefined) {
    const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
    for (let at = 0; at + tc.TcU32KeySize <= t.byteLength && raw.length < sel.nkeys; at += tc.TcU32KeySize) raw.push(tc.readTcU32Key(view, at, at + tc.TcU32KeySize));
  }
  return raw.map((k) => ({ value: k.val, mask: k.mask, offset: k.off, offsetMask: k.offmask === 0 ? undefined : k.offmask }));
}

/** formatU32Handle writes a u32 filter handle as tc does: `htid:hash:node` in hex (`'800::800'`, `'800:'` for a table). */
export function formatU32Handle(h: number): string {
  const htid = h >>> 20;
  const hash = (h >>> 12) & 0xff;
  const node = h & 0xfff;
  return `${htid.toString(16)}:${hash === 0 ? '' : hash.toString(16)}${node === 0 ? '' : `:${node.toString(16)}`}`;
}

/** parseU32Handle reads a u32 filter handle: a number, or `htid:hash:node` in hex (`'800::800'`). Throws ArgumentError. */
export function parseU32Handle(v: unknown, argument: string): number {
  if (typeof v === 'number') return checkInteger(v, argument, 0, 0xffffffff);
  const m = typeof v === 'string' ? /^([0-9a-f]{0,3}):([0-9a-f]{0,2})(?::([0-9a-f]{0,3}))?$/i.exec(v) : null;
  if (m === null) throw new ArgumentError(argument, { expected: "a u32 handle 'htid:hash:node' in hex such as '800::800', or a number", received: v });
  const part = (s: string | undefined) => (s === undefined || s === '' ? 0 : parseInt(s, 16));
  return ((part(m[1]) << 20) | (part(m[2]) << 12) | part(m[3])) >>> 0;
}
