import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LogEvent } from 'kysely';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database.js';
import { databaseUrl, testDatabaseName, withAdminClient } from './postgres-admin.js';

/*
 * A fresh, migrated database per call, on the driver the run uses: embedded PGlite by
 * default, PostgreSQL when TEST_DATABASE_URL is set. Start one per test file (beforeAll)
 * and give each test its own app id (uniqueId) so tests never see each other's rows.
 */

export interface TestDatabaseOptions {
  /** Called for every statement Kysely runs; see createStatementCounter. */
  onQuery?: (event: LogEvent) => void;
}

export interface TestDatabase extends DatabaseHandle {
  /** Environment variables that point a spawned chat-bff process at this database (PostgreSQL only). */
  env: Record<string, string>;
}

let pgliteDump: Blob | undefined;

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const dbOptions = options.onQuery ? { onQuery: options.onQuery } : {};
  if (!adminUrl) {
    pgliteDump ??= new Blob([readFileSync(inject('pgliteDumpPath'))]);
    const config = loadConfig({ DATA_DIR: ':memory:' });
    const handle = await createDatabase(config, { ...dbOptions, loadDataDir: pgliteDump });
    return { ...handle, env: {} };
  }

  const name = testDatabaseName(inject('runPid'), randomBytes(4).toString('hex'));
  await withAdminClient(adminUrl, (client) =>
    client.query(`create database ${name} template ${inject('postgresTemplate')}`),
  );
  const url = databaseUrl(adminUrl, name);
  const handle = await createDatabase(loadConfig({ DATABASE_URL: url, DB_POOL_MAX: '5' }), dbOptions);
  return {
    ...handle,
    env: { DATABASE_URL: url },
    async close() {
      await handle.close();
      await withAdminClient(adminUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    },
  };
}

/** An empty PostgreSQL database (no migrations) for tests of migrating itself; undefined on PGlite. */
export async function createEmptyPostgresDatabase(): Promise<
  { url: string; drop(): Promise<void> } | undefined
> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return undefined;
  const name = testDatabaseName(inject('runPid'), randomBytes(4).toString('hex'));
  await withAdminClient(adminUrl, (client) => client.query(`create database ${name}`));
  return {
    url: databaseUrl(adminUrl, name),
    drop: () =>
      withAdminClient(adminUrl, async (client) => {
        await client.query(`drop database if exists ${name} with (force)`);
      }),
  };
}

/** Which driver this run tests: 'postgres' when TEST_DATABASE_URL is set. */
export function testDriver(): 'postgres' | 'pglite' {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}

/** An id no other test uses, for apps, users and rooms (ids allow letters, digits, '-'). */
export function uniqueId(prefix = 'test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface StatementCounter {
  /** Pass to createTestDatabase({ onQuery }). */
  readonly onQuery: (event: LogEvent) => void;
  /** Statements since the last reset (failed ones included). */
  readonly count: number;
  /** Their SQL, for a helpful assertion message. */
  readonly statements: readonly string[];
  reset(): void;
  /** Runs `work` and returns how many statements it issued, with their SQL. */
  measure<T>(work: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }>;
}

/**
 * Counts the SQL statements Kysely sends, e.g. to assert that a GraphQL request costs
 * at most N statements whatever its page size. BEGIN/COMMIT of Kysely transactions are
 * not counted (Kysely runs them outside its query log); everything else is.
 */
export function createStatementCounter(): StatementCounter {
  let statements: string[] = [];
  return {
    onQuery: (event) => {
      statements.push(event.query.sql);
    },
    get count() {
      return statements.length;
    },
    get statements() {
      return statements;
    },
    reset() {
      statements = [];
    },
    async measure(work) {
      const before = statements.length;
      const result = await work();
      const issued = statements.slice(before);
      return { result, count: issued.length, statements: issued };
    },
  };
}
