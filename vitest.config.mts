import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file in its own process: a native crash fails one file loudly instead of hanging a worker.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
