/**
 * The codec-dependent members of the tc kinds (registry/kinds/tc.ts):
 * decoding, the conversion to Qdisc / TcClass / Filter (the one each kind
 * has, for `list()`, events and views alike), keys, dumps and `list()`
 * filters. Loaded with the generated tc codec on first use.
 */
import type { Connection, DumpOptions, MessageDecoder } from '../../netlink/connection.js';
import { checkInteger, checkString } from '../../netlink/args.js';
import * as tc from '../../generated/tc.js';
import * as rtLink from '../../generated/rt-link.js';
import type { KindCodec } from '../deferred.js';
import type { FilterField } from '../kind.js';
import { TC_H_CLSACT_EGRESS, TC_H_CLSACT_INGRESS, formatHandle, parseFilterParent, parseHandle, parseQdiscParent, qdiscParentName } from './handle.js';
import { ethProtocolName, ethProtocolNumber } from '../vocabulary.js';
import { qdiscFromMessage, type Qdisc } from './qdisc.js';
import { classFromMessage, type TcClass } from './class.js';
import { filterFromMessage, filterInfo, type Filter } from './filter.js';

type M = tc.TcMessage;
type MI = tc.TcMessageInput;

/** A `kind` filter: a name of 1 to 15 bytes, checked here (the kernel has no such filter). */
function kindFilter<O extends { kind: string }>(): FilterField<MI, O> {
  return {
    check: (v, argument) => (v === undefined ? undefined : (checkString(v, argument, { minBytes: 1, maxBytes: 15 }), v as string)),
    holds: (o, kind: string) => o.kind === kind,
  };
}

/** A `dev` filter: the kernel dumps only that device (tcm_ifindex), and it holds here too. */
function devFilter<O extends { dev: number }>(): FilterField<MI, O> {
  return {
    link: true,
    kernel: (r, index) => void (r.header.ifindex = index),
    holds: (o, index) => o.dev === index,
  };
}

/** Every device of the namespace, by index (one RTM_GETLINK dump, reading only ifi_index). */
async function devices(conn: Connection, options: DumpOptions): Promise<number[]> {
  const decodeIndex: MessageDecoder<number> = (view, start) => view.getInt32(start + 4, true);
  const { items } = await conn.dump(
    // A bare ifinfomsg: the link encoder (encodeLinkMessage, every IFLA attribute) is not needed, nor loaded with tc.
    { type: rtLink.RequestType.getlink, label: 'RTM_GETLINK', body: (w) => rtLink.writeIfinfomsg(w.view, w.reserve(16), {}) },
    decodeIndex,
    options,
  );
  return items;
}

/** `request` once per device: the one it names, or every device. */
async function perDevice(conn: Connection, request: MI, options: DumpOptions): Promise<MI[]> {
  if (request.header.ifindex) return [request];
  return (await devices(conn, options)).map((ifindex) => ({ ...request, header: { ...request.header, ifindex } }));
}

/** One tc dump of `type`, converted by `convert`. */
async function dumpTc<O>(conn: Connection, type: number, label: string, message: MI, convert: (m: M) => O, options: DumpOptions): Promise<O[]> {
  const { items } = await conn.dump({ type, label, body: (w) => tc.encodeTcMessage(w, message) }, (view, start, end) => convert(tc.decodeTcMessage(view, start, end)), options);
  return items;
}

/** The filter blocks of a device: every qdisc's and class's, and a clsact's two hooks. */
async function blocks(conn: Connection, ifindex: number, options: DumpOptions): Promise<number[]> {
  const out: number[] = [];
  // The kernel may dump every device's qdiscs whatever tcm_ifindex says: keep this one's.
  for (const q of await dumpTc(conn, tc.RequestType.getqdisc, 'RTM_GETQDISC', { header: { ifindex }, attrs: {} }, qdiscFromMessage, options)) {
    if (q.dev !== ifindex) continue;
    if (q.kind === 'clsact') out.push(TC_H_CLSACT_INGRESS, TC_H_CLSACT_EGRESS);
    else out.push(parseHandle(q.handle, 'handle'));
  }
  for (const c of await dumpTc(conn, tc.RequestType.gettclass, 'RTM_GETTCLASS', { header: { ifindex }, attrs: {} }, classFromMessage, options)) out.push(parseHandle(c.classid, 'classid'));
  return out;
}

/** The message every tc kind dumps all of (the kinds' `expand` splits it by device and block). */
const dumpAll = (): MI => ({ header: {}, attrs: {} });

/** The codec part of `qdiscKind`: one dump of every device's qdiscs. */
export const qdiscParts: KindCodec<M, MI, Qdisc> = {
  decode: tc.decodeTcMessage,
  encode: tc.encodeTcMessage,
  convert: qdiscFromMessage,
  lazy: undefined,
  // A qdisc is found by its handle on its device; default qdiscs all have handle 0 (mq's children), so their place tells them apart.
  key: (m) => `${m.header.ifindex} ${m.header.handle} ${m.header.parent}`,
  groupKey: undefined,
  accept: undefined,
  silent: undefined,
  dump: dumpAll,
  filters: {
    dev: devFilter<Qdisc>(),
    kind: kindFilter<Qdisc>(),
    parent: {
      check: (v, argument) => (v === undefined ? undefined : parseQdiscParent(v, argument)),
      holds: (q, parent: number) => q.parent === qdiscParentName(parent, q.kind),
    },
    handle: {
      check: (v, argument) => (v === undefined ? undefined : formatHandle(parseHandle(v, argument))),
      holds: (q, handle: string) => q.handle === handle,
    },
  },
  checkFilter: undefined,
  expand: undefined,
};

/** The codec part of `classKind`: the kernel dumps classes one device at a time. */
export const classParts: KindCodec<M, MI, TcClass> = {
  decode: tc.decodeTcMessage,
  encode: tc.encodeTcMessage,
  convert: classFromMessage,
  lazy: undefined,
  // The class id is unique on its device (the kernel sends it on delete too).
  key: (m) => `${m.header.ifindex} ${m.header.handle}`,
  groupKey: undefined,
  accept: undefined,
  silent: undefined,
  dump: dumpAll,
  filters: {
    dev: devFilter<TcClass>(),
    kind: kindFilter<TcClass>(),
    parent: {
      check: (v, argument) => (v === undefined ? undefined : qdiscParentName(parseQdiscParent(v, argument), undefined)),
      holds: (c, parent: string) => c.parent === parent,
    },
    classid: {
      check: (v, argument) => (v === undefined ? undefined : formatHandle(parseHandle(v, argument))),
      holds: (c, classid: string) => c.classid === classid,
    },
  },
  checkFilter: undefined,
  expand: perDevice,
};

/** The codec part of `filterKind`: the kernel dumps filters one block at a time. */
export const filterParts: KindCodec<M, MI, Filter> = {
  decode: tc.decodeTcMessage,
  encode: tc.encodeTcMessage,
  convert: filterFromMessage,
  lazy: undefined,
  // Everything the kernel's lookup goes by: the block, priority and protocol
  // (tcm_info), the chain, the classifier and its own handle (0: the entry
  // that stands for the whole priority). A delete carries them all.
  key: (m) => `${m.header.ifindex} ${m.header.parent} ${m.header.info} ${m.header.handle} ${m.attrs.chain ?? 0} ${m.attrs.kind ?? ''}`,
  groupKey: undefined,
  accept: undefined,
  silent: undefined,
  dump: dumpAll,
  filters: {
    dev: devFilter<Filter>(),
    // The block to dump; without it, every block of the device.
    parent: {
      check: (v, argument) => (v === undefined ? undefined : parseFilterParent(v, argument)),
      kernel: (r, parent: number) => void (r.header.parent = parent),
    },
    kind: kindFilter<Filter>(),
    // The kernel skips filters of other priorities and protocols (tcm_info) and, with TCA_CHAIN, of other chains.
    priority: {
      check: (v, argument) => (v === undefined ? undefined : checkInteger(v, argument, 1, 0xffff)),
      kernel: (r, priority: number) => void (r.header.info = (((r.header.info ?? 0) & 0xffff) | filterInfo(priority, 0)) >>> 0),
      holds: (f, priority: number) => f.priority === priority,
    },
    protocol: {
      check: (v, argument) => (v === undefined ? undefined : ethProtocolNumber(v, argument)),
      kernel: (r, protocol: number) => void (r.header.info = (((r.header.info ?? 0) & 0xffff0000) | filterInfo(0, protocol)) >>> 0),
      holds: (f, protocol: number) => f.protocol === ethProtocolName(protocol),
    },
    chain: {
      check: (v, argument) => (v === undefined ? undefined : checkInteger(v, argument, 0, 0xffffffff)),
      kernel: (r, chain: number) => void (r.attrs.chain = chain),
      holds: (f, chain: number) => f.chain === chain,
    },
  },
  checkFilter: undefined,
  async expand(conn, request, options) {
    const out: MI[] = [];
    for (const r of await perDevice(conn, request, options)) {
      if (r.header.parent) {
        out.push(r);
        continue;
      }
      for (const parent of await blocks(conn, r.header.ifindex!, options)) out.push({ ...r, header: { ...r.header, parent } });
    }
    return out;
  },
};
