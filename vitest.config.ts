import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kernel tests share one network namespace per run (see scripts/run-in-netns.mjs);
    // each file makes its own throwaway namespaces, so files may run in parallel.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
