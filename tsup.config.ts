import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

const GENERATED = resolve('src/generated');

// One entry for the root, one for the whole rtnetlink API (`nlkit/rtnl`) and one per generated
// family (`nlkit/rt-link`, `nlkit/tc`, …), built as ES modules with code splitting: the root loads
// no codec (Rtnl.open loads the rtnetlink services and codecs), every family only when its
// subpath is imported or first used. The CommonJS entry points are thin re-exports of
// these modules written by scripts/package-cjs.mjs after this build, so both module systems
// share one copy of every class (no dual-package hazard).
const families = readdirSync(GENERATED)
  // catalog.ts (the families' docs, for the nlkit command) is not a family.
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'catalog.ts')
  .map((f) => f.slice(0, -3));

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
      const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return dirname(path) === GENERATED && OWN_COPIES.test(basename(path)) ? { path, namespace: OWN_COPY } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: OWN_COPY }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'ts', resolveDir: GENERATED }));
  },
};

export default defineConfig({
  // cli: the `nlkit` executable (package.json `bin`).
  entry: { index: 'src/index.ts', rtnl: 'src/rtnl/index.ts', cli: 'src/cli/bin.ts', ...Object.fromEntries(families.map((f) => [f, `src/generated/${f}.ts`])) },
  format: ['esm'],
  splitting: true,
  // Declarations come from tsc (tsconfig.build.json), one file per module: bundled
  // declarations lost the value half of every `const X` + `type X` pair inside namespaces.
  dts: false,
  // Source maps would be 2–3× the code and point at sources the package does not ship.
  sourcemap: false,
  clean: true,
  target: 'node20',
  platform: 'node',
  external: ['koffi'],
  esbuildPlugins: [ownCodecCopies],
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
});
