/**
 * Emits one TypeScript module per family model: constants, types, struct
 * readers/writers, one straight-line encoder and decoder per attribute set,
 * message helpers, the family descriptor and the attribute-path tables.
 */
import type { Attr, AttrSet, EnumDef, Family, StructDef, StructMember, SubMessage } from './model.js';

// ---------------------------------------------------------------------------
// names

/** camel turns `ifi-index` into `ifiIndex`; a leading digit gets an underscore. */
export function camel(name: string): string {
  const parts = name.split(/[-_.\s]+/).filter((x) => x !== '');
  let out = parts.map((p, i) => (i === 0 ? p.toLowerCase() : p[0]!.toUpperCase() + p.slice(1).toLowerCase())).join('');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** pascal turns `link-attrs` into `LinkAttrs`. */
export function pascal(name: string): string {
  const c = camel(name).replace(/^_/, '');
  return /^[0-9]/.test(c) ? `T${c}` : c[0]!.toUpperCase() + c.slice(1);
}

function cname(s: string): string {
  return s.toUpperCase().replace(/[-.]/g, '_');
}

/** key quotes an object key when it is not an identifier. */
function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `'${name}'`;
}

function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const INT = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64']);

/** What a value of some attribute type looks like and how it is read and written. */
interface Codec {
  ts: string;
  /** An expression reading the value from `[s, e)` (identifiers given). */
  read(s: string, e: string): string;
  /** Statements writing value `x` as an attribute of raw type `t`. */
  write(t: string, x: string): string[];
}

class Emitter {
  out: string[] = [];
  ind = 0;
  line(s = ''): void {
    this.out.push(s === '' ? '' : '  '.repeat(this.ind) + s);
  }
  lines(ss: string[]): void {
    for (const s of ss) this.line(s);
  }
  open(s: string): void {
    this.line(s);
    this.ind++;
  }
  close(s = '}'): void {
    this.ind--;
    this.line(s);
  }
}

interface Composite {
  name: string;
  header: string;
  set: string;
}

/** An x-array record type: `struct` followed by attributes of `set`, its length in a struct member. */
interface RecordType {
  /** Type name (`RtnexthopRecord`; `…Input` takes a partial header). */
  name: string;
  struct: string;
  set: string;
  /** The struct's and the set's generated names. */
  header: string;
  attrs: string;
  size: number;
  /** Offset and size (2 or 4) of the length member in the struct. */
  lenAt: number;
  lenBytes: number;
  lenMember: string;
}

/** FamilyEmitter generates the module for one family. */
export class FamilyEmitter {
  private e = new Emitter();
  private genl: boolean;
  private defNested: number;
  private typeNames = new Map<string, string>();
  private used = new Set<string>();
  private imports = {
    reader: new Set<string>(),
    format: new Set<string>(),
    support: new Set<string>(),
    supportTypes: new Set<string>(),
    errors: new Set<string>(),
  };
  private composites = new Map<string, Composite>();
  /** x-array records (struct + attributes), by `struct|set`: emitted once each. */
  private records = new Map<string, RecordType>();
  private helpers: string[][] = [];
  private helperNames = new Set<string>();

  constructor(
    private fam: Family,
    private generator: string,
  ) {
    this.genl = fam.protocol !== 'netlink-raw';
    this.defNested = this.genl ? 0x8000 : 0;
    for (const s of fam.structs.values()) this.reserve(`struct:${s.name}`, pascal(s.name), 'Struct');
    for (const en of fam.enums.values()) this.reserve(`enum:${en.name}`, pascal(en.name), 'Enum');
    for (const s of fam.sets.values()) this.reserve(`set:${s.name}`, pascal(s.name), 'Set');
    for (const sm of fam.subMessages.values()) this.reserve(`sub:${sm.name}`, pascal(sm.name), 'Sub');
  }

  private reserve(id: string, want: string, suffix: string): void {
    let n = want;
    if (this.used.has(n) || ['Cmd', 'ReplyCmd', 'RequestType', 'ReplyType', 'McastGroup'].includes(n)) n = want + suffix;
    this.used.add(n);
    this.typeNames.set(id, n);
  }
  private structT(name: string): string {
    const n = this.typeNames.get(`struct:${name}`);
    if (!n) throw new Error(`${this.fam.name}: unknown struct ${name}`);
    return n;
  }
  private enumT(name: string): string {
    const n = this.typeNames.get(`enum:${name}`);
    if (!n) throw new Error(`${this.fam.name}: unknown enum ${name}`);
    return n;
  }
  private setT(name: string): string {
    const n = this.typeNames.get(`set:${name}`);
    if (!n) throw new Error(`${this.fam.name}: unknown attribute set ${name}`);
    return n;
  }
  private subT(name: string): string {
    const n = this.typeNames.get(`sub:${name}`);
    if (!n) throw new Error(`${this.fam.name}: unknown sub-message ${name}`);
    return n;
  }
  private lc(n: string): string {
    return n[0]!.toLowerCase() + n.slice(1);
  }
  private attrConst(set: string): string {
    const t = this.setT(set);
    return t.endsWith('Attrs') && t.length > 5 ? `${t.slice(0, -5)}Attr` : `${t}Attr`;
  }
  private composite(header: string, set: string): Composite {
    const k = `${header}|${set}`;
    let c = this.composites.get(k);
    if (!c) {
      const base = this.setT(set).replace(/Attrs$/, '') || this.setT(set);
      let name = `${base}Message`;
      if ([...this.composites.values()].some((x) => x.name === name) || this.used.has(name)) name = `${base}${this.structT(header)}Message`;
      this.used.add(name);
      c = { name, header, set };
      this.composites.set(k, c);
    }
    return c;
  }
  /** The record type of an x-array of `struct` + attributes of `set` (see RecordType); checks the length member. */
  private record(struct: string, set: string, lenMember: string | undefined, path: string): RecordType {
    const k = `${struct}|${set}`;
    let rec = this.records.get(k);
    if (rec) return rec;
    const st = this.fam.structs.get(struct);
    if (!st) throw new Error(`${this.fam.name}: ${path}: unknown struct ${struct}`);
    if (lenMember === undefined) throw new Error(`${this.fam.name}: ${path}: an x-array of records needs x-length-member (the struct member holding each record's length)`);
    const m = st.members.find((x) => x.name === lenMember);
    if (!m || (m.type !== 'u16' && m.type !== 'u32') || m.byteOrder === 'big-endian') throw new Error(`${this.fam.name}: ${path}: x-length-member ${lenMember} is not a host-order u16 or u32 member of ${struct}`);
    let name = `${this.structT(struct)}Record`;
    if (this.used.has(name)) name = `${this.structT(struct)}${this.setT(set)}Record`;
    this.used.add(name);
    rec = { name, struct, set, header: this.structT(struct), attrs: this.setT(set), size: st.size, lenAt: m.offset, lenBytes: m.size, lenMember };
    this.records.set(k, rec);
    return rec;
  }

  private emitRecord(rec: RecordType): void {
    const e = this.e;
    const aligned = (rec.size + 3) & ~3;
    e.line(`/**`);
    e.line(` * ${rec.name}: one record of an x-array of records: \`struct ${rec.struct}\` (${rec.size} bytes) followed,`);
    e.line(` * from byte ${aligned}, by attributes of \`${rec.set}\`; its \`${rec.lenMember}\` is the record's length`);
    e.line(` * (struct and attributes) and the next record starts at that length rounded up to 4.`);
    e.line(` */`);
    e.open(`export interface ${rec.name} {`);
    e.line(`header: ${rec.header};`);
    e.line(`attrs: ${rec.attrs};`);
    e.close();
    e.line();
    e.line(`/** ${rec.name}Input is what the encoder takes: header fields may be left out (written as 0); \`${camel(rec.lenMember)}\` is always worked out. */`);
    e.line(`export type ${rec.name}Input = { header: Partial<${rec.header}>; attrs: ${rec.attrs} };`);
    e.line();
    e.line(`/** decode${rec.name}s decodes \`[start, end)\` as back-to-back ${rec.name}s; errors carry \`[index]\` in their path. Throws DecodeError. */`);
    e.open(`export function decode${rec.name}s(view: DataView, start: number, end: number): ${rec.name}[] {`);
    e.line(`return ${this.s('readRecords')}(view, start, end, ${rec.size}, ${rec.lenAt}, ${rec.lenBytes}, read${rec.header}, decode${rec.attrs});`);
    e.close();
    e.line();
  }

  private r(name: string): string {
    this.imports.reader.add(name);
    return name;
  }
  private f(name: string): string {
    this.imports.format.add(name);
    return name;
  }
  private s(name: string): string {
    this.imports.support.add(name);
    return name;
  }

  // -------------------------------------------------------------------------
  // codecs

  private intCodec(type: string, byteOrder: string | undefined, en: string | undefined, asFlags: boolean | undefined, hint: string | undefined, path: string): Codec {
    if (hint === 'ipv4' && type === 'u32') {
      return {
        ts: 'string',
        read: (s, e) => `${this.s('readIPv4Int')}(view, ${s}, ${e})`,
        write: (t, x) => [`w.binary(${t}, ${this.s('parseIPv4Strict')}(${x}));`],
      };
    }
    const be = byteOrder === 'big-endian' && type !== 'u8' && type !== 's8';
    const wide = type === 'u64' || type === 's64';
    let reader: string;
    if (be && type[0] === 's') reader = this.s(`read${pascal(type)}be`);
    else reader = this.r(`read${pascal(type)}${be ? 'be' : ''}`);
    const writer = `${type}${be ? 'be' : ''}`;
    const writeRaw = (t: string, x: string): string[] => {
      if (be && type[0] === 's') {
        const setter = type === 's16' ? 'setInt16' : type === 's32' ? 'setInt32' : 'setBigInt64';
        // attr() may grow (and replace) w.view: read it after the call.
        return [`{`, `  const at = w.attr(${t}, ${type === 's16' ? 2 : type === 's32' ? 4 : 8});`, `  w.view.${setter}(at, ${x}, false);`, `}`];
      }
      return [`w.${writer}(${t}, ${x});`];
    };
    if (en !== undefined) {
      const def = this.fam.enums.get(en);
      if (!def) throw new Error(`${this.fam.name}: ${path}: unknown enum ${en}`);
      const T = this.enumT(en);
      const flags = def.kind === 'flags' || asFlags === true;
      if (flags) {
        const bits = this.bitsTable(def);
        if (wide)
          return {
            ts: `Array<${T} | bigint>`,
            read: (s, e) => `${this.s('decodeFlags64')}(${reader}(view, ${s}, ${e}), ${bits})`,
            write: (t, x) => writeRaw(t, `${this.s('encodeFlags64')}(${x}, ${this.flagValues(def)})`),
          };
        return {
          ts: `Array<${T} | number>`,
          read: (s, e) => `${this.s('decodeFlags')}(${reader}(view, ${s}, ${e}), ${bits})`,
          write: (t, x) => writeRaw(t, `${this.s('encodeFlags')}(${x}, ${this.flagValues(def)})`),
        };
      }
      const names = this.namesTable(def);
      if (wide)
        return {
          ts: `${T} | bigint`,
          read: (s, e) => `${this.s('decodeEnum64')}(${reader}(view, ${s}, ${e}), ${names})`,
          write: (t, x) => writeRaw(t, `${this.s('encodeEnum64')}(${x}, ${T})`),
        };
      return {
        ts: `${T} | number`,
        read: (s, e) => `${this.s('decodeEnum')}(${reader}(view, ${s}, ${e}), ${names})`,
        write: (t, x) => writeRaw(t, `${this.s('encodeEnum')}(${x}, ${T})`),
      };
    }
    return { ts: wide ? 'bigint' : 'number', read: (s, e) => `${reader}(view, ${s}, ${e})`, write: writeRaw };
  }

  /** codec for a non-container value type (attribute, multi-attr element, indexed-array element). */
  private valueCodec(a: { type: string; byteOrder?: string; enum?: string; enumAsFlags?: boolean; displayHint?: string; struct?: string; nested?: string; fixedHeader?: string; array?: boolean; lengthMember?: string }, path: string): Codec {
    const type = a.type;
    if (INT.has(type)) return this.intCodec(type, a.byteOrder, a.enum, a.enumAsFlags, a.displayHint, path);
    switch (type) {
      case 'uint':
      case 'sint': {
        const rd = this.s(type === 'uint' ? 'readUintVar' : 'readSintVar');
        const wr = this.s(type === 'uint' ? 'writeUintVar' : 'writeSintVar');
        if (a.enum !== undefined) {
          const def = this.fam.enums.get(a.enum)!;
          const T = this.enumT(a.enum);
          if (def.kind === 'flags' || a.enumAsFlags) {
            const bits = this.bitsTable(def);
            return {
              ts: `Array<${T} | bigint>`,
              read: (s, e) => `${this.s('decodeFlags64')}(BigInt(${rd}(view, ${s}, ${e})), ${bits})`,
              write: (t, x) => [`${wr}(w, ${t}, ${this.s('encodeFlags64')}(${x}, ${this.flagValues(def)}));`],
            };
          }
          const names = this.namesTable(def);
          return {
            ts: `${T} | number | bigint`,
            read: (s, e) => `${this.s('decodeEnumVar')}(${rd}(view, ${s}, ${e}), ${names})`,
            write: (t, x) => [`${wr}(w, ${t}, typeof ${x} === 'string' ? ${this.s('encodeEnum')}(${x}, ${T}) : ${x});`],
          };
        }
        return { ts: 'number | bigint', read: (s, e) => `${rd}(view, ${s}, ${e})`, write: (t, x) => [`${wr}(w, ${t}, ${x});`] };
      }
      case 'string':
        return { ts: 'string', read: (s, e) => `${this.r('readString')}(view, ${s}, ${e})`, write: (t, x) => [`w.string(${t}, ${x});`] };
      case 'binary': {
        if (a.struct !== undefined && a.array && a.nested !== undefined) {
          // x-array records: struct + attributes each, length-prefixed (RTA_MULTIPATH).
          const rec = this.record(a.struct, a.nested, a.lengthMember, path);
          return {
            ts: `${rec.name}Input[]`,
            read: (s, e) => `${this.s('readRecords')}(view, ${s}, ${e}, ${rec.size}, ${rec.lenAt}, ${rec.lenBytes}, read${rec.header}, decode${rec.attrs})`,
            write: (t, x) => [`${this.s('writeRecords')}(w, ${t}, ${x}, ${rec.size}, ${rec.lenAt}, ${rec.lenBytes}, ${str(a.struct!)}, write${rec.header}, encode${rec.attrs});`],
          };
        }
        if (a.struct !== undefined && a.array) {
          const S = this.structT(a.struct);
          const size = this.fam.structs.get(a.struct)!.size;
          return {
            ts: `${S}[]`,
            read: (s, e) => `${this.s('readStructArray')}(view, ${s}, ${e}, ${size}, read${S})`,
            write: (t, x) => [`${this.s('writeStructArray')}(w, ${t}, ${x}, ${size}, write${S});`],
          };
        }
        if (a.struct !== undefined) {
          const S = this.structT(a.struct);
          const size = this.fam.structs.get(a.struct)!.size;
          return {
            ts: S,
            read: (s, e) => `read${S}(view, ${s}, ${e})`,
            write: (t, x) => [
              `{`,
              `  const tr = ${x}.trailing;`,
              `  const at = w.attr(${t}, ${size} + (tr === undefined ? 0 : tr.length));`,
              `  write${S}(w.view, at, ${x});`,
              `  if (tr !== undefined) w.bytes.set(tr, at + ${size});`,
              `}`,
            ],
          };
        }
        switch (a.displayHint) {
          case 'mac':
            return { ts: 'string', read: (s, e) => `${this.f('formatMac')}(view, ${s}, ${e})`, write: (t, x) => [`w.binary(${t}, ${this.f('parseMac')}(${x}));`] };
          case 'ipv4':
          case 'ipv6':
            return { ts: 'string', read: (s, e) => `${this.f('formatIP')}(view, ${s}, ${e})`, write: (t, x) => [`w.ip(${t}, ${x});`] };
          case 'hex':
          case 'uuid':
            return { ts: 'string', read: (s, e) => `${this.f('formatHex')}(view, ${s}, ${e})`, write: (t, x) => [`w.binary(${t}, ${this.f('parseHex')}(${x}));`] };
          default:
            return { ts: 'Uint8Array', read: (s, e) => `${this.r('readBytes')}(view, ${s}, ${e})`, write: (t, x) => [`w.binary(${t}, ${x});`] };
        }
      }
      case 'flag':
        return { ts: 'boolean', read: () => 'true', write: (t, x) => [`if (${x} === true) w.flag(${t});`] };
      case 'bitfield32':
        this.imports.supportTypes.add('Bitfield32');
        return { ts: 'Bitfield32', read: (s, e) => `${this.s('readBitfield32')}(view, ${s}, ${e})`, write: (t, x) => [`${this.s('writeBitfield32')}(w, ${t}, ${x});`] };
      case 'nest': {
        if (a.nested === undefined) throw new Error(`${this.fam.name}: ${path}: nest without nested-attributes`);
        if (a.fixedHeader !== undefined) {
          const c = this.composite(a.fixedHeader, a.nested);
          return {
            // Partial header: a value built by hand need not spell out every header field.
            ts: `${c.name}Input`,
            read: (s, e) => `decode${c.name}(view, ${s}, ${e})`,
            write: (t, x) => [`{`, `  const tok = w.nestStartPlain(${t});`, `  encode${c.name}(w, ${x});`, `  w.nestEnd(tok);`, `}`],
          };
        }
        const T = this.setT(a.nested);
        return {
          ts: T,
          read: (s, e) => `decode${T}(view, ${s}, ${e})`,
          write: (t, x) => [`{`, `  const tok = w.nestStartPlain(${t});`, `  encode${T}(w, ${x});`, `  w.nestEnd(tok);`, `}`],
        };
      }
      default:
        throw new Error(`${this.fam.name}: ${path}: unsupported type ${type}`);
    }
  }

  private usedTables = new Set<string>();
  private namesTable(def: EnumDef): string {
    const n = `${this.lc(this.enumT(def.name))}Names`;
    this.usedTables.add(n);
    return n;
  }
  private bitsTable(def: EnumDef): string {
    const n = `${this.lc(this.enumT(def.name))}Bits`;
    this.usedTables.add(n);
    return n;
  }
  /** The name → mask object for flags: the enum object itself for `flags`, a derived one for enum-as-flags. */
  private flagValues(def: EnumDef): string {
    if (def.kind === 'flags') return this.enumT(def.name);
    const n = `${this.lc(this.enumT(def.name))}Masks`;
    this.usedTables.add(n);
    return n;
  }

  // -------------------------------------------------------------------------
  // sections

  private emitEnums(): void {
    const e = this.e;
    for (const def of this.fam.enums.values()) {
      const T = this.enumT(def.name);
      const pre = def.namePrefix;
      e.line(`/** ${T}: the spec's \`${def.name}\` ${def.kind === 'flags' ? 'flags (values are bit masks)' : 'enum'}. */`);
      e.open(`export const ${T} = {`);
      for (const en of def.entries) e.line(`${key(en.name)}: ${en.value},${pre ? ` // ${cname(pre + en.name)}` : ''}`);
      e.close('} as const;');
      e.line(`export type ${T} = keyof typeof ${T};`);
      // Value → name (first name wins for aliases).
      const seen = new Set<number>();
      const lcT = this.lc(T);
      if (this.usedTables.has(`${lcT}Names`)) {
      e.open(`const ${lcT}Names: Readonly<Record<number, ${T}>> = {`);
      for (const en of def.entries) {
        if (seen.has(en.value)) continue;
        seen.add(en.value);
        e.line(`${en.value}: ${str(en.name)},`);
      }
      e.close('};');
      }
      if (this.usedTables.has(`${lcT}Bits`)) {
      e.open(`const ${lcT}Bits: ReadonlyArray<readonly [number, ${T}]> = [`);
      for (const en of def.entries) {
        const mask = def.kind === 'flags' ? en.value : 2 ** en.value;
        if (mask > 2 ** 52) continue;
        e.line(`[${mask}, ${str(en.name)}],`);
      }
      e.close('];');
      }
      if (def.kind !== 'flags' && this.usedTables.has(`${lcT}Masks`)) {
        e.open(`const ${this.lc(T)}Masks: Readonly<Record<string, number>> = {`);
        for (const en of def.entries) if (2 ** en.value <= 2 ** 52) e.line(`${key(en.name)}: ${2 ** en.value},`);
        e.close('};');
      }
      e.line();
    }
  }

  private structMemberCodec(m: StructMember, structName: string): { ts: string; read: string; write: string } {
    const o = m.offset;
    const at = o === 0 ? 'at' : `at + ${o}`;
    const sAt = o === 0 ? 's' : `s + ${o}`;
    const path = `${structName}.${m.name}`;
    const fld = `v.${camel(m.name)}`;
    if (INT.has(m.type)) {
      const le = m.byteOrder === 'big-endian' ? 'false' : 'true';
      const bits = m.type.slice(1);
      const signed = m.type[0] === 's';
      const wide = bits === '64';
      const getter = wide ? (signed ? 'getBigInt64' : 'getBigUint64') : `get${signed ? 'Int' : 'Uint'}${bits}`;
      const setter = getter.replace('get', 'set');
      const endian = bits === '8' ? '' : `, ${le}`;
      const raw = `view.${getter}(${sAt}${endian})`;
      if (m.displayHint === 'ipv4' && m.type === 'u32') {
        return {
          ts: 'string',
          read: `${this.s('readIPv4Int')}(view, ${sAt}, ${sAt === 's' ? 's + 4' : `s + ${o + 4}`})`,
          write: `if (${fld} !== undefined) ${this.s('putBytes')}(view, ${at}, ${this.s('parseIPv4Strict')}(${fld}, ${str(m.name)}), 4);`,
        };
      }
      if (m.enum !== undefined) {
        const def = this.fam.enums.get(m.enum)!;
        const T = this.enumT(m.enum);
        if (def.kind === 'flags' || m.enumAsFlags) {
          if (wide) throw new Error(`${path}: 64-bit flags in struct unsupported`);
          return {
            ts: `Array<${T} | number>`,
            read: `${this.s('decodeFlags')}(${raw}, ${this.bitsTable(def)})`,
            write: `view.${setter}(${at}, ${this.s('encodeFlags')}(${fld} ?? [], ${this.flagValues(def)}, ${str(m.name)})${endian});`,
          };
        }
        return {
          ts: `${T} | number`,
          read: `${this.s('decodeEnum')}(${raw}, ${this.namesTable(def)})`,
          write: `view.${setter}(${at}, ${this.s('encodeEnum')}(${fld} ?? 0, ${T}, ${str(m.name)})${endian});`,
        };
      }
      return {
        ts: wide ? 'bigint' : 'number',
        read: raw,
        // Narrow integers are range-checked: a struct field never goes out wrapped (300 as a u8 is not 44).
        write: wide
          ? `view.${setter}(${at}, BigInt(${fld} ?? 0)${endian});`
          : `view.${setter}(${at}, ${this.s('fitInt')}(${fld} ?? 0, ${str(m.type)}, ${str(m.name)})${endian});`,
      };
    }
    if (m.type === 'binary' && m.struct !== undefined) {
      const S = this.structT(m.struct);
      return { ts: S, read: `read${S}(view, ${sAt}, s + ${o + m.size})`, write: `write${S}(view, ${at}, ${fld} ?? {});` };
    }
    if (m.type === 'binary') {
      const end = `s + ${o + m.size}`;
      switch (m.displayHint) {
        case 'mac':
          return { ts: 'string', read: `${this.f('formatMac')}(view, ${sAt}, ${end})`, write: `if (${fld} !== undefined) ${this.s('putBytes')}(view, ${at}, ${this.f('parseMac')}(${fld}), ${m.size});` };
        case 'ipv4':
        case 'ipv6':
          return { ts: 'string', read: `${this.f('formatIP')}(view, ${sAt}, ${end})`, write: `if (${fld} !== undefined) ${this.s('putBytes')}(view, ${at}, ${this.f('parseIP')}(${fld}), ${m.size});` };
        case 'hex':
        case 'uuid':
          return { ts: 'string', read: `${this.f('formatHex')}(view, ${sAt}, ${end})`, write: `if (${fld} !== undefined) ${this.s('putBytes')}(view, ${at}, ${this.f('parseHex')}(${fld}), ${m.size});` };
        default:
          return { ts: 'Uint8Array', read: `${this.r('readBytes')}(view, ${sAt}, ${end})`, write: `if (${fld} !== undefined) ${this.s('putBytes')}(view, ${at}, ${fld}, ${m.size});` };
      }
    }
    throw new Error(`${path}: unsupported struct member type ${m.type}`);
  }

  private emitStructs(): void {
    const e = this.e;
    for (const st of this.fam.structs.values()) this.emitStruct(st);
    void e;
  }

  private emitStruct(st: StructDef): void {
    const e = this.e;
    const S = this.structT(st.name);
    const members = st.members.filter((m) => m.type !== 'pad');
    const codecs = members.map((m) => ({ m, c: this.structMemberCodec(m, st.name) }));
    e.line(`/**`);
    e.line(` * ${S}: \`struct ${st.name}\`, ${st.size} bytes. Read by the length the kernel sends (newer`);
    e.line(` * kernels extend structs): bytes past the known size are kept in \`trailing\`.`);
    e.line(` *`);
    e.line(' * ```');
    for (const m of st.members) e.line(` * ${String(m.offset).padStart(4)} ${m.name} (${m.type}${m.type === 'binary' || m.type === 'pad' ? `[${m.size}]` : ''})`);
    e.line(' * ```');
    e.line(` */`);
    e.open(`export interface ${S} {`);
    for (const { m, c } of codecs) e.line(`${camel(m.name)}: ${c.ts};`);
    e.line(`/** Bytes past the known size, as sent by a newer kernel. */`);
    e.line(`trailing?: Uint8Array;`);
    e.close();
    e.line();
    e.line(`/** ${S}Size is the known size of \`struct ${st.name}\` in bytes. */`);
    e.line(`export const ${S}Size = ${st.size};`);
    e.line();
    e.line(`/** read${S} decodes \`struct ${st.name}\` from \`[s, e)\`; throws DecodeError when shorter than ${st.size} bytes. */`);
    e.open(`export function read${S}(view: DataView, s: number, e: number): ${S} {`);
    e.line(`if (e - s < ${st.size}) throw ${this.s('tooShort')}(${str(st.name)}, ${st.size}, s, e);`);
    e.open(`return {`);
    for (const { m, c } of codecs) e.line(`${camel(m.name)}: ${c.read},`);
    e.line(`trailing: e - s > ${st.size} ? ${this.r('readBytes')}(view, s + ${st.size}, e) : undefined,`);
    e.close('};');
    e.close();
    e.line();
    e.line(`/** write${S} writes \`struct ${st.name}\` (${st.size} bytes, already zeroed) at \`at\`; absent fields stay 0. \`trailing\` is the caller's. */`);
    e.open(`export function write${S}(view: DataView, at: number, v: Partial<${S}>): void {`);
    e.line(`${this.s('expectObject')}(v, 'struct ${st.name}');`);
    if (codecs.length === 0) e.line('void view, at;');
    for (const { c } of codecs) e.line(c.write);
    e.close();
    e.line();
  }

  /** Field type and read/write of one attribute, for a set's type, decoder and encoder. */
  private attrField(set: AttrSet, a: Attr): { ts: string; decode: (s: string, e: string, p: string, len: string) => string[]; encode: (t: string) => string[] } | undefined {
    const fld = camel(a.name);
    const path = `${set.name}.${a.name}`;
    if (a.type === 'pad' || a.type === 'unused') return undefined;
    if (a.type === 'sub-message') return undefined; // handled by the set emitter
    if (a.type === 'indexed-array' || a.type === 'nest-type-value') {
      const levels = a.type === 'nest-type-value' ? (a.typeValue?.length ?? 1) : 1;
      const elem: Codec =
        a.type === 'nest-type-value'
          ? this.valueCodec({ type: 'nest', nested: a.nested }, path)
          : this.valueCodec({ type: a.subType ?? 'binary', byteOrder: a.byteOrder, displayHint: a.displayHint, nested: a.nested, struct: a.struct, enum: a.enum, enumAsFlags: a.enumAsFlags }, path);
      const wrap = a.type === 'nest-type-value' ? 'TypeValueItem' : 'IndexedItem';
      const idKey = a.type === 'nest-type-value' ? 'id' : 'index';
      this.imports.supportTypes.add(wrap);
      let ts = elem.ts;
      for (let i = 0; i < levels; i++) ts = `Array<${wrap}<${ts}>>`;
      const nestSub = a.type === 'nest-type-value' || a.subType === 'nest';
      const base = `${this.setT(set.name)}${pascal(a.name)}`;
      const dn = `decode${base}Items`;
      const en = `encode${base}Items`;
      if (!this.helperNames.has(dn)) {
        this.helperNames.add(dn);
        // decode: `levels` nested loops
        const h: string[] = [];
        h.push(`/** ${dn} reads the elements of \`${path}\` (${a.type}). */`);
        h.push(`function ${dn}(view: DataView, start: number, end: number): ${ts} {`);
        const gen = (lvl: number, s: string, e: string, ind: string, tsAt: string): void => {
          const inner = tsAt.slice(`Array<${wrap}<`.length, -2);
          const arr = `a${lvl}`;
          h.push(`${ind}const ${arr}: ${tsAt} = [];`);
          h.push(`${ind}for (let q${lvl} = ${s}; ${e} - q${lvl} >= 4; ) {`);
          h.push(`${ind}  const l${lvl} = ${this.r('checkAttr')}(view, q${lvl}, ${e});`);
          if (lvl === levels - 1) {
            h.push(`${ind}  ${arr}.push({ ${idKey}: view.getUint16(q${lvl} + 2, true) & ${this.s('TYPE_MASK')}, value: ${elem.read(`q${lvl} + 4`, `q${lvl} + l${lvl}`)} });`);
          } else {
            h.push(`${ind}  const id${lvl} = view.getUint16(q${lvl} + 2, true) & ${this.s('TYPE_MASK')};`);
            h.push(`${ind}  {`);
            gen(lvl + 1, `q${lvl} + 4`, `q${lvl} + l${lvl}`, ind + '    ', inner);
            h.push(`${ind}    ${arr}.push({ ${idKey}: id${lvl}, value: a${lvl + 1} });`);
            h.push(`${ind}  }`);
          }
          h.push(`${ind}  q${lvl} = ${this.r('nextAttr')}(q${lvl}, l${lvl});`);
          h.push(`${ind}}`);
        };
        gen(0, 'start', 'end', '  ', ts);
        h.push(`  return a0;`);
        h.push(`}`);
        h.push(``);
        // encode
        h.push(`/** ${en} writes the elements of \`${path}\`; nested elements take the container's NLA_F_NESTED bit. */`);
        h.push(`function ${en}(w: MessageWriter, nested: number, items: ${ts}): void {`);
        const genE = (lvl: number, list: string, ind: string): void => {
          h.push(`${ind}for (const it${lvl} of ${list}) {`);
          if (lvl === levels - 1) {
            const t = nestSub ? `it${lvl}.${idKey} | nested` : `it${lvl}.${idKey}`;
            for (const l of elem.write(t, `it${lvl}.value`)) h.push(`${ind}  ${l}`);
          } else {
            h.push(`${ind}  const tok${lvl} = w.nestStartPlain(it${lvl}.${idKey} | nested);`);
            genE(lvl + 1, `it${lvl}.value`, ind + '  ');
            h.push(`${ind}  w.nestEnd(tok${lvl});`);
          }
          h.push(`${ind}}`);
        };
        genE(0, 'items', '  ');
        h.push(`}`);
        h.push(``);
        this.helpers.push(h);
      }
      return {
        ts,
        decode: (s, e) => [`out.${fld} = ${dn}(view, ${s}, ${e});`],
        encode: (t) => [`if (v.${fld} !== undefined) {`, `  const tok = w.nestStartPlain(${t});`, `  ${en}(w, ${t} & ${this.s('NESTED')}, v.${fld});`, `  w.nestEnd(tok);`, `}`],
      };
    }
    const c = this.valueCodec(a, path);
    if (a.multi) {
      return {
        ts: c.ts.includes(' ') ? `Array<${c.ts}>` : `${c.ts}[]`,
        decode: (s, e) => [`(out.${fld} ??= []).push(${c.read(s, e)});`],
        encode: (t) => {
          const n = `n${pascal(a.name)}`;
          return [
            `const a = v.${fld};`,
            `if (a !== undefined) {`,
            `  if (!ordered) {`,
            ...c.write(t, 'x').map((l, i, all) => (i === 0 ? `    for (const x of a) ${all.length === 1 ? l : l}` : `    ${l}`)),
            `  } else if (${n} < a.length) {`,
            `    const x = a[${n}++]!;`,
            ...c.write(t, 'x').map((l) => `    ${l}`),
            `  }`,
            `}`,
          ];
        },
      };
    }
    return {
      ts: c.ts,
      decode: (s, e) => [`out.${fld} = ${c.read(s, e)};`],
      encode: (t) => {
        const w = c.write(t, `v.${fld}`);
        if (a.type === 'flag') return w;
        if (w.length === 1) return [`if (v.${fld} !== undefined) ${w[0]}`];
        return [`if (v.${fld} !== undefined) ${w[0]}`, ...w.slice(1)];
      },
    };
  }

  private emitSubMessage(sm: SubMessage): void {
    const e = this.e;
    const T = this.subT(sm.name);
    // group formats by what they decode to
    const variants: { values: string[]; ts: string; read: (s: string, e: string) => string; write: string[]; nest: boolean }[] = [];
    for (const f of sm.formats) {
      let ts: string;
      let read: (s: string, e: string) => string;
      let write: string[];
      let nest = true;
      if (f.fixedHeader !== undefined && f.attributeSet !== undefined) {
        const c = this.composite(f.fixedHeader, f.attributeSet);
        ts = c.name;
        read = (s, en) => `decode${c.name}(view, ${s}, ${en})`;
        write = [`const tok = w.nestStartPlain(raw);`, `encode${c.name}(w, value as ${c.name});`, `w.nestEnd(tok);`];
      } else if (f.attributeSet !== undefined) {
        const S = this.setT(f.attributeSet);
        ts = S;
        read = (s, en) => `decode${S}(view, ${s}, ${en})`;
        write = [`const tok = w.nestStartPlain(raw);`, `encode${S}(w, value as ${S});`, `w.nestEnd(tok);`];
      } else if (f.fixedHeader !== undefined) {
        const S = this.structT(f.fixedHeader);
        const size = this.fam.structs.get(f.fixedHeader)!.size;
        ts = S;
        nest = false;
        read = (s, en) => `read${S}(view, ${s}, ${en})`;
        write = [
          `const v = value as ${S};`,
          `const tr = v.trailing;`,
          `const at = w.attr(raw, ${size} + (tr === undefined ? 0 : tr.length));`,
          `write${S}(w.view, at, v);`,
          `if (tr !== undefined) w.bytes.set(tr, at + ${size});`,
        ];
      } else {
        ts = 'Uint8Array';
        nest = false;
        read = (s, en) => `${this.r('readBytes')}(view, ${s}, ${en})`;
        write = [`w.binary(raw, value as Uint8Array);`];
      }
      const same = variants.find((v) => v.ts === ts && v.nest === nest);
      if (same) same.values.push(f.value);
      else variants.push({ values: [f.value], ts, read, write, nest });
    }
    const types = [...new Set([...variants.map((v) => v.ts), 'Uint8Array'])];
    e.line(`/**`);
    e.line(` * ${T}: the value of a \`${sm.name}\` sub-message, chosen by its selector`);
    e.line(` * (${sm.formats.map((f) => f.value).join(', ')}). A selector no format names keeps the raw bytes.`);
    e.line(` */`);
    e.line(`export type ${T} = ${types.join(' | ')};`);
    e.line();
    this.emitSubMessageFormats(sm, variants);
    e.line(`/** decode${T} decodes \`[s, e)\` by \`selector\`; errors carry \`(selector)\` in their path. */`);
    e.open(`export function decode${T}(view: DataView, s: number, e: number, selector: string | undefined): ${T} {`);
    e.open(`try {`);
    e.open(`switch (selector) {`);
    for (const v of variants) {
      for (const val of v.values) e.line(`case ${str(val)}:`);
      e.line(`  return ${v.read('s', 'e')};`);
    }
    e.line(`default:`);
    e.line(`  return ${this.r('readBytes')}(view, s, e);`);
    e.close();
    e.close(`} catch (err) {`);
    e.ind++;
    e.line(`throw ${this.s('inAttr')}(err, \`(\${selector})\`);`);
    e.close();
    e.close();
    e.line();
    e.line(`/**`);
    e.line(` * encode${T} writes \`value\` as attribute \`raw\`, in the format \`selector\` names.`);
    e.line(` * \`ordered\`: \`raw\` came from a decoded \`order\` and carries its flag bits as sent.`);
    e.line(` * Throws EncodeError when the selector has no format and \`value\` is not raw bytes, and`);
    e.line(` * for values that cannot be encoded (their path starts \`(selector)\`).`);
    e.line(` */`);
    e.open(`export function encode${T}(w: MessageWriter, raw: number, ordered: boolean, selector: string | undefined, value: ${T}): void {`);
    e.open(`if (value instanceof Uint8Array && !ordered) {`);
    e.line(`w.binary(raw & ${this.s('TYPE_MASK')}, value);`);
    e.line(`return;`);
    e.close();
    e.open(`if (value instanceof Uint8Array) {`);
    e.line(`w.binary(raw, value);`);
    e.line(`return;`);
    e.close();
    e.open(`try {`);
    e.open(`switch (selector) {`);
    for (const v of variants) {
      if (v.ts === 'Uint8Array') continue;
      for (const val of v.values) e.line(`case ${str(val)}:`);
      e.open(`{`);
      if (v.nest && this.defNested) e.line(`if (!ordered) raw |= ${this.s('NESTED')};`);
      e.lines(v.write);
      e.line(`return;`);
      e.close();
    }
    e.close();
    e.close(`} catch (err) {`);
    e.ind++;
    e.line(`throw ${this.s('inAttr')}(err, \`(\${selector})\`);`);
    e.close();
    this.imports.errors.add('EncodeError');
    e.line(`throw new EncodeError(\`no ${sm.name} format for \${selector === undefined ? 'an absent selector' : JSON.stringify(selector)}; pass the value as raw bytes\`);`);
    e.close();
    e.line();
  }

  /**
   * The sub-message's formats as a type map, selector value → what the value decodes to
   * (`LinkinfoDataMsgFormats['vxlan']` is `LinkinfoVxlanAttrs`): what discriminated unions
   * and per-kind types are built from.
   */
  private emitSubMessageFormats(sm: SubMessage, variants: { values: string[]; ts: string }[]): void {
    const e = this.e;
    const T = this.subT(sm.name);
    e.line(`/** ${T}Formats: per selector value of \`${sm.name}\`, the type its value decodes to (Uint8Array: raw bytes, no attribute set). */`);
    e.open(`export interface ${T}Formats {`);
    for (const v of variants) for (const val of v.values) e.line(`${key(val)}: ${v.ts};`);
    e.close();
    e.line();
  }

  /**
   * For each sub-message attribute whose selector is in the same set, a discriminated union of
   * selector and value (`{ kind: 'vxlan'; data?: LinkinfoVxlanAttrs } | …`): the selector
   * narrows the value's type.
   */
  private emitSubMessageVariants(set: AttrSet): void {
    const e = this.e;
    for (const a of set.attrs) {
      if (a.type !== 'sub-message' || a.subMessage === undefined) continue;
      const sel = set.attrs.find((x) => x.name === a.selector);
      const sm = this.fam.subMessages.get(a.subMessage);
      if (!sel || !sm || sel.type !== 'string') continue;
      const T = this.subT(sm.name);
      const V = `${this.setT(set.name)}${pascal(a.name)}Variant`;
      e.line(`/** ${V}: \`${set.name}\`'s \`${sel.name}\` with the \`${a.name}\` it selects; comparing \`${camel(sel.name)}\` narrows \`${camel(a.name)}\`. */`);
      e.line(`export type ${V} =`);
      for (const f of sm.formats) e.line(`  | { ${camel(sel.name)}: ${str(f.value)}; ${camel(a.name)}?: ${T}Formats[${str(f.value)}] }`);
      e.line(`  ;`);
      e.line();
    }
  }

  private emitSet(set: AttrSet): void {
    const e = this.e;
    const T = this.setT(set.name);
    const A = this.attrConst(set.name);
    // A selector outside this set (tc's stats `app`, chosen by the enclosing `kind`) is not
    // followed: such a sub-message is kept as raw bytes.
    for (const a of set.attrs) {
      if (a.type === 'sub-message' && !set.attrs.some((x) => x.name === a.selector)) {
        a.type = 'binary';
        a.subMessage = undefined;
      }
    }
    const fields: { a: Attr; f: NonNullable<ReturnType<FamilyEmitter['attrField']>> | undefined }[] = set.attrs.map((a) => ({ a, f: this.attrField(set, a) }));
    const subs = set.attrs.filter((a) => a.type === 'sub-message');
    const kernel = (a: Attr): string => (set.namePrefix ? cname(set.namePrefix + a.name) : this.genl ? '' : cname(a.name));
    const fieldNames = new Set<string>();
    for (const a of set.attrs) {
      const n = camel(a.name);
      if (n === 'unknown' || n === 'order') throw new Error(`${set.name}.${a.name}: field name clashes with bookkeeping`);
      if (fieldNames.has(n) && a.type !== 'pad' && a.type !== 'unused') throw new Error(`${set.name}.${a.name}: duplicate field ${n}`);
      fieldNames.add(n);
    }

    // attribute numbers
    e.line(`/** ${A}: attribute numbers of \`${set.name}\`${set.subsetOf ? ` (a subset of \`${set.subsetOf}\`)` : ''}. */`);
    e.open(`export const ${A} = {`);
    for (const a of set.attrs) {
      const k = kernel(a);
      e.line(`${key(camel(a.name))}: ${a.value},${k ? ` // ${k}` : ''}`);
    }
    e.close('} as const;');
    e.line();

    // type
    e.line(`/** ${T}: the attributes of \`${set.name}\`; \`undefined\` means absent. */`);
    e.open(`export interface ${T} {`);
    for (const { a, f } of fields) {
      if (a.type === 'pad' || a.type === 'unused') continue;
      const k = kernel(a);
      let ts: string;
      if (a.type === 'sub-message') ts = this.subT(a.subMessage!);
      else ts = f!.ts;
      e.line(`${k ? `/** ${k} */ ` : ''}${camel(a.name)}?: ${ts};`);
    }
    e.line(`/** Attributes no spec names (and padding), kept raw and re-encoded byte for byte. */`);
    e.line(`unknown?: ${'RawAttribute'}[];`);
    e.line(`/** Raw \`nla_type\` of each attribute in wire order, recorded by the decoder (as a non-enumerable property) when the kernel's usual order was not followed; undefined encodes in that usual order. */`);
    e.line(`order?: number[];`);
    e.close();
    e.line();

    this.emitSubMessageVariants(set);

    // wire order: the kernel's emission order (spec order unless the set says `x-wire-order`)
    const real = set.attrs.filter((a) => a.type !== 'pad' && a.type !== 'unused');
    const rankOf = (wireOrder: Array<string | number> | undefined, what: string): Array<Attr | number> => {
      const ranked: Array<Attr | number> = [];
      for (const n of wireOrder ?? []) {
        if (typeof n === 'number') {
          if (set.attrs.some((x) => x.value === n && x.type !== 'pad' && x.type !== 'unused')) throw new Error(`${set.name}: ${what}: ${n} is a named attribute; use its name`);
          if (!ranked.includes(n)) ranked.push(n);
          continue;
        }
        const a = real.find((x) => x.name === n);
        if (!a) throw new Error(`${set.name}: ${what} names ${n}, not an attribute of the set`);
        if (!ranked.includes(a)) ranked.push(a);
      }
      for (const a of real) if (!ranked.includes(a)) ranked.push(a);
      return ranked;
    };
    const ranked = rankOf(set.wireOrder, 'x-wire-order');
    const rankedAlt = set.wireOrderAlt === undefined ? undefined : rankOf(set.wireOrderAlt.order, 'x-wire-order-alt');
    if (rankedAlt && rankedAlt.some((a) => typeof a === 'number') !== ranked.some((a) => typeof a === 'number')) {
      throw new Error(`${set.name}: x-wire-order and x-wire-order-alt must place the same unknown attribute numbers`);
    }
    // The raw nla_type the encoder writes for each attribute when there is no `order`.
    const defaultRaw = (a: Attr): number => {
      const nestish = a.type === 'nest' || a.type === 'indexed-array' || a.type === 'nest-type-value';
      return (nestish ? a.value | this.defNested : a.value) | (a.nestedFlag ? 0x8000 : 0);
    };
    // Rank table, indexed by attribute number: rank << 18 | any flags << 17 | may repeat << 16 |
    // default raw type. Unknown numbers (and padding) rank last, as the encoder writes `unknown`
    // last, unless x-wire-order places them; -1 never ranks (a generic netlink sub-message, whose
    // nest flag depends on the decoded value).
    const unknownRank = (ranked.length + 1) * 0x40000 + 0x30000;
    const rankedUnknown = ranked.filter((a): a is number => typeof a === 'number');
    const rankLen = real.length === 0 ? 0 : Math.max(...real.map((a) => a.value), ...rankedUnknown) + 1;
    if (rankLen > 4096) throw new Error(`${set.name}: attribute numbers up to ${rankLen - 1}: rank table too large`);
    const rankTableOf = (order: Array<Attr | number>): number[] => {
      const rankTable: number[] = new Array<number>(rankLen).fill(unknownRank);
      order.forEach((a, i) => {
        if (typeof a === 'number') rankTable[a] = (i + 1) * 0x40000 + 0x30000;
        else if (a.type === 'sub-message' && this.defNested !== 0) rankTable[a.value] = -1;
        else rankTable[a.value] = (i + 1) * 0x40000 + (a.multi ? 0x10000 : 0) + defaultRaw(a);
      });
      return rankTable;
    };
    const rankTable = rankTableOf(ranked);
    const R = `${this.lc(T)}Rank`;
    e.line(`/**`);
    e.line(` * ${R}: per attribute number, its rank in the kernel's emission order << 18, 1 << 17 when`);
    e.line(` * any flag bits do (kept raw in \`unknown\`), 1 << 16 when it may repeat, and the raw type`);
    e.line(` * (flag bits included) the encoder writes without \`order\`.`);
    e.line(` */`);
    e.line(`const ${R}: readonly number[] = [${rankTable.join(', ')}];`);
    e.line();
    if (rankedAlt) {
      const alt = set.wireOrderAlt!;
      e.line(`/** ${R}Alt: ${R} for the x-wire-order-alt order (messages whose ${alt.headerField} is ${alt.value}). */`);
      e.line(`const ${R}Alt: readonly number[] = [${rankTableOf(rankedAlt).join(', ')}];`);
      e.line();
    }

    // decoder
    const needSE = fields.some(({ f, a }) => f !== undefined || a.type === 'sub-message');
    e.line(`/**`);
    e.line(` * decode${T} decodes the attributes of \`${set.name}\` in \`[start, end)\`. Unknown`);
    e.line(` * attributes are kept in \`unknown\`; throws DecodeError with the attribute path.`);
    e.line(` * \`order\` stays undefined while the wire follows the kernel's usual order (re-encoding`);
    e.line(` * then gives the same bytes); from the first departure it is recorded for the whole set.`);
    if (rankedAlt) e.line(` * \`alt\`: the message's header selects the x-wire-order-alt order (${set.wireOrderAlt!.headerField} ${set.wireOrderAlt!.value}).`);
    e.line(` */`);
    e.open(`export function decode${T}(view: DataView, start: number, end: number${rankedAlt ? ', alt = false' : ''}): ${T} {`);
    if (rankedAlt) e.line(`const rank = alt ? ${R}Alt : ${R};`);
    e.line(`let order: number[] | undefined;`);
    e.line(`let last = 0;`);
    e.open(`const out: ${T} = {`);
    for (const a of set.attrs) if (a.type !== 'pad' && a.type !== 'unused') e.line(`${camel(a.name)}: undefined,`);
    e.line(`unknown: undefined,`);
    e.close('};');
    for (const a of subs) e.line(`let ${camel(a.name)}At = -1;\nlet ${camel(a.name)}End = 0;`.replace('\n', '\n' + '  '.repeat(e.ind)));
    e.line(`let t = -1;`);
    e.open(`try {`);
    e.open(`for (let p = start; end - p >= 4; ) {`);
    e.line(`t = -1;`);
    e.line(`const len = ${this.r('checkAttr')}(view, p, end);`);
    e.line(`const raw = view.getUint16(p + 2, true);`);
    e.line(`t = raw & ${this.s('TYPE_MASK')};`);
    e.open(`if (order === undefined) {`);
    const RR = rankedAlt ? 'rank' : R;
    e.line(`const k = t < ${RR}.length ? ${RR}[t]! : ${unknownRank};`);
    e.line(`if (k >= last && (k !== last || (k & 0x10000) !== 0) && ((k & 0x20000) !== 0 || (k & 0xffff) === raw)) last = k;`);
    e.line(`else order = ${this.s('recordOrder')}(out, ${this.s('orderBefore')}(view, start, p));`);
    e.close();
    e.line(`if (order !== undefined) order.push(raw);`);
    const swStart = e.out.length;
    e.open(`switch (t) {`);
    for (const { a, f } of fields) {
      if (a.type === 'sub-message') {
        e.line(`case ${a.value}:`);
        e.line(`  ${camel(a.name)}At = s;`);
        e.line(`  ${camel(a.name)}End = e;`);
        e.line(`  break;`);
        continue;
      }
      if (!f) continue;
      e.line(`case ${a.value}:`);
      e.ind++;
      e.lines(f.decode('s', 'e', 'p', 'len'));
      e.line('break;');
      e.ind--;
    }
    e.line(`default:`);
    e.line(`  (out.unknown ??= []).push(${this.r('readRawAttr')}(view, p, len));`);
    e.close();
    if (needSE && e.out.slice(swStart).some((l) => /[(, ]s[,)]|[(, ]e[,)]|= [se];/.test(l))) {
      const pad = '  '.repeat(e.ind);
      e.out.splice(swStart, 0, `${pad}const s = p + 4;`, `${pad}const e = p + len;`);
    }
    e.line(`p = ${this.r('nextAttr')}(p, len);`);
    e.close();
    e.close(`} catch (err) {`);
    e.ind++;
    e.line(`throw ${this.s('inAttr')}(err, ${this.s('tableAttrName')}(tables(), ${str(set.name)}, t));`);
    e.close();
    for (const a of subs) {
      const sel = set.attrs.find((x) => x.name === a.selector);
      if (!sel) throw new Error(`${set.name}.${a.name}: selector ${a.selector} not in the set`);
      const selExpr = sel.type === 'string' ? `out.${camel(sel.name)}` : `out.${camel(sel.name)} === undefined ? undefined : String(out.${camel(sel.name)})`;
      e.open(`if (${camel(a.name)}At >= 0) {`);
      e.line(`// Decoded after the loop: the selector may come after the data on the wire.`);
      e.open(`try {`);
      e.line(`out.${camel(a.name)} = decode${this.subT(a.subMessage!)}(view, ${camel(a.name)}At, ${camel(a.name)}End, ${selExpr});`);
      e.close(`} catch (err) {`);
      e.ind++;
      e.line(`throw ${this.s('inAttr')}(err, ${str(a.name)});`);
      e.close();
      e.close();
    }
    e.line(`return out;`);
    e.close();
    e.line();

    // encoder
    // A number x-wire-order places is written as -2 - n: the unknown attributes of number n.
    const defOf = (order: Array<Attr | number>) => order.map((a) => (typeof a === 'number' ? -2 - a : defaultRaw(a)));
    e.line(`/** The kernel's order with the family's default nest flag; -1 stands for the unknown attributes${rankedUnknown.length ? ', -2 - n for those of number n' : ''}. */`);
    e.line(`const ${this.lc(T)}Order: readonly number[] = [${[...defOf(ranked), -1].join(', ')}];`);
    e.line();
    if (rankedAlt) {
      e.line(`/** ${this.lc(T)}Order for the x-wire-order-alt order. */`);
      e.line(`const ${this.lc(T)}OrderAlt: readonly number[] = [${[...defOf(rankedAlt), -1].join(', ')}];`);
      e.line();
    }
    e.line(`function put${T}(w: MessageWriter, v: ${T}, types: readonly number[], ordered: boolean): void {`);
    e.ind++;
    const multis = set.attrs.filter((a) => a.multi && a.type !== 'pad' && a.type !== 'unused');
    for (const a of multis) e.line(`let n${pascal(a.name)} = 0;`);
    e.line(`let nUnknown = 0;`);
    // One try/catch for the set, not one per attribute: types[i] says which attribute failed.
    e.line(`let i = 0;`);
    e.open(`try {`);
    e.open(`for (; i < types.length; i++) {`);
    e.line(`const raw = types[i]!;`);
    e.open(`switch (raw < 0 ? -1 : raw & ${this.s('TYPE_MASK')}) {`);
    for (const { a, f } of fields) {
      if (a.type === 'sub-message') {
        const sel = set.attrs.find((x) => x.name === a.selector)!;
        const selExpr = sel.type === 'string' ? `v.${camel(sel.name)}` : `v.${camel(sel.name)} === undefined ? undefined : String(v.${camel(sel.name)})`;
        e.line(`case ${a.value}:`);
        e.line(`  if (v.${camel(a.name)} !== undefined) encode${this.subT(a.subMessage!)}(w, raw, ordered, ${selExpr}, v.${camel(a.name)});`);
        e.line(`  break;`);
        continue;
      }
      if (!f) continue;
      e.open(`case ${a.value}: {`);
      e.lines(f.encode('raw'));
      e.line(`break;`);
      e.close();
    }
    e.open(`default: {`);
    e.line(`const u = v.unknown;`);
    e.open(`if (u !== undefined) {`);
    if (rankedUnknown.length === 0) e.line(`if (!ordered) for (const x of u) w.rawAttr(x);`);
    else {
      e.open(`if (!ordered) {`);
      e.line(`// -1: the unknown attributes x-wire-order does not place; -2 - n: those of number n.`);
      e.line(`const n = raw === -1 ? -1 : -2 - raw;`);
      e.open(`for (const x of u) {`);
      e.line(`const xt = x.type & ${this.s('TYPE_MASK')};`);
      e.line(`if (n === -1 ? !(${rankedUnknown.map((x) => `xt === ${x}`).join(' || ')}) : xt === n) w.rawAttr(x);`);
      e.close();
      e.close(`} else if (nUnknown < u.length) w.rawAttr(u[nUnknown++]!);`);
    }
    if (rankedUnknown.length === 0) e.line(`else if (nUnknown < u.length) w.rawAttr(u[nUnknown++]!);`);
    e.close();
    e.close();
    e.close();
    e.close();
    e.close(`} catch (err) {`);
    e.ind++;
    e.line(`const raw = types[i]!;`);
    // Attributes no spec names are written from the `unknown` field: name them by it.
    e.line(`throw ${this.s('inAttr')}(err, raw < 0 ? 'unknown' : (${this.s('tableAttrName')}(tables(), ${str(set.name)}, raw & ${this.s('TYPE_MASK')}) ?? 'unknown'));`);
    e.close();
    e.close();
    e.line();
    e.line(`/**`);
    e.line(` * encode${T} appends the attributes of \`${set.name}\` that are not undefined, in`);
    e.line(` * the recorded \`order\` when there is one (then any set since), else in the kernel's order.`);
    e.line(` * Throws EncodeError for values that cannot be encoded.`);
    if (rankedAlt) e.line(` * \`alt\`: write the x-wire-order-alt order (the message's ${set.wireOrderAlt!.headerField} is ${set.wireOrderAlt!.value}).`);
    e.line(` */`);
    e.open(`export function encode${T}(w: MessageWriter, v: ${T}${rankedAlt ? ', alt = false' : ''}): void {`);
    e.line(`${this.s('expectObject')}(v, 'attribute set ${set.name}');`);
    const O = rankedAlt ? 'usual' : `${this.lc(T)}Order`;
    if (rankedAlt) e.line(`const usual = alt ? ${this.lc(T)}OrderAlt : ${this.lc(T)}Order;`);
    e.line(`const order = v.order;`);
    e.open(`if (order === undefined) {`);
    e.line(`put${T}(w, v, ${O}, false);`);
    e.line(`return;`);
    e.close();
    e.line(`put${T}(w, v, order, true);`);
    e.line(`const rest = ${this.s('notInOrder')}(${O}, order);`);
    e.line(`if (rest.length !== 0) put${T}(w, v, rest, false);`);
    e.close();
    e.line();
  }

  private emitComposite(c: Composite): void {
    const e = this.e;
    const H = this.structT(c.header);
    const size = this.fam.structs.get(c.header)!.size;
    const aligned = (size + 3) & ~3;
    const S = this.setT(c.set);
    e.line(`/** ${c.name}: \`struct ${c.header}\` followed by the attributes of \`${c.set}\`. */`);
    e.open(`export interface ${c.name} {`);
    e.line(`header: ${H};`);
    e.line(`attrs: ${S};`);
    e.close();
    e.line();
    e.line(`/**`);
    e.line(` * decode${c.name} decodes \`[start, end)\`: the ${size}-byte header, then attributes from`);
    e.line(` * byte ${aligned}. For a message, \`start\` is just past the nlmsghdr. Throws DecodeError.`);
    e.line(` */`);
    // x-wire-order-alt: the header field that selects the set's second emission order.
    const alt = this.fam.sets.get(c.set)?.wireOrderAlt;
    const altField = alt === undefined ? undefined : camel(alt.headerField);
    if (alt && !this.fam.structs.get(c.header)!.members.some((m) => m.name === alt.headerField)) {
      throw new Error(`${c.set}: x-wire-order-alt header-field ${alt.headerField} is not a member of struct ${c.header}`);
    }
    e.open(`export function decode${c.name}(view: DataView, start: number, end: number): ${c.name} {`);
    e.line(`const header = read${H}(view, start, Math.min(end, start + ${size}));`);
    e.line(`return { header, attrs: decode${S}(view, start + ${aligned}, end${alt ? `, header.${altField} === ${alt.value}` : ''}) };`);
    e.close();
    e.line();
    e.line(`/** ${c.name}Input is what encode${c.name} takes: a ${c.name} whose header fields may be left out (written as 0). */`);
    e.line(`export type ${c.name}Input = { header: Partial<${H}>; attrs: ${S} };`);
    e.line();
    e.line(`/** encode${c.name} appends the header (absent fields 0) and the attributes; for a message, call it right after \`w.begin\`. */`);
    e.open(`export function encode${c.name}(w: MessageWriter, m: ${c.name}Input): void {`);
    e.line(`const at = w.reserve(${size});`);
    e.open(`try {`);
    e.line(`write${H}(w.view, at, m.header);`);
    e.close(`} catch (err) {`);
    e.ind++;
    e.line(`throw ${this.s('inAttr')}(err, ${str(c.header)});`);
    e.close();
    e.line(`encode${S}(w, m.attrs${alt ? `, m.header.${altField} === ${alt.value}` : ''});`);
    e.close();
    e.line();
  }

  private opHeader(op: Family['ops'][number]): string | undefined {
    return op.fixedHeader ?? this.fam.opsFixedHeader;
  }

  /** The encode/decode function names and body type for an op's messages. */
  private opCodec(op: Family['ops'][number]): { enc: string; dec: string } | undefined {
    const set = op.attributeSet;
    const hdr = this.opHeader(op);
    if (set === undefined) return undefined;
    if (hdr !== undefined) {
      const c = this.composite(hdr, set);
      const r = op.replyFixedHeader === undefined ? c : this.composite(op.replyFixedHeader, set);
      return { enc: `encode${c.name}`, dec: `decode${r.name}` };
    }
    const T = this.setT(set);
    return { enc: `encode${T}`, dec: `decode${T}` };
  }

  private emitOps(): void {
    const e = this.e;
    const fam = this.fam;
    const fname = camel(fam.name);
    const reqs = fam.ops.filter((o) => o.requestValue !== undefined);
    const reps = fam.ops.filter((o) => o.replyValue !== undefined);
    const reqName = this.genl ? 'Cmd' : 'RequestType';
    const repName = this.genl ? 'ReplyCmd' : 'ReplyType';
    const prefix = fam.opsNamePrefix ?? (this.genl ? `${fam.name}-cmd-` : 'rtm-');
    const kname = (v: number, fallback: string): string => {
      const r = reqs.find((o) => o.requestValue === v);
      return cname(prefix + (r ? r.name : fallback));
    };
    if (this.genl) {
      e.line(`/** ${reqName}: genlmsghdr.cmd of each operation's request. */`);
    } else {
      e.line(`/** ${reqName}: nlmsg_type of each operation's request. */`);
    }
    e.open(`export const ${reqName} = {`);
    for (const o of reqs) e.line(`${key(o.name)}: ${o.requestValue}, // ${cname(prefix + o.name)}`);
    e.close('} as const;');
    e.line();
    e.line(`/** ${repName}: the ${this.genl ? 'cmd' : 'nlmsg_type'} of each operation's replies and notifications. */`);
    e.open(`export const ${repName} = {`);
    for (const o of reps) e.line(`${key(o.name)}: ${o.replyValue}, // ${kname(o.replyValue!, o.name)}`);
    e.close('} as const;');
    e.line();
    e.line(`/** McastGroup: multicast groups${this.genl ? ' (ids are assigned at run time; resolve them with nlctrl)' : ' (RTNLGRP_* numbers to join)'}. */`);
    if (this.genl) {
      e.line(`export const McastGroup = [${fam.mcgrps.map((g) => str(g.name)).join(', ')}] as const;`);
    } else {
      e.open(`export const McastGroup = {`);
      for (const g of fam.mcgrps) e.line(`${key(g.name)}: ${g.value}, // ${cname(g.name)}`);
      e.close('} as const;');
    }
    e.line();

    // descriptor
    const fixed = this.genl ? this.fam.opsFixedHeader : undefined;
    const headerSize = fixed ? this.fam.structs.get(fixed)!.size : 0;
    e.line(`/**`);
    e.line(` * ${fname}Family describes the ${fam.name} family for the ${this.genl ? 'generic netlink' : 'rtnetlink'} runtime: per operation,`);
    e.line(` * ${this.genl ? 'the cmd' : 'the message type'} and the encoder/decoder of each way to call it (\`do\`, \`dump\`) and of its notifications.`);
    e.line(` * Encoders write everything after the ${this.genl ? 'genlmsghdr' : 'nlmsghdr'}; decoders read from just past it.`);
    e.line(` */`);
    e.open(`export const ${fname}Family = {`);
    e.line(`name: ${str(fam.name)},`);
    if (this.genl) {
      e.line(`version: ${fam.version},`);
      e.line(`headerSize: ${headerSize},`);
    } else {
      e.line(`protocol: ${fam.protonum},`);
    }
    e.open(`ops: {`);
    for (const o of fam.ops) {
      const codec = this.opCodec(o);
      const notifyOf = o.notify !== undefined ? fam.ops.find((x) => x.name === o.notify) : undefined;
      e.open(`${key(o.name)}: {`);
      for (const m of ['do', 'dump'] as const) {
        const mode = o[m];
        if (!mode) continue;
        e.open(`${m}: {`);
        e.line(`${this.genl ? 'cmd' : 'type'}: ${o.requestValue},`);
        e.line(`${this.genl ? 'replyCmd' : 'replyType'}: ${mode.hasReply ? o.replyValue : 'undefined'},`);
        e.line(`encode: ${codec ? codec.enc : 'undefined'},`);
        e.line(`decode: ${mode.hasReply && codec ? codec.dec : 'undefined'},`);
        e.close('},');
      }
      if (o.notify !== undefined || o.event) {
        const nc = notifyOf ? this.opCodec(notifyOf) : codec;
        e.open(`notify: {`);
        e.line(`${this.genl ? 'cmd' : 'type'}: ${o.replyValue},`);
        e.line(`decode: ${nc ? nc.dec : 'undefined'},`);
        e.line(`mcgrp: ${o.mcgrp ? str(o.mcgrp) : 'undefined'},`);
        e.close('},');
      }
      e.close('},');
    }
    e.close('},');
    e.line(`mcgrps: McastGroup,`);
    if (!this.genl) {
      // Every message type the family sends or receives, by its operation: notifications
      // (RTM_NEWROUTE, RTM_DELROUTE) are decoded with the codec of the operation of that type.
      e.open(`messages: {`);
      const seen = new Set<number>();
      for (const o of fam.ops) {
        const codec = this.opCodec(o);
        if (o.requestValue === undefined || seen.has(o.requestValue)) continue;
        seen.add(o.requestValue);
        e.line(`${o.requestValue}: [${str(o.name)}, ${codec ? codec.dec : 'undefined'}],`);
      }
      e.close('},');
    }
    e.line(`attributePathAt,`);
    if (this.genl) {
      this.imports.supportTypes.add('GenlFamilyDescriptor');
      e.close('} satisfies GenlFamilyDescriptor;');
    } else {
      this.imports.supportTypes.add('RtnlFamilyDescriptor');
      e.close('} as const satisfies RtnlFamilyDescriptor;');
    }
    e.line();
  }

  private emitTables(): void {
    const e = this.e;
    const fam = this.fam;
    const sets: Record<string, Record<number, Array<string | number>>> = {};
    for (const set of fam.sets.values()) {
      const rows: Record<number, Array<string | number>> = (sets[set.name] = {});
      for (const a of set.attrs) {
        if (a.type === 'pad' || a.type === 'unused') continue;
        let row: Array<string | number>;
        if (a.type === 'nest' && a.fixedHeader) row = [a.name, 'h', a.nested!, fam.structs.get(a.fixedHeader)!.size];
        else if (a.type === 'nest') row = [a.name, 'n', a.nested!];
        else if (a.type === 'sub-message') row = [a.name, 's', a.subMessage!, a.selector!];
        else if (a.type === 'indexed-array') row = [a.name, 'i', a.subType === 'nest' ? a.nested! : ''];
        else if (a.type === 'binary' && a.struct !== undefined && a.array && a.nested !== undefined) row = [a.name, 'r', a.nested, fam.structs.get(a.struct)!.size, a.struct];
        else if (a.type === 'binary' && a.struct !== undefined && !a.array) row = [a.name, 'x', a.struct];
        else if (a.type === 'nest-type-value') row = [a.name, 't', a.nested!, a.typeValue?.length ?? 1];
        else row = [a.name];
        rows[Number(a.value)] = row;
      }
    }
    const subs: Record<string, Record<string, [number, string]>> = {};
    for (const sm of fam.subMessages.values()) {
      const formats: Record<string, [number, string]> = (subs[sm.name] = {});
      for (const f of sm.formats) formats[String(f.value)] = [f.fixedHeader ? fam.structs.get(f.fixedHeader)!.size : 0, f.attributeSet ?? ''];
    }
    const messages: Record<number, [number, string]> = {};
    for (const o of fam.ops) {
      if (o.requestValue === undefined || o.attributeSet === undefined || o.requestValue in messages) continue;
      const hdr = this.opHeader(o);
      messages[o.requestValue] = [hdr ? fam.structs.get(hdr)!.size : 0, o.attributeSet];
    }
    // One line per attribute set (and per sub-message): a diff of a spec change stays readable.
    const lines = [`{"genl":${this.genl},`, `"sets":{`];
    const entries = Object.entries(sets);
    entries.forEach(([name, rows], i) => lines.push(`${JSON.stringify(name)}:${JSON.stringify(rows)}${i < entries.length - 1 ? ',' : ''}`));
    lines.push(`},"subs":{`);
    const subEntries = Object.entries(subs);
    subEntries.forEach(([name, formats], i) => lines.push(`${JSON.stringify(name)}:${JSON.stringify(formats)}${i < subEntries.length - 1 ? ',' : ''}`));
    lines.push(`},"messages":${JSON.stringify(messages)}}`);
    const json = lines.join('\n');
    if (/[`\\]|\$\{/.test(json)) throw new Error(`${fam.name}: a name in the attribute tables would break their template literal`);
    e.line(`/**`);
    e.line(` * Attribute tables (names, and how to step inside nests) for attributePathAt and the`);
    e.line(` * decoders' errors, as JSON parsed on first use: only an error reads them (see lazyTables).`);
    e.line(` */`);
    e.line(`const tables = ${this.s('lazyTables')}(\`${json}\`);`);
    e.line();
    e.line(`/**`);
    e.line(` * attributePathAt returns the path of the attribute starting at \`offset\` bytes from`);
    e.line(` * the start of the request's nlmsghdr (an extended ACK's NLMSGERR_ATTR_OFFS), e.g.`);
    e.line(` * \`linkinfo.data(vxlan).port\`, or undefined when the request or offset does not fit.`);
    e.line(this.genl ? ` * \`messageType\` is ignored: the cmd is read from the genlmsghdr.` : ` * \`messageType\` is the request's nlmsg_type.`);
    e.line(` */`);
    e.open(`export function attributePathAt(request: Uint8Array, messageType: number, offset: number): string | undefined {`);
    e.line(`return ${this.s('walkAttributePath')}(tables(), request, messageType, offset);`);
    e.close();
  }

  generate(): string {
    const fam = this.fam;
    // body first (collects imports and composites), header last
    const body = this.e;
    // Everything but the enums is emitted first, into its own buffer, so that only the
    // enum tables some codec uses are emitted (noUnusedLocals).
    const rest = new Emitter();
    this.e = rest;
    rest.line('// ---------------------------------------------------------------------------');
    rest.line('// structs');
    rest.line();
    this.emitStructs();
    rest.line('// ---------------------------------------------------------------------------');
    rest.line('// sub-messages');
    rest.line();
    for (const sm of fam.subMessages.values()) this.emitSubMessage(sm);
    rest.line('// ---------------------------------------------------------------------------');
    rest.line('// attribute sets');
    rest.line();
    for (const set of fam.sets.values()) this.emitSet(set);
    const opsEmitter = new Emitter();
    this.e = opsEmitter;
    this.emitOps();
    this.emitTables();
    this.e = rest;
    if (this.composites.size) {
      rest.line('// ---------------------------------------------------------------------------');
      rest.line('// messages: fixed header + attributes');
      rest.line();
      for (const c of this.composites.values()) this.emitComposite(c);
    }
    if (this.records.size) {
      rest.line('// ---------------------------------------------------------------------------');
      rest.line('// x-array records: struct + attributes, length-prefixed');
      rest.line();
      for (const rec of this.records.values()) this.emitRecord(rec);
    }
    this.e = body;
    body.line('// ---------------------------------------------------------------------------');
    body.line('// constants and enums');
    body.line();
    for (const c of fam.consts) body.line(`export const ${cname(c.name)} = ${typeof c.value === 'string' ? str(c.value) : c.value};`);
    if (fam.consts.length) body.line();
    this.emitEnums();
    body.out.push(...rest.out);
    body.line('// ---------------------------------------------------------------------------');
    body.line('// operations');
    body.line();
    body.out.push(...opsEmitter.out);
    const helperLines = this.helpers.flat();

    const head: string[] = [];
    head.push(`/**`);
    head.push(` * GENERATED by ${this.generator} from ${fam.sources.join(', ')}. DO NOT EDIT.`);
    head.push(` * Regenerate with \`npm run gen\`; \`npm run gen:check\` verifies this file is current.`);
    head.push(` *`);
    head.push(` * Family \`${fam.name}\` (${fam.protocol}${this.genl ? '' : `, protocol ${fam.protonum}`}).`);
    head.push(` *`);
    head.push(` * Per attribute set \`x-attrs\`: \`XAttrs\` (type), \`XAttr\` (numbers), \`decodeXAttrs(view, start, end)\``);
    head.push(` * and \`encodeXAttrs(w, value)\`. Per struct: \`readS\`/\`writeS\`/\`SSize\`. Per fixed header +`);
    head.push(` * attribute set: \`XMessage\` = \`{ header, attrs }\` with \`decodeXMessage\`/\`encodeXMessage\`.`);
    head.push(` * Enums decode to their spec names (unknown values stay numbers); flags to arrays of`);
    head.push(` * names plus one number of unknown bits. u64 is bigint. See src/codec/support.ts`);
    head.push(` * for \`unknown\` and \`order\`, which make decode → encode byte-identical.`);
    head.push(` */`);
    head.push(`import type { MessageWriter } from '../netlink/writer.js';`);
    const readerNames = [...this.imports.reader].sort();
    head.push(`import type { RawAttribute } from '../netlink/reader.js';`);
    if (readerNames.length) head.push(`import { ${readerNames.join(', ')} } from '../netlink/reader.js';`);
    if (this.imports.format.size) head.push(`import { ${[...this.imports.format].sort().join(', ')} } from '../netlink/format.js';`);
    if (this.imports.errors.size) head.push(`import { ${[...this.imports.errors].sort().join(', ')} } from '../netlink/errors.js';`);
    if (this.imports.supportTypes.size) head.push(`import type { ${[...this.imports.supportTypes].sort().join(', ')} } from '../codec/support.js';`);
    if (this.imports.support.size) head.push(`import { ${[...this.imports.support].sort().join(', ')} } from '../codec/support.js';`);
    head.push('');
    const all = [...head, ...body.out];
    if (helperLines.length) {
      all.push('// ---------------------------------------------------------------------------');
      all.push('// element helpers for indexed arrays and type-value nests');
      all.push('');
      all.push(...helperLines);
    }
    while (all[all.length - 1] === '') all.pop();
    return all.join('\n') + '\n';
  }
}
