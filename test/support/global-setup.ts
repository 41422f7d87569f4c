import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { createTemplateDatabase, dropTemplateDatabase } from './postgres-admin.js';

/*
 * Builds the migrated database ONCE per run; each test file then starts a copy of it
 * (test/support/database.ts). PGlite: a dump of the migrated data directory in a temp
 * file. PostgreSQL (TEST_DATABASE_URL): a template database to CREATE DATABASE from.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the migrated PGlite dump is ('' on PostgreSQL). */
    pgliteDumpPath: string;
    /** The migrated template database to copy ('' on PGlite). */
    postgresTemplate: string;
    /** The pid of the vitest main process: names this run's databases so stale ones can be found. */
    runPid: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('runPid', process.pid);
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const template = await createTemplateDatabase(adminUrl, process.pid, async (db) => {
      await migrateToLatest(db);
    });
    project.provide('pgliteDumpPath', '');
    project.provide('postgresTemplate', template);
    return () => dropTemplateDatabase(adminUrl, template);
  }

  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('none');
    const path = join(tmpdir(), `chat-bff-test-${process.pid}.tar`);
    writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteDumpPath', path);
    project.provide('postgresTemplate', '');
    return async () => rmSync(path, { force: true });
  } finally {
    await db.destroy();
  }
}
