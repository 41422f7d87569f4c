import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module). Node loads the CJS one for the packages
    // (Pothos, yoga); without this alias Vite would hand our sources the ESM one, and the
    // schema's types would come from "another module or realm".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
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
