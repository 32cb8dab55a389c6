import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import * as esbuild from 'esbuild';
import type { Plugin } from 'esbuild';

const SRC = resolve('src');
const ROOT = resolve(SRC, 'index.ts');
const GENERATED = resolve(SRC, 'generated');

// Two builds, both ES modules:
//
// - The core: the root (`nlkit`) and every module it imports, bundled into one file,
//   dist/chunks/core.js. dist/index.js re-exports the root's public names from it.
// - Everything else: `nlkit/rtnl`, the `nlkit` command, one entry per generated family
//   (`nlkit/rt-link`, `nlkit/tc`, …) and the modules the core loads with import() (the
//   rtnetlink services, …), with code splitting. Their imports of core modules become
//   imports of `#core` (package.json "imports": dist/chunks/core.js), so there is one copy of
//   every class and every piece of module state.
//
// Why: importing the root through code splitting loaded 9 module files, because each core
// module is shared by a different set of entries; Node 20's ES module loader costs ~1 ms and
// ~25 fresh pages of memory per file in a fresh process. As one file the same code imports in
// ~16 instead of ~25 ms (bench/README). The root still loads no codec (Rtnl.open loads the
// rtnetlink services and codecs), every family only when its subpath is imported or first
// used. The CommonJS entry points are thin re-exports of these modules written by
// scripts/package-cjs.mjs after this build, so both module systems share one copy of every
// class (no dual-package hazard).
const CORE_SPECIFIER = '#core';
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
 * copies are bundled with the services and only what is used is kept (Rtnl.open: 11 module
 * files -> 4, ~26 M instructions fewer, bench/README). Generated modules hold no state
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

/** The core: the modules the root reaches by static imports, what each exports, and what it loads with import(). */
interface Core {
  modules: Set<string>;
  /** The root's own exports: what dist/index.js re-exports. */
  publicNames: string[];
  /** Every export name of every core module (each must be an export of core.js). */
  exportNames: Map<string, string>;
  /** import() targets of core modules (absolute .ts paths) -> their entry names in the second build. */
  lazyEntries: Map<string, string>;
}

let corePromise: Promise<Core> | undefined;

/** findCore walks the root's static import graph once (esbuild metafiles, nothing written). */
function findCore(): Promise<Core> {
  corePromise ??= (async () => {
    const graph = await esbuild.build({
      entryPoints: [ROOT],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      outdir: 'dist',
      external: ['koffi'],
      logLevel: 'silent',
      plugins: [{ name: 'lazy-external', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined)) }],
    });
    const modules = new Set(Object.keys(graph.metafile.inputs).map((f) => resolve(f)));
    const publicNames = Object.values(graph.metafile.outputs).find((o) => o.entryPoint)!.exports;
    const lazyEntries = new Map<string, string>();
    for (const [file, input] of Object.entries(graph.metafile.inputs)) {
      for (const imp of input.imports) {
        if (imp.kind !== 'dynamic-import') continue;
        const target = resolve(dirname(file), (imp.original ?? imp.path).replace(/\.js$/, '.ts'));
        const rel = relative(SRC, target).slice(0, -3);
        lazyEntries.set(target, dirname(target) === GENERATED ? basename(rel) : `chunks/${rel.replace(/\//g, '-')}`);
      }
    }
    const perModule = await esbuild.build({ entryPoints: [...modules], bundle: false, write: false, metafile: true, format: 'esm', platform: 'node', outdir: 'dist', outbase: SRC, logLevel: 'silent' });
    const exportNames = new Map<string, string>();
    for (const output of Object.values(perModule.metafile.outputs)) for (const name of output.exports) exportNames.set(name, output.entryPoint!);
    return { modules, publicNames, exportNames, lazyEntries };
  })();
  return corePromise;
}

/**
 * coreBundle makes the core build's one file: the root's module plus `export *` of every
 * other core module (so the second build can import any of their exports from it), with
 * import() of non-core modules pointing at the second build's files. It then writes
 * dist/index.js, which re-exports only the root's public names, and fails if any core
 * module's export did not make it into core.js (two modules exporting one name).
 */
const coreBundle: Plugin = {
  name: 'core-bundle',
  async setup(build) {
    const core = await findCore();
    build.initialOptions.metafile = true;
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path !== ROOT) return undefined;
      const others = [...core.modules].filter((m) => m !== ROOT).map((m) => `export * from './${relative(SRC, m).replace(/\.ts$/, '.js')}';`);
      return { contents: `${readFileSync(ROOT, 'utf8')}\n${others.join('\n')}\n`, loader: 'ts', resolveDir: SRC };
    });
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const entry = core.lazyEntries.get(sourcePath(args));
      if (entry === undefined) return { errors: [{ text: `core: import(${args.path}) has no entry in the second build` }] };
      // core.js is dist/chunks/core.js; an entry named `x` is dist/x.js, `chunks/x` dist/chunks/x.js.
      return { path: entry.startsWith('chunks/') ? `./${entry.slice(7)}.js` : `../${entry}.js`, external: true };
    });
    build.onEnd((result) => {
      if (result.errors.length || !result.metafile) return;
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
      const missing = [...core.exportNames].filter(([name]) => name !== 'default' && !output?.exports.includes(name));
      if (missing.length) throw new Error(`core.js lacks ${missing.map(([n, m]) => `${n} (${relative(SRC, m)})`).join(', ')}: two core modules export different things under one name`);
      // onEnd runs before tsup writes the build's files: dist/ may not exist yet.
      mkdirSync('dist', { recursive: true });
      writeFileSync('dist/index.js', `export{${core.publicNames.join(',')}}from"./chunks/core.js";\n`);
    });
  },
};

/** coreImports turns the second build's imports of core modules into imports of `#core` (dist/chunks/core.js). */
const coreImports: Plugin = {
  name: 'core-imports',
  async setup(build) {
    const core = await findCore();
    build.onResolve({ filter: /^\.\.?\// }, (args) => (core.modules.has(sourcePath(args)) ? { path: CORE_SPECIFIER, external: true } : undefined));
  },
};

// Built afresh each time: the two builds run side by side, so neither may clean dist/ itself.
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

const lazyEntries = Object.fromEntries([...(await findCore()).lazyEntries].filter(([, name]) => name.startsWith('chunks/')).map(([path, name]) => [name, path]));

export default defineConfig([
  { ...common, name: 'core', entry: { 'chunks/core': 'src/index.ts' }, splitting: false, esbuildPlugins: [coreBundle] },
  {
    ...common,
    name: 'rest',
    // cli: the `nlkit` executable (package.json `bin`).
    entry: { rtnl: 'src/rtnl/index.ts', cli: 'src/cli/bin.ts', ...Object.fromEntries(families.map((f) => [f, `src/generated/${f}.ts`])), ...lazyEntries },
    splitting: true,
    esbuildPlugins: [coreImports, ownCodecCopies],
  },
]);
