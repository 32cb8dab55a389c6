import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import * as esbuild from 'esbuild';
import type { Plugin } from 'esbuild';

const SRC = resolve('src');
const ROOT = resolve(SRC, 'index.ts');
const GENERATED = resolve(SRC, 'generated');

// ES modules, built in layers (see LAYERS below):
//
// - The core: the root (`nlkit`) and every module it imports, bundled into one file,
//   dist/chunks/core.js. dist/index.js re-exports the root's public names from it.
// - The rtnetlink services, which `Rtnl.open` loads: one file, dist/chunks/rtnl-services.js,
//   with their own copies of the rtnetlink codecs (ownCodecCopies) they use.
// - The services that load on first use, one file each with their kind and codec:
//   dist/chunks/rtnl-routes.js, rtnl-neighbors.js, rtnl-rules.js, rtnl-bridge-vlans.js,
//   and the nexthop kind's codec, rtnl-nexthops.js.
// - Everything else: `nlkit/rtnl`, the `nlkit` command, one entry per generated family
//   (`nlkit/rt-link`, `nlkit/tc`, …) and what the layers load with import() (tc, the xfrm
//   services), with code splitting.
//
// Every build imports a module of a layer from that layer's file, by relative path (`./core.js`
// from dist/chunks/, `./chunks/core.js` from dist/), so there is one copy of every class and
// every piece of module state. Relative, not through package.json "imports" (`#core`): Node
// resolves such a specifier by reading and matching package.json, ~2 ms of the first
// `Rtnl.open` in a fresh process (bench/README). Why layers: with code
// splitting alone, importing the root loaded 9 module files and `Rtnl.open` 4 more, because
// each module shared by a different set of entries got a chunk of its own; Node 20's ES
// module loader costs ~1 ms and ~25 fresh pages of memory per file in a fresh process.
// Importing the root now takes ~16 instead of ~25 ms (bench/README). The root still loads no
// codec, every family only when its subpath is imported or first used. The CommonJS entry
// points are thin re-exports of these modules written by scripts/package-cjs.mjs after this
// build, so both module systems share one copy of every class (no dual-package hazard).
const families = readdirSync(GENERATED)
  // catalog.ts (the families' docs, for the nlkit command) is not a family.
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'catalog.ts')
  .map((f) => f.slice(0, -3));

/** sourcePath resolves a relative import of a TypeScript module (written `./x.js`) to its .ts file. */
const sourcePath = (args: { resolveDir: string; path: string }) => resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));

const OWN_COPY = 'nlkit-own-codec';
// The rtnetlink codecs and their index: tc's own copy measured no smaller than the whole module
// (its services use nearly all of it), so tc stays one module shared with its subpath.
const OWN_COPIES = /^(rt-[a-z-]+|index)\.ts$/;

/**
 * ownCodecCopies gives nlkit's own code its own copy of each rtnetlink codec it imports
 * statically (and of what those copies import from src/generated), apart from the one the
 * family's subpath and the nlkit command's catalog load. A subpath entry, or a module
 * loaded by `import()`, must keep all its exports, so when the services shared the
 * subpath's module they loaded every codec whole, each in a chunk of its own; their own
 * copies are bundled with the services and only what is used is kept (~26 M instructions
 * fewer at Rtnl.open when this came, bench/README). Generated modules hold no state
 * and no classes, so two copies behave as one; the shared runtime (support, errors,
 * readers) still resolves to the one module every copy imports.
 */
const ownCodecCopies: Plugin = {
  name: 'own-codec-copies',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      if (args.kind !== 'import-statement') return undefined;
      const fromCopy = args.namespace === OWN_COPY;
      // A generated module importing another keeps to its own side: the subpath's module imports the subpath's.
      if (!fromCopy && (args.namespace !== 'file' || dirname(args.importer) === GENERATED)) return undefined;
      const path = sourcePath(args);
      return dirname(path) === GENERATED && OWN_COPIES.test(basename(path)) ? { path, namespace: OWN_COPY } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: OWN_COPY }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'ts', resolveDir: GENERATED }));
  },
};

/**
 * A layer: a module bundled with everything it imports (apart from earlier layers) into one
 * file, dist/chunks/<name>.js, which later builds import by relative path. The root is the
 * first layer; the rtnetlink services, which `Rtnl.open` loads,
 * the second. One file per layer, not one per set of entries sharing a module: Node 20's ES
 * module loader costs ~1 ms and ~25 fresh pages of memory per file in a fresh process.
 */
const LAYERS = [
  { name: 'core', entry: ROOT },
  { name: 'rtnl-services', entry: resolve(SRC, 'rtnl/services.ts') },
  // Services that load on first use (rtnl/deferred-service.ts), each with its kind and codec in one file.
  { name: 'rtnl-routes', entry: resolve(SRC, 'rtnl/route.ts') },
  { name: 'rtnl-neighbors', entry: resolve(SRC, 'rtnl/neighbor.ts') },
  { name: 'rtnl-rules', entry: resolve(SRC, 'rtnl/rule.ts') },
  { name: 'rtnl-bridge-vlans', entry: resolve(SRC, 'rtnl/bridge-vlan.ts') },
  // The nexthop kind's codec (the generic service, KindService, is in the services).
  { name: 'rtnl-nexthops', entry: resolve(SRC, 'registry/kinds/nexthop.ts') },
];

interface Layer {
  name: string;
  entry: string;
  /** The layer's source files (absolute paths), its entry among them. */
  modules: Set<string>;
  /** Every export of every module of the layer -> the module (each must be an export of the layer's file). */
  exportNames: Map<string, string>;
  /** The entry's own exports. */
  entryExports: string[];
}

interface Layout {
  layers: Layer[];
  /** Targets of the layers' import() (absolute .ts paths) -> their output (`chunks/x` is dist/chunks/x.js, `x` dist/x.js). */
  lazyOutputs: Map<string, string>;
}

/** externalTo resolves every import() and every import of a module in `modules` to an external path. */
const externalTo = (modules: Set<string>): Plugin => ({
  name: 'layer-graph',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'dynamic-import') return { path: args.path, external: true };
      return /^\.\.?\//.test(args.path) && modules.has(sourcePath(args)) ? { path: args.path, external: true } : undefined;
    });
  },
});

let layoutPromise: Promise<Layout> | undefined;

/** findLayout walks each layer's static import graph once (esbuild metafiles, nothing written). */
function findLayout(): Promise<Layout> {
  layoutPromise ??= (async () => {
    const layers: Layer[] = [];
    const earlier = new Set<string>();
    const lazyTargets = new Set<string>();
    const silent = { bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', outdir: 'dist', logLevel: 'silent' } as const;
    for (const { name, entry } of LAYERS) {
      const graph = await esbuild.build({ ...silent, entryPoints: [entry], external: ['koffi'], plugins: [externalTo(earlier), ownCodecCopies] });
      const modules = new Set<string>();
      for (const [file, input] of Object.entries(graph.metafile.inputs)) {
        // An own codec copy ("nlkit-own-codec:…") is part of the layer's file but not shared from it.
        if (!file.includes(':')) modules.add(resolve(file));
        for (const imp of input.imports) {
          if (imp.kind === 'dynamic-import') lazyTargets.add(resolve(dirname(file.replace(/^[^:]*:/, '')), (imp.original ?? imp.path).replace(/\.js$/, '.ts')));
        }
      }
      const perModule = await esbuild.build({ ...silent, bundle: false, entryPoints: [...modules], outbase: SRC });
      const exportNames = new Map<string, string>();
      for (const output of Object.values(perModule.metafile.outputs)) for (const n of output.exports) exportNames.set(n, output.entryPoint!);
      const entryExports = Object.values(graph.metafile.outputs).find((o) => o.entryPoint)!.exports;
      layers.push({ name, entry, modules, exportNames, entryExports });
      for (const m of modules) earlier.add(m);
    }
    const lazyOutputs = new Map<string, string>();
    for (const target of lazyTargets) {
      const layer = layers.find((l) => l.modules.has(target));
      const rel = relative(SRC, target).slice(0, -3);
      lazyOutputs.set(target, layer ? `chunks/${layer.name}` : dirname(target) === GENERATED ? basename(rel) : `chunks/${rel.replace(/\//g, '-')}`);
    }
    return { layers, lazyOutputs };
  })();
  return layoutPromise;
}

/**
 * layerBundle makes layer `index`'s one file: its entry plus `export *` of each of its other
 * modules (so later builds can import any of their exports from it). Imports of earlier
 * layers become `./<name>.js` (every layer's file is in dist/chunks/), import() points at the
 * file its target is built into. At the end
 * it fails if a module's export did not make it into the file (two modules exporting one
 * name), and the first layer writes dist/index.js, which re-exports only the root's names.
 */
const layerBundle = (index: number): Plugin => ({
  name: 'layer-bundle',
  async setup(build) {
    const { layers, lazyOutputs } = await findLayout();
    const layer = layers[index]!;
    build.initialOptions.metafile = true;
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path !== layer.entry) return undefined;
      const others = [...layer.modules].filter((m) => m !== layer.entry).map((m) => `export * from './${relative(dirname(layer.entry), m).replace(/\.ts$/, '.js')}';`);
      return { contents: `${readFileSync(layer.entry, 'utf8')}\n${others.join('\n')}\n`, loader: 'ts', resolveDir: dirname(layer.entry) };
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'dynamic-import') {
        const output = lazyOutputs.get(sourcePath(args));
        if (output === undefined) return { errors: [{ text: `${layer.name}: import(${args.path}) has no output` }] };
        // The layer's file is in dist/chunks/.
        return { path: output.startsWith('chunks/') ? `./${output.slice(7)}.js` : `../${output}.js`, external: true };
      }
      if (!/^\.\.?\//.test(args.path)) return undefined;
      const owner = layers.slice(0, index).find((l) => l.modules.has(sourcePath(args)));
      return owner ? { path: `./${owner.name}.js`, external: true } : undefined;
    });
    build.onEnd((result) => {
      if (result.errors.length || !result.metafile) return;
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
      const missing = [...layer.exportNames].filter(([name]) => name !== 'default' && !output?.exports.includes(name));
      if (missing.length) throw new Error(`${layer.name}.js lacks ${missing.map(([n, m]) => `${n} (${relative(SRC, m)})`).join(', ')}: two of its modules export different things under one name`);
      if (index > 0) return;
      // onEnd runs before tsup writes the build's files: dist/ may not exist yet.
      mkdirSync('dist', { recursive: true });
      // In short lines, as the rest of the build (lineLimit below).
      const lines = layer.entryExports.reduce<string[]>((out, name) => {
        if (out.length === 0 || out[out.length - 1]!.length + name.length > 99) out.push(name);
        else out[out.length - 1] += `,${name}`;
        return out;
      }, []);
      writeFileSync('dist/index.js', `export{\n${lines.join(',\n')}\n}from"./chunks/${layer.name}.js";\n`);
    });
  },
});

/**
 * layerImports turns the last build's imports of layer modules into imports of a placeholder,
 * `#<layer>`, which relativeLayerImports replaces once the files are written: with code
 * splitting, whether a module's output lands in dist/ or dist/chunks/ is esbuild's choice.
 */
const layerImports: Plugin = {
  name: 'layer-imports',
  async setup(build) {
    const { layers } = await findLayout();
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const owner = layers.find((l) => l.modules.has(sourcePath(args)));
      return owner ? { path: `#${owner.name}`, external: true } : undefined;
    });
  },
};

/** relativeLayerImports points the last build's `#<layer>` imports at the layer's file, relative to each output. Throws if one is left. */
function relativeLayerImports(): void {
  const names = new Set(LAYERS.map((l) => l.name));
  for (const [dir, prefix] of [['dist', './chunks/'], ['dist/chunks', './']] as const) {
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.js')) continue;
      const path = `${dir}/${file}`;
      const text = readFileSync(path, 'utf8');
      // Minified: `from"#core"`, `import("#core")`, `import"#core"`.
      const out = text.replace(/(from|import\(?)"#([a-z-]+)"/g, (whole, how: string, name: string) => (names.has(name) ? `${how}"${prefix}${name}.js"` : whole));
      const left = /(from|import\(?)"#[a-z-]+"/.exec(out);
      if (left) throw new Error(`${path}: ${left[0]} names no layer`);
      if (out !== text) writeFileSync(path, out);
    }
  }
}

// Built afresh each time: the builds run side by side, so none may clean dist/ itself.
rmSync('dist', { recursive: true, force: true });

const common: Options = {
  format: ['esm'],
  // Declarations come from tsc (tsconfig.build.json), one file per module: bundled
  // declarations lost the value half of every `const X` + `type X` pair inside namespaces.
  dts: false,
  // Source maps would be 2–3× the code and point at sources the package does not ship.
  sourcemap: false,
  clean: false,
  target: 'node20',
  platform: 'node',
  external: ['koffi'],
  esbuildOptions(options) {
    // Shared chunks go under dist/chunks/, which package.json's exports keep private.
    options.chunkNames = 'chunks/[name]-[hash]';
    // V8 scans every byte of a module when it loads it and again when a function first
    // runs, so comments and indentation cost every fresh process time: without them the
    // code is a third smaller, and Rtnl.open runs ~12 M fewer instructions (bench/README).
    // Names stay, so stack traces still name every function; only line numbers are lost,
    // and the package ships no sources to map them to anyway.
    options.minifyWhitespace = true;
    options.minifySyntax = true;
    // Short lines all the same: Node prints the source line of an uncaught error's throw site,
    // and a one-line chunk would put ~50 kB of code on the user's terminal.
    options.lineLimit = 100;
  },
};

const { layers, lazyOutputs } = await findLayout();
// What the layers load with import() and no layer holds: built by the last build, under these names.
const lazyEntries = Object.fromEntries([...lazyOutputs].filter(([, out]) => out.startsWith('chunks/') && !layers.some((l) => `chunks/${l.name}` === out)).map(([path, out]) => [out, path]));

export default defineConfig([
  ...layers.map((layer, i): Options => ({ ...common, name: layer.name, entry: { [`chunks/${layer.name}`]: layer.entry }, splitting: false, esbuildPlugins: [layerBundle(i), ownCodecCopies] })),
  {
    ...common,
    name: 'rest',
    // cli: the `nlkit` executable (package.json `bin`).
    entry: { rtnl: 'src/rtnl/index.ts', cli: 'src/cli/bin.ts', ...Object.fromEntries(families.map((f) => [f, `src/generated/${f}.ts`])), ...lazyEntries },
    splitting: true,
    esbuildPlugins: [layerImports, ownCodecCopies],
    onSuccess: async () => relativeLayerImports(),
  },
]);
