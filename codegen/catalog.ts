/**
 * Emits src/generated/catalog.ts: every generated family by name, with a
 * loader for its descriptor (a dynamic import, so a program pays only for the
 * families it opens), the docs of the family, its operations and groups, and
 * the fields a request takes (fixed header and top-level attributes, with
 * their types and docs), each set listed once per family. The `nlkit` command lists and documents families
 * from it (`nlkit families`, `--help`).
 */
import type { Attr, Family } from './model.js';
import { camel } from './emit.js';

/** One family to list: its model and the module it was written to. */
export interface CatalogFamily {
  model: Family;
  module: string;
}

const str = (s: string): string => JSON.stringify(s);

/** A short type name for help: `u32`, `string`, `nest link-attrs`, `u8 enum rt-scope`. */
function typeOf(a: Attr): string {
  let t = a.type;
  if (a.type === 'binary' && a.struct && a.array && a.nested) t = `records struct ${a.struct} + ${a.nested}`;
  else if (a.type === 'binary' && a.struct) t = `struct ${a.struct}${a.array ? '[]' : ''}`;
  else if (a.type === 'binary' && a.displayHint) t = a.displayHint;
  else if (a.type === 'nest' && a.nested) t = `nest ${a.nested}`;
  else if (a.type === 'sub-message') t = `sub-message ${a.subMessage} by ${a.selector}`;
  else if ((a.type === 'indexed-array' || a.type === 'nest-type-value') && (a.nested || a.subType)) t = `${a.type} of ${a.nested ?? a.subType}`;
  if (a.enum) t += ` ${a.enumAsFlags ? 'flags' : 'enum'} ${a.enum}`;
  if (a.multi) t += ' (repeated)';
  return t;
}

/** oneLine squeezes a doc onto one line of at most 160 characters, for help tables. */
function oneLine(doc: string | undefined): string | undefined {
  if (!doc) return undefined;
  const flat = doc.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/** emitCatalog returns the text of catalog.ts (without the GENERATED header). */
export function emitCatalog(families: readonly CatalogFamily[]): string {
  const o: string[] = [];
  o.push(`import type { FamilyDescriptor } from '../codec/support.js';`);
  o.push('');
  o.push(`/** CatalogField: one field a request takes: [name as in the generated type, type, doc]. */`);
  o.push(`export type CatalogField = readonly [name: string, type: string, doc: string | undefined];`);
  o.push('');
  o.push(`/** CatalogOp: an operation's doc, how it can be called, and what its request holds. */`);
  o.push(`export interface CatalogOp {`);
  o.push(`  readonly doc: string | undefined;`);
  o.push(`  readonly do: boolean;`);
  o.push(`  readonly dump: boolean;`);
  o.push(`  /** The fixed header's struct (rtnetlink: \`header\`), a key of the family's \`structs\`. */`);
  o.push(`  readonly header: string | undefined;`);
  o.push(`  /** The attribute set (rtnetlink: \`attrs\`; generic netlink: the request itself), a key of \`sets\`. */`);
  o.push(`  readonly attrs: string | undefined;`);
  o.push(`}`);
  o.push('');
  o.push(`/** CatalogFamily: one generated family, by the name its spec gives it. */`);
  o.push(`export interface CatalogFamily {`);
  o.push(`  readonly name: string;`);
  o.push(`  readonly protocol: 'rtnetlink' | 'generic';`);
  o.push(`  readonly doc: string | undefined;`);
  o.push(`  /** Loads the family's module and returns its descriptor. */`);
  o.push(`  readonly load: () => Promise<FamilyDescriptor>;`);
  o.push(`  readonly ops: Readonly<Record<string, CatalogOp>>;`);
  o.push(`  /** Fields of each fixed header the operations use. */`);
  o.push(`  readonly structs: Readonly<Record<string, readonly CatalogField[]>>;`);
  o.push(`  /** Top-level attributes of each attribute set the operations use. */`);
  o.push(`  readonly sets: Readonly<Record<string, readonly CatalogField[]>>;`);
  o.push(`  readonly groups: readonly string[];`);
  o.push(`}`);
  o.push('');
  o.push(`/** catalog lists every generated family, sorted by name. */`);
  o.push(`export const catalog: readonly CatalogFamily[] = [`);
  for (const { model: fam, module } of families) {
    const genl = fam.protocol !== 'netlink-raw';
    o.push(`  {`);
    o.push(`    name: ${str(fam.name)},`);
    o.push(`    protocol: ${str(genl ? 'generic' : 'rtnetlink')},`);
    o.push(`    doc: ${fam.doc ? str(oneLine(fam.doc)!) : 'undefined'},`);
    o.push(`    load: () => import('./${module}.js').then((m) => m.${camel(fam.name)}Family),`);
    const fields = (list: [string, string, string | undefined][]) => list.map(([n, t, d]) => `[${str(n)}, ${str(t)}, ${d ? str(d) : 'undefined'}]`).join(', ');
    const structs = new Set<string>();
    const sets = new Set<string>();
    o.push(`    ops: {`);
    for (const op of fam.ops) {
      if (!op.do && !op.dump) continue;
      const hdr = op.fixedHeader ?? fam.opsFixedHeader;
      if (hdr !== undefined) structs.add(hdr);
      if (op.attributeSet !== undefined) sets.add(op.attributeSet);
      o.push(`      ${str(op.name)}: { doc: ${op.doc ? str(oneLine(op.doc)!) : 'undefined'}, do: ${op.do !== undefined}, dump: ${op.dump !== undefined}, header: ${hdr !== undefined ? str(hdr) : 'undefined'}, attrs: ${op.attributeSet !== undefined ? str(op.attributeSet) : 'undefined'} },`);
    }
    o.push(`    },`);
    o.push(`    structs: {`);
    for (const name of structs) {
      const st = fam.structs.get(name);
      const list = (st?.members ?? []).filter((m) => m.type !== 'pad').map((m): [string, string, string | undefined] => [camel(m.name), m.enum ? `${m.type} ${m.enumAsFlags ? 'flags' : 'enum'} ${m.enum}` : m.type, undefined]);
      o.push(`      ${str(name)}: [${fields(list)}],`);
    }
    o.push(`    },`);
    o.push(`    sets: {`);
    for (const name of sets) {
      const set = fam.sets.get(name);
      const list = (set?.attrs ?? []).filter((a) => a.type !== 'pad' && a.type !== 'unused').map((a): [string, string, string | undefined] => [camel(a.name), typeOf(a), oneLine(a.doc)]);
      o.push(`      ${str(name)}: [${fields(list)}],`);
    }
    o.push(`    },`);
    o.push(`    groups: [${fam.mcgrps.map((g) => str(g.name)).join(', ')}],`);
    o.push(`  },`);
  }
  o.push(`];`);
  return o.join('\n') + '\n';
}
