/**
 * `--help` text of the `nlkit` command at each level, written from the
 * generated catalog (the specs' own docs): the command, one family, one
 * operation.
 */
import type { CatalogFamily, CatalogField } from '../generated/catalog.js';
import { OBJECT_COMMANDS } from './objects.js';

const COMMON = `Options:
  --netns NS        talk to network namespace NS (a name under /run/netns, a path or a pid)
  --json JSON       the request (do), filter (dump, list); "123n" is a bigint, "hex:0a0b" bytes
  --array           print one JSON array instead of one JSON object per line
  --output FORMAT   json or table (default: table on a terminal, json otherwise)
  --flags LIST      do only: nlmsg flags, comma-separated: create, excl, replace, append
                    (default for new… operations of rtnetlink families: create,excl)
  -h, --help        this help`;

/** topHelp: what `nlkit --help` prints. */
export function topHelp(families: readonly CatalogFamily[]): string {
  const w = Math.max(...families.map((f) => f.name.length));
  return `Usage: nlkit <command> [options]

Talks netlink to the kernel, driven by the kernel's YAML netlink specs.

Commands:
  families                          list the families, their operations and multicast groups
  <family> do <op> --json '{…}'     run an operation once and print the reply
  <family> dump <op> [--json '{…}'] dump and print every object
  <family> monitor [group…]         print notifications as JSON lines until interrupted
  <family> [<op>] --help            what a family or an operation takes
${OBJECT_COMMANDS.map((c) => `  ${`${c.name} [list] [--json filter]`.padEnd(34)}${c.doc}`).join('\n')}

Families:
${families.map((f) => `  ${f.name.padEnd(w)}  ${f.protocol === 'rtnetlink' ? 'rtnetlink' : 'generic  '}  ${f.doc ?? ''}`.trimEnd()).join('\n')}

${COMMON}

Examples:
  nlkit rt-link dump getlink --netns ns1
  nlkit ethtool do linkinfo-get --json '{"header":{"devName":"veth0"}}'
  nlkit rt-route monitor
  nlkit links --output table`;
}

/** familyHelp: what `nlkit <family> --help` prints. */
export function familyHelp(f: CatalogFamily): string {
  const ops = Object.entries(f.ops);
  const w = Math.max(4, ...ops.map(([n]) => n.length));
  return `Usage: nlkit ${f.name} do|dump <op> [--json '{…}'] [options]
       nlkit ${f.name} monitor [group…]
       nlkit ${f.name} <op> --help

${f.name} (${f.protocol === 'rtnetlink' ? 'rtnetlink' : 'generic netlink'})${f.doc ? `: ${f.doc}` : ''}

Operations:
${ops.map(([n, o]) => `  ${n.padEnd(w)}  ${[o.do ? 'do' : '', o.dump ? 'dump' : ''].filter(Boolean).join(',').padEnd(7)}  ${o.doc ?? ''}`.trimEnd()).join('\n')}

Multicast groups (monitor): ${f.groups.join(', ') || 'none'}

${COMMON}`;
}

function fieldLines(fields: readonly CatalogField[], indent: string): string {
  const w = Math.max(...fields.map(([n]) => n.length), 4);
  const tw = Math.max(...fields.map(([, t]) => t.length), 4);
  return fields.map(([n, t, d]) => `${indent}${n.padEnd(w)}  ${t.padEnd(tw)}  ${d ?? ''}`.trimEnd()).join('\n');
}

/** opHelp: what `nlkit <family> <op> --help` prints. */
export function opHelp(f: CatalogFamily, name: string): string {
  const op = f.ops[name]!;
  const how = [op.do ? 'do' : '', op.dump ? 'dump' : ''].filter(Boolean).join('|');
  const header = op.header !== undefined ? (f.structs[op.header] ?? []) : [];
  const attrs = op.attrs !== undefined ? (f.sets[op.attrs] ?? []) : [];
  const shape = op.header !== undefined ? `{"header":{…},"attrs":{…}}` : `{…}`;
  const parts: string[] = [`Usage: nlkit ${f.name} ${how} ${name} [--json '${shape}'] [options]`, '', `${f.name} ${name}${op.doc ? `: ${op.doc}` : ''}`];
  if (header.length) parts.push('', `"header" (struct ${op.header}):`, fieldLines(header, '  '));
  if (attrs.length) parts.push('', `${op.header !== undefined ? '"attrs"' : 'Request'} (attribute set ${op.attrs}):`, fieldLines(attrs, '  '));
  parts.push('', COMMON);
  return parts.join('\n');
}
