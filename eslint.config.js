// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

/*
 * The layers of src/, top to bottom, and what each may import (itself, and what
 * `mayImport` lists). Upward imports fail the lint, so the domain never learns which
 * transport called it and a rule cannot hide in a layer the other transports skip.
 * Type-only imports count: a type from a higher layer ties the lower one to it too.
 * Layers are file categories rather than boundaries "elements": elements match folders,
 * and several layers are single files at the top of src/.
 */
const layers = [
  // Composition roots: read the config, wire everything, start or run something.
  { layer: 'entry', pattern: ['src/main.ts', 'src/cli/**'] },
  // The HTTP edge: the fetch handler routing to the transports, and the node:http server.
  { layer: 'app', pattern: ['src/app.ts', 'src/server.ts'] },
  // Transports: decode, call the domain, encode. Neither knows the other.
  { layer: 'graphql', pattern: 'src/graphql/**' },
  { layer: 'rest', pattern: 'src/rest/**' },
  // Guards every transport shares: who is asking, and how much they may do.
  { layer: 'auth', pattern: 'src/auth/**' },
  { layer: 'limits', pattern: 'src/limits/**' },
  // Request and response plumbing the transports and the edge share.
  { layer: 'http', pattern: 'src/http/**' },
  // Rules, authorization, transactions.
  { layer: 'domain', pattern: 'src/domain/**' },
  // The event bus and the event types the domain publishes.
  { layer: 'realtime', pattern: 'src/realtime/**' },
  { layer: 'db', pattern: 'src/db/**' },
  // Leaves.
  { layer: 'config', pattern: 'src/config.ts' },
  { layer: 'shared', pattern: ['src/logger.ts', 'src/metrics.ts', 'src/redact-url.ts'] },
  // Frozen in time: a migration imports nothing from the application.
  { layer: 'migration', pattern: 'migrations/**' },
];

const mayImport = {
  entry: ['app', 'graphql', 'rest', 'auth', 'limits', 'http', 'domain', 'realtime', 'db', 'config', 'shared'],
  // The edge routes to transports and calls no service itself.
  app: ['graphql', 'rest', 'auth', 'limits', 'http', 'realtime', 'db', 'config', 'shared'],
  graphql: ['auth', 'limits', 'http', 'domain', 'realtime', 'db', 'config', 'shared'],
  rest: ['auth', 'limits', 'http', 'domain', 'realtime', 'db', 'config', 'shared'],
  // Side by side: a credential check is throttled, an anonymous limit reads credentials.
  auth: ['limits', 'domain', 'realtime', 'db', 'config', 'shared'],
  limits: ['auth', 'domain', 'realtime', 'db', 'config', 'shared'],
  http: ['config', 'shared'],
  // No config: what the domain needs of the settings comes in on RequestContext.
  domain: ['realtime', 'db', 'shared'],
  realtime: ['config', 'shared'],
  db: ['config', 'shared'],
  shared: ['config'],
  config: [],
  migration: [],
};

const toLayers = (names) => ({ to: { file: { categories: { anyOf: names } } } });

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'dist', 'bench/results', 'coverage', '.tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,js}', 'migrations/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/files': layers.map(({ layer, pattern }) => ({ category: layer, pattern })),
      'boundaries/files-single-match': true,
      // Re-exports and import() are dependencies too, not only import statements.
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      // Our specifiers end in .js and name .ts sources.
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // An import of a file no layer claims (test/, bench/) is refused too.
          checkUnknownLocals: true,
          // Packages are checked too: every layer may use them, except those the next policy takes away.
          checkAllOrigins: true,
          policies: [
            { allow: { to: { module: { origin: ['external', 'core'] } } } },
            {
              // The layers below the transports see no GraphQL and no HTTP server, whatever the import path
              // (graphql-yoga itself stays allowed: its pub/sub is the event bus).
              from: { file: { categories: { anyOf: ['domain', 'realtime', 'db'] } } },
              disallow: {
                to: {
                  module: {
                    source: [
                      'graphql',
                      'graphql-ws',
                      '@pothos/*',
                      '@graphql-yoga/render-graphiql',
                      'node:http',
                    ],
                  },
                },
              },
            },
            ...Object.entries(mayImport).map(([layer, lower]) => ({
              from: { file: { categories: layer } },
              allow: toLayers([layer, ...lower]),
            })),
            {
              // Each setting is validated by the parser of the module that owns it: these files, by name,
              // so the config does not grow into a second composition root.
              from: { file: { categories: 'config' } },
              allow: {
                to: {
                  file: {
                    path: [
                      'src/limits/rate-rule-syntax.ts',
                      'src/limits/client-address.ts',
                      'src/auth/origin-policy.ts',
                      'src/domain/tokens/token-lifetime.ts',
                      'src/domain/write-operations.ts',
                    ],
                  },
                },
              },
            },
          ],
        },
      ],
      // A new file or folder in src/ must be given a layer here before it lints.
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: {
      // Migrations are frozen in time and run on Kysely<any> by design (Kysely's migrations guide).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
