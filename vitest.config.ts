import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // One migrated database is built here; every test file starts its own copy of it.
    globalSetup: ['test/support/global-setup.ts'],
    // Test files run in child processes, two at a time: this project's machines have two cores.
    pool: 'forks',
    maxWorkers: 2,
    // PGlite takes seconds to start on two busy cores; spawning the CLI costs about a second.
    hookTimeout: 60_000,
    testTimeout: 30_000,
    teardownTimeout: 30_000,
  },
});
