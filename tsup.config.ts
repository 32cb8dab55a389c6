import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // poller.ts resolves koffi with createRequire(import.meta.url); shims make that work in the CJS build.
  shims: true,
  external: ['koffi'],
});
