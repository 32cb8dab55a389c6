import { readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One entry for the root, one for the whole rtnetlink API (`nlkit/rtnl`) and one per generated
// family (`nlkit/rt-link`, `nlkit/tc`, …), built as ES modules with code splitting: the root loads
// no codec (Rtnl.open loads the rtnetlink services and codecs), every family only when its
// subpath is imported or first used. The CommonJS entry points are thin re-exports of
// these modules written by scripts/package-cjs.mjs after this build, so both module systems
// share one copy of every class (no dual-package hazard).
const families = readdirSync('src/generated')
  // catalog.ts (the families' docs, for the nlkit command) is not a family.
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'catalog.ts')
  .map((f) => f.slice(0, -3));

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
  esbuildOptions(options) {
    // Shared chunks go under dist/chunks/, which package.json's exports keep private.
    options.chunkNames = 'chunks/[name]-[hash]';
    // V8 scans every byte of a module when it loads it and again when a function first
    // runs, so comments and indentation cost every fresh process time: without them the
    // code is a third smaller, and import + Rtnl.open run 26 M fewer instructions
    // (bench/README). Names stay, so stack traces still name every function; only line
    // numbers are lost, and the package ships no sources to map them to anyway.
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
});
