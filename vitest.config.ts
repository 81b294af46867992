import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['exporters/**/*.test.ts', 'test/**/*.test.ts', 'dashboards/**/*.test.ts', 'alerts/**/*.test.ts', 'sim/**/*.test.ts', 'stack/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: run files in parallel, but not so many that real
    // servers and binaries starve each other.
    maxWorkers: 2,
  },
});
