import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import type { Db } from './create-database.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Loads migrations/*.ts in name order; file names start with an ISO date, so name order is time order. */
class MigrationFolder implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of await listMigrationFiles()) {
      const module = (await import(pathToFileURL(MIGRATIONS_DIR + file).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = module;
    }
    return migrations;
  }
}

async function listMigrationFiles(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files.filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
}

/**
 * The migrations not yet applied, in one cheap query. Kysely's Migrator spends about a
 * second introspecting the catalog on PGlite even when there is nothing to do, which
 * every CLI command would pay.
 */
export async function listPendingMigrations(db: Db): Promise<string[]> {
  const names = (await listMigrationFiles()).map((file) => file.replace(/\.(ts|js)$/, ''));
  let applied: Set<string>;
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    applied = new Set(rows.map((row) => row.name));
  } catch {
    return names; // no migration table yet: a new database
  }
  return names.filter((name) => !applied.has(name));
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Runs every pending migration; returns the names of those that ran (empty when up to date). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new MigrationFolder() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new MigrationError(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
