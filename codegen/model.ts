/**
 * The resolved model of one netlink family: the kernel's YAML spec (plus our
 * overlays) with every number worked out — attribute values, enum values,
 * operation message types — following the rules of the kernel's own YNL
 * tooling (tools/net/ynl/lib/nlspec.py):
 *
 * - attributes count from 1 unless a `value` restarts the count;
 * - enum entries count from `value-start` (default 0); `flags` entries are
 *   bit positions (value `1 << n`);
 * - `subset-of` sets take their attributes (and numbers) from the full set,
 *   with the subset's keys layered on top;
 * - operations: `unified` numbering counts from 1; `directional` keeps
 *   separate request and reply counters.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Yaml = any;

export type Protocol = 'netlink-raw' | 'genetlink' | 'genetlink-c' | 'genetlink-legacy';

export interface EnumEntry {
  name: string;
  /** For `enum`: the value. For `flags`: the mask (1 << bit). */
  value: number;
  doc?: string;
}

export interface EnumDef {
  kind: 'enum' | 'flags';
  name: string;
  namePrefix?: string;
  entries: EnumEntry[];
  doc?: string;
}

export interface StructMember {
  name: string;
  type: string;
  len?: number;
  byteOrder?: string;
  enum?: string;
  enumAsFlags?: boolean;
  displayHint?: string;
  struct?: string;
  /** Byte offset within the struct. */
  offset: number;
  /** Size in bytes. */
  size: number;
}

export interface StructDef {
  name: string;
  members: StructMember[];
  size: number;
  doc?: string;
}

export interface ConstDef {
  name: string;
  value: number | string;
}

export interface Attr {
  name: string;
  value: number;
  type: string;
  byteOrder?: string;
  enum?: string;
  enumAsFlags?: boolean;
  displayHint?: string;
  struct?: string;
  nested?: string;
  subMessage?: string;
  selector?: string;
  subType?: string;
  multi: boolean;
  typeValue?: string[];
  /** nlkit extension: a nest whose payload is this struct followed by `nested` attributes (veth's VETH_INFO_PEER). */
  fixedHeader?: string;
  /** nlkit extension `x-nla-f-nested`: the kernel sends this attribute with NLA_F_NESTED (nla_nest_start, not _noflag). */
  nestedFlag?: boolean;
  /**
   * nlkit extension `x-array`: a `binary` attribute holding back-to-back structs (`struct`), e.g.
   * NHA_GROUP; with `nested-attributes` too, back-to-back records, each the struct followed by
   * attributes of that set, its length in the struct's `lengthMember` (RTA_MULTIPATH).
   */
  array?: boolean;
  /** nlkit extension `x-length-member`: the struct member holding each record's length (struct + attributes) of an `x-array` of records. */
  lengthMember?: string;
  len?: number;
  doc?: string;
}

export interface AttrSet {
  name: string;
  namePrefix?: string;
  subsetOf?: string;
  attrs: Attr[];
  /**
   * nlkit extension `x-wire-order`: attribute names in the order the kernel emits them,
   * where that differs from spec order (listed first; the rest follow in spec order). A
   * number stands for an attribute the spec lacks (kept in `unknown`) that newer kernels send.
   * The decoder records `order` only when the wire departs from this order.
   */
  wireOrder?: Array<string | number>;
  /**
   * nlkit extension `x-wire-order-alt`: a second emission order, used for messages whose
   * fixed header has `header-field` equal to `value` (rt-addr: IPv4's inet_fill_ifaddr
   * emits IFA_FLAGS before IFA_CACHEINFO, IPv6's after). The decoder of such a message
   * records `order` only when the wire departs from the order its header selects, and the
   * encoder writes that order; the set's own decoder and encoder take it as `alt`.
   */
  wireOrderAlt?: { headerField: string; value: number; order: Array<string | number> };
  doc?: string;
}

export interface SubFormat {
  value: string;
  fixedHeader?: string;
  attributeSet?: string;
}

export interface SubMessage {
  name: string;
  formats: SubFormat[];
}

export interface OpMode {
  requestValue?: number;
  replyValue?: number;
  hasRequest: boolean;
  hasReply: boolean;
}

export interface Op {
  name: string;
  attributeSet?: string;
  fixedHeader?: string;
  /** nlkit extension `x-reply-fixed-header`: the replies' struct, where it differs from the request's (xfrm's GETSA). */
  replyFixedHeader?: string;
  /** Message type (netlink-raw) or cmd (genetlink) of the request. */
  requestValue?: number;
  /** Message type / cmd of the reply (and of notifications). */
  replyValue?: number;
  do?: OpMode;
  dump?: OpMode;
  notify?: string;
  event: boolean;
  mcgrp?: string;
  doc?: string;
}

export interface McastGroup {
  name: string;
  value?: number;
}

export interface Family {
  name: string;
  protocol: Protocol;
  protonum: number;
  version: number;
  doc?: string;
  /** Spec file names this model was built from (the kernel's, then overlays). */
  sources: string[];
  enums: Map<string, EnumDef>;
  structs: Map<string, StructDef>;
  consts: ConstDef[];
  sets: Map<string, AttrSet>;
  subMessages: Map<string, SubMessage>;
  ops: Op[];
  opsFixedHeader?: string;
  opsNamePrefix?: string;
  mcgrps: McastGroup[];
}

/** loadYaml reads one spec file. */
export function loadYaml(path: string): Yaml {
  return parse(readFileSync(path, 'utf8'));
}

/**
 * mergeOverlay layers an overlay spec onto a kernel spec (both raw YAML):
 * definitions and attribute sets are added (a set of the same name gets the
 * overlay's attributes appended, or replaced by name), sub-message formats are
 * added to the sub-message of the same name, operations are added (one of the
 * same name gets the overlay's keys, e.g. a `dump`), multicast groups are appended.
 */
export function mergeOverlay(base: Yaml, overlay: Yaml): Yaml {
  const out = structuredClone(base);
  const byName = (list: Yaml[] | undefined, name: string) => (list ?? []).find((x: Yaml) => x.name === name);
  for (const def of overlay.definitions ?? []) {
    out.definitions ??= [];
    const i = out.definitions.findIndex((d: Yaml) => d.name === def.name);
    if (i >= 0) out.definitions[i] = def;
    else out.definitions.push(def);
  }
  for (const set of overlay['attribute-sets'] ?? []) {
    out['attribute-sets'] ??= [];
    const have = byName(out['attribute-sets'], set.name);
    if (!have) {
      out['attribute-sets'].push(set);
      continue;
    }
    if (set['x-wire-order'] !== undefined) have['x-wire-order'] = set['x-wire-order'];
    if (set['x-wire-order-alt'] !== undefined) have['x-wire-order-alt'] = set['x-wire-order-alt'];
    for (const a of set.attributes ?? []) {
      const i = have.attributes.findIndex((x: Yaml) => x.name === a.name);
      if (i >= 0) have.attributes[i] = { ...have.attributes[i], ...a };
      else have.attributes.push(a);
    }
  }
  for (const sm of overlay['sub-messages'] ?? []) {
    out['sub-messages'] ??= [];
    const have = byName(out['sub-messages'], sm.name);
    if (!have) {
      out['sub-messages'].push(sm);
      continue;
    }
    for (const f of sm.formats ?? []) {
      const i = have.formats.findIndex((x: Yaml) => x.value === f.value);
      if (i >= 0) have.formats[i] = f;
      else have.formats.push(f);
    }
  }
  if (overlay.operations) {
    out.operations ??= { list: [] };
    for (const op of overlay.operations.list ?? []) {
      // An operation of the same name gets the overlay's keys (a `dump` the spec lacks, say).
      const have = byName(out.operations.list, op.name);
      if (have) Object.assign(have, op);
      else out.operations.list.push(op);
    }
  }
  if (overlay['mcast-groups']) {
    out['mcast-groups'] ??= { list: [] };
    out['mcast-groups'].list.push(...(overlay['mcast-groups'].list ?? []));
  }
  return out;
}

const intSizes: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

/** resolve turns raw YAML into a Family model, or throws naming what it cannot handle. */
export function resolve(y: Yaml, sources: string[]): Family {
  const fam: Family = {
    name: y.name,
    protocol: y.protocol ?? 'genetlink',
    protonum: y.protonum ?? (y.protocol === 'netlink-raw' ? 0 : 16),
    version: y.version ?? 1,
    doc: typeof y.doc === 'string' ? y.doc.trim() : undefined,
    sources,
    enums: new Map(),
    structs: new Map(),
    consts: [],
    sets: new Map(),
    subMessages: new Map(),
    ops: [],
    mcgrps: [],
  };
  const genl = fam.protocol !== 'netlink-raw';

  for (const d of y.definitions ?? []) {
    if (d.type === 'const') {
      fam.consts.push({ name: d.name, value: d.value });
    } else if (d.type === 'enum' || d.type === 'flags') {
      const start = d['value-start'] ?? 0;
      const entries: EnumEntry[] = [];
      let prev: number | undefined;
      for (const raw of d.entries ?? []) {
        const e = typeof raw === 'string' ? { name: raw } : raw;
        const v: number = e.value ?? (prev === undefined ? start : prev + 1);
        prev = v;
        entries.push({ name: String(e.name), value: d.type === 'flags' ? 2 ** v : v, doc: e.doc });
      }
      fam.enums.set(d.name, { kind: d.type, name: d.name, namePrefix: d['name-prefix'], entries, doc: d.doc });
    } else if (d.type === 'struct') {
      // Structs are laid out member after member; the specs spell padding out as `pad` members.
      fam.structs.set(d.name, { name: d.name, members: [], size: -1, doc: d.doc });
    } else {
      throw new Error(`${fam.name}: definition ${d.name}: unsupported type ${d.type}`);
    }
  }
  const structSize = (name: string, seen: string[] = []): number => {
    const s = fam.structs.get(name);
    if (!s) throw new Error(`${fam.name}: unknown struct ${name}`);
    if (s.size >= 0) return s.size;
    if (seen.includes(name)) throw new Error(`${fam.name}: recursive struct ${name}`);
    const d = (y.definitions as Yaml[]).find((x) => x.name === name);
    let off = 0;
    for (const m of d.members) {
      let size: number;
      if (m.type in intSizes) size = intSizes[m.type]!;
      else if (m.type === 'pad' || (m.type === 'binary' && m.len !== undefined)) size = m.len;
      else if (m.type === 'binary' && m.struct) size = structSize(m.struct, [...seen, name]);
      else throw new Error(`${fam.name}: struct ${name}.${m.name}: unsupported member type ${m.type}`);
      s.members.push({
        name: m.name,
        type: m.type,
        len: m.len,
        byteOrder: m['byte-order'],
        enum: m.enum,
        enumAsFlags: m['enum-as-flags'],
        displayHint: m['display-hint'],
        struct: m.struct,
        offset: off,
        size,
      });
      off += size;
    }
    s.size = off;
    return off;
  };
  for (const name of fam.structs.keys()) structSize(name);

  const rawSets: Yaml[] = y['attribute-sets'] ?? [];
  const toAttr = (a: Yaml, value: number): Attr => ({
    name: String(a.name),
    value,
    type: a.type,
    byteOrder: a['byte-order'],
    enum: a.enum,
    enumAsFlags: a['enum-as-flags'],
    displayHint: a['display-hint'],
    struct: a.struct,
    nested: a['nested-attributes'],
    subMessage: a['sub-message'],
    selector: a.selector,
    subType: a['sub-type'],
    multi: a['multi-attr'] === true,
    typeValue: a['type-value'],
    fixedHeader: a['fixed-header'],
    nestedFlag: a['x-nla-f-nested'] === true ? true : undefined,
    array: a['x-array'] === true ? true : undefined,
    lengthMember: a['x-length-member'],
    len: a.len,
    doc: typeof a.doc === 'string' ? a.doc.trim() : undefined,
  });
  for (const s of rawSets) {
    if (s['subset-of']) continue;
    const attrs: Attr[] = [];
    let val = 1;
    for (const a of s.attributes ?? []) {
      if (a.value !== undefined) val = a.value;
      attrs.push(toAttr(a, val));
      val++;
    }
    const alt = s['x-wire-order-alt'];
    const wireOrderAlt = alt === undefined ? undefined : { headerField: String(alt['header-field']), value: Number(alt.value), order: alt.order as Array<string | number> };
    fam.sets.set(s.name, { name: s.name, namePrefix: s['name-prefix'], attrs, wireOrder: s['x-wire-order'], wireOrderAlt, doc: s.doc });
  }
  for (const s of rawSets) {
    if (!s['subset-of']) continue;
    const full = rawSets.find((x) => x.name === s['subset-of']);
    const fullModel = fam.sets.get(s['subset-of']);
    if (!full || !fullModel) throw new Error(`${fam.name}: ${s.name} is a subset of unknown set ${s['subset-of']}`);
    const attrs: Attr[] = [];
    for (const a of s.attributes ?? []) {
      if (attrs.some((x) => x.name === a.name)) continue; // listed twice (devlink)
      const real = (full.attributes as Yaml[]).find((x) => x.name === a.name);
      const realModel = fullModel.attrs.find((x) => x.name === a.name);
      if (!real || !realModel) throw new Error(`${fam.name}: ${s.name}.${a.name} not in ${full.name}`);
      attrs.push(toAttr({ ...real, ...a }, realModel.value));
    }
    fam.sets.set(s.name, { name: s.name, namePrefix: s['name-prefix'] ?? full['name-prefix'], subsetOf: s['subset-of'], attrs, wireOrder: s['x-wire-order'] ?? (full['x-wire-order'] as Array<string | number> | undefined)?.filter((n) => typeof n === 'number' || attrs.some((a) => a.name === n)), doc: s.doc });
  }

  for (const sm of y['sub-messages'] ?? []) {
    fam.subMessages.set(sm.name, {
      name: sm.name,
      formats: (sm.formats ?? []).map((f: Yaml) => ({ value: String(f.value), fixedHeader: f['fixed-header'], attributeSet: f['attribute-set'] })),
    });
  }

  const ops = y.operations ?? { list: [] };
  fam.opsFixedHeader = ops['fixed-header'];
  fam.opsNamePrefix = ops['name-prefix'];
  const model = ops['enum-model'] ?? 'unified';
  const mode = (m: Yaml): OpMode | undefined =>
    m === undefined
      ? undefined
      : { requestValue: m.request?.value, replyValue: m.reply?.value, hasRequest: m.request !== undefined, hasReply: m.reply !== undefined };
  if (model === 'directional') {
    let req: number | undefined = 1;
    let rsp: number | undefined = 1;
    for (const o of ops.list ?? []) {
      let reqNext: number;
      let rspNext: number;
      if (o.notify !== undefined || o.event !== undefined) {
        if (o.value !== undefined) rsp = o.value;
        reqNext = req!;
        rspNext = rsp! + 1;
        req = undefined;
      } else if (o.do !== undefined || o.dump !== undefined) {
        const m = o.do ?? o.dump;
        if (m.request?.value) req = m.request.value;
        if (m.reply?.value) rsp = m.reply.value;
        if (o.dump?.reply?.value && !m.reply?.value) rsp = o.dump.reply.value;
        const rspInc = m.reply !== undefined ? 1 : 0;
        reqNext = req! + 1;
        rspNext = rsp! + rspInc;
      } else {
        throw new Error(`${fam.name}: operation ${o.name}: neither do/dump nor notify/event`);
      }
      const hasReply = o.do?.reply !== undefined || o.dump?.reply !== undefined || o.notify !== undefined || o.event !== undefined;
      fam.ops.push(toOp(o, req, hasReply ? rsp : undefined, mode));
      req = reqNext;
      rsp = rspNext;
    }
  } else {
    let val = 1;
    for (const o of ops.list ?? []) {
      if (o.value !== undefined) val = o.value;
      fam.ops.push(toOp(o, o.notify !== undefined || o.event !== undefined ? undefined : val, val, mode));
      val++;
    }
  }
  for (const g of y['mcast-groups']?.list ?? []) fam.mcgrps.push({ name: g.name, value: g.value });
  if (!genl) {
    for (const g of fam.mcgrps) if (g.value === undefined) throw new Error(`${fam.name}: multicast group ${g.name} has no value`);
  }
  return fam;
}

function toOp(o: Yaml, req: number | undefined, rsp: number | undefined, mode: (m: Yaml) => OpMode | undefined): Op {
  return {
    name: o.name,
    attributeSet: o['attribute-set'],
    fixedHeader: o['fixed-header'],
    replyFixedHeader: o['x-reply-fixed-header'],
    requestValue: req,
    replyValue: rsp,
    do: mode(o.do),
    dump: mode(o.dump),
    notify: o.notify,
    event: o.event !== undefined,
    mcgrp: o.mcgrp,
    doc: typeof o.doc === 'string' ? o.doc.trim() : undefined,
  };
}
