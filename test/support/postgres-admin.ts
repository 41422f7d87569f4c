import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/db/schema.js';

/*
 * Test databases on a real PostgreSQL server. Several test runs may share the server
 * (two people, or CI beside a developer), so every database this run makes carries the
 * vitest process id in its name: chat_bff_tpl_<pid> (the migrated template) and
 * chat_bff_test_<pid>_<random> (one per test file). Databases of runs whose process is
 * gone (killed mid-run) are dropped at the next start.
 */

const TEMPLATE_PREFIX = 'chat_bff_tpl_';
const TEST_PREFIX = 'chat_bff_test_';

export function templateName(runPid: number): string {
  return `${TEMPLATE_PREFIX}${runPid}`;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(
  adminUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'chat-bff-test-admin' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates this run's template database and lets `prepare` migrate it; drops leftovers of dead runs first. */
export async function createTemplateDatabase(
  adminUrl: string,
  runPid: number,
  prepare: (db: Kysely<Database>) => Promise<void>,
): Promise<string> {
  const template = templateName(runPid);
  await withAdminClient(adminUrl, async (client) => {
    await dropDatabasesOfDeadRuns(client);
    await client.query(`drop database if exists ${template} with (force)`);
    await client.query(`create database ${template}`);
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: databaseUrl(adminUrl, template), max: 1 }),
    }),
  });
  try {
    await prepare(db);
  } finally {
    await db.destroy(); // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template
  }
  return template;
}

export async function dropTemplateDatabase(adminUrl: string, template: string): Promise<void> {
  await withAdminClient(adminUrl, (client) =>
    client.query(`drop database if exists ${template} with (force)`),
  );
}

async function dropDatabasesOfDeadRuns(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    `select datname from pg_database where datname like 'chat\\_bff\\_tpl\\_%' or datname like 'chat\\_bff\\_test\\_%'`,
  );
  for (const { datname } of rows) {
    const pid = Number(/^chat_bff_(?:tpl|test)_(\d+)/.exec(datname)?.[1]);
    if (Number.isInteger(pid) && !isRunning(pid)) {
      await client.query(`drop database if exists ${datname} with (force)`);
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function testDatabaseName(runPid: number, suffix: string): string {
  return `${TEST_PREFIX}${runPid}_${suffix}`;
}
