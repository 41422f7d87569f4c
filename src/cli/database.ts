import { sql } from 'kysely';
import { loadConfig, type Config } from '../config.js';
import { createDatabase, type DatabaseHandle } from '../db/create-database.js';
import { listPendingMigrations, migrateToLatest } from '../db/migrate.js';
import { CliError, describeError } from './errors.js';

/**
 * Opens the database the server would use (same configuration), brings it up to date
 * unless told not to, runs `work`, and closes it again, releasing the PGlite lock.
 */
export async function withDatabase<T>(
  work: (database: DatabaseHandle, config: Config) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    if (options.migrate !== false) await migrateIfNeeded(database);
    return await work(database, config);
  } finally {
    await database.close();
  }
}

/** Opens and checks the connection, so an unreachable server is one clear message. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const database = await createDatabase(config, {}, (error) =>
    process.stderr.write(`chat-bff: an idle database connection failed: ${describeError(error)}\n`),
  );
  try {
    await sql`select 1`.execute(database.db);
  } catch (error) {
    await database.close().catch(() => {});
    throw new CliError(`Cannot use the database at ${database.location}: ${describeError(error)}`);
  }
  return database;
}

/** Every command works on a new database: it is migrated first, as the server would. */
export async function migrateIfNeeded(database: DatabaseHandle): Promise<string[]> {
  if ((await listPendingMigrations(database.db)).length === 0) return [];
  return migrateToLatest(database.db);
}
