import { defineConfig } from 'vitest/config';

// Pure tests only (domain, parsers, CLI): no PostgreSQL or Temporal, so they run in seconds anywhere.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
