// Layers without circles (issue 11 §4): every import under src/ is read from
// the source text; no file may take part in an import cycle, no folder may
// import a folder above it in LAYERS, and only the bottom layers may reach
// libc. The checks run first on small made-up graphs, so a check that could
// not fail would show here.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(new URL(import.meta.url).pathname), '../src');

/**
 * The folders of src/, bottom first. A folder may import its own files and
 * the folders of earlier rows; folders in one row may not import each other.
 * '.' is src/index.ts, the package's entry.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['sys'], //        libc (the only koffi importer), errno, the error classes, argument checks
  ['netns'], //      namespace handles: setns, /run/netns, workers
  ['netlink'], //    the core: socket, poller, connection, framing, writer/reader
  ['codec'], //      what generated codecs share: support, JSON
  ['generated'], //  codecs from the kernel's specs
  ['family'], //     the spec-driven runtime for every family
  ['genl'], //       generic netlink by name
  ['registry'], //   object kinds (tc's qdiscs, classes and filters with their kind options: registry/tc), vocabulary, the services' backbone
  ['events'], //     subscriptions and live views
  ['rtnl'], //       the services and the Rtnl facade
  ['conntrack', 'xfrm'], // other protocols' facades
  ['cli'], //        the nlkit command
  ['.'], //          the package entry
];

/** Who may import src/sys/libc.ts: nothing that states intent (services, facades) touches libc. */
const LIBC = 'sys/libc.ts';
const LIBC_FOLDERS = new Set(['sys', 'netns', 'netlink']);

/** Every .ts file under `dir`, as paths relative to src/. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(relative(SRC, path));
  }
  return out;
}

/**
 * importsOf returns the relative modules a source text imports: static
 * `import … from`, `export … from`, side-effect `import '…'` and dynamic
 * `import('…')` with a literal, type-only ones included (a layer is a design
 * rule, not only a load order). Comments are skipped.
 */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]!.startsWith('.')) out.push(m[1]!);
  return out;
}

/** The graph of src/: file → the files it imports (paths relative to src/). */
function sourceGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets = importsOf(text).map((spec) => relative(SRC, resolve(SRC, dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** cycles returns the strongly connected components of more than one node (or a node importing itself): every import cycle. Tarjan's algorithm. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The folder of a path relative to src/ ('.' for src/index.ts). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '.' : file.slice(0, slash);
}

/** upwardImports returns every import of a folder that is not below it in `layers` (or is its sibling in a row), as 'from → to'. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>, layers: readonly (readonly string[])[]): string[] {
  const rank = new Map<string, number>();
  layers.forEach((row, i) => row.forEach((folder) => rank.set(folder, i)));
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = folderOf(from);
    for (const to of targets) {
      const b = folderOf(to);
      if (a === b) continue;
      const ra = rank.get(a);
      const rb = rank.get(b);
      if (ra === undefined || rb === undefined || rb >= ra) out.push(`${from} → ${to}`);
    }
  }
  return out;
}

describe('the layering checks themselves', () => {
  it('read every kind of import line, and skip comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export * from './c.js';",
      "export { d, type E } from './d.js';",
      "import './side.js';",
      "const m = await import('../lazy.js');",
      "import {\n  f,\n  g,\n} from './multi.js';",
      "// import { x } from './commented.js';",
      "/* import { y } from './block.js'; */",
      "import { z } from 'node:fs';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../b/b.js', '../lazy.js', './a.js', './c.js', './d.js', './multi.js', './side.js']);
  });

  it('find a cycle of three, a self-import, and none in a tree', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(cycles(new Map([['x', ['y']], ['y', []]]))).toEqual([]);
  });

  it('find an upward folder import and a sibling one, and accept downward ones', () => {
    const layers = [['low'], ['mid1', 'mid2'], ['top']];
    const g = new Map([
      ['low/a.ts', ['top/t.ts']],
      ['mid1/m.ts', ['low/a.ts', 'mid2/n.ts', 'mid1/o.ts']],
      ['top/t.ts', ['mid1/m.ts', 'low/a.ts']],
      ['other/x.ts', ['low/a.ts']],
    ]);
    expect(upwardImports(g, layers).sort()).toEqual(['low/a.ts → top/t.ts', 'mid1/m.ts → mid2/n.ts', 'other/x.ts → low/a.ts']);
  });
});

describe('src/ is layered', () => {
  const graph = sourceGraph();

  it('every import names a file that exists', () => {
    const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${from} → ${t}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle between files (and so none between folders that follow)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('every folder is placed in a layer and imports only folders below it', () => {
    const placed = new Set(LAYERS.flat());
    expect([...new Set([...graph.keys()].map(folderOf))].filter((f) => !placed.has(f))).toEqual([]);
    expect(upwardImports(graph, LAYERS)).toEqual([]);
  });

  it('only the bottom layers reach libc', () => {
    const users = [...graph].filter(([, targets]) => targets.includes(LIBC)).map(([from]) => from);
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((f) => !LIBC_FOLDERS.has(folderOf(f)))).toEqual([]);
  });
});
