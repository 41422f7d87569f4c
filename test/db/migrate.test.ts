import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createEmptyPostgresDatabase, createTestDatabase, testDriver } from '../support/database.js';

const TABLES = [
  'apps',
  'auth_tokens',
  'memberships',
  'message_reactions',
  'message_user_deletions',
  'messages',
  'rooms',
  'user_room_prefs',
  'users',
];

async function listTables(handle: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_name not like 'kysely%' order by table_name`.execute(handle.db);
  return rows.map((r) => r.name);
}

describe('migrations', () => {
  let empty: DatabaseHandle;
  let dropEmpty: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const postgres = await createEmptyPostgresDatabase();
    dropEmpty = postgres?.drop;
    empty = await createDatabase(
      loadConfig(postgres ? { DATABASE_URL: postgres.url } : { DATA_DIR: ':memory:' }),
    );
  });
  afterAll(async () => {
    await empty?.close();
    await dropEmpty?.();
  });

  it(`runs every migration on an empty ${testDriver()} database, then nothing on the second run`, async () => {
    expect(await listTables(empty)).toEqual([]);
    const first = await migrateToLatest(empty.db);
    expect(first.length).toBeGreaterThan(0);
    expect(first).toContain('2026-11-22T000000_chat_model');
    expect(await listTables(empty)).toEqual(TABLES);

    expect(await migrateToLatest(empty.db)).toEqual([]);
    expect(await listTables(empty)).toEqual(TABLES);
  });

  it('gives each test database its own migrated copy', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(await migrateToLatest(a.db)).toEqual([]);
      await a.db
        .insertInto('apps')
        .values({ id: 'only-in-a', name: 'A', client_key: 'ck_a', api_key_hash: 'h' })
        .execute();
      const inA = await a.db.selectFrom('apps').select('id').execute();
      const inB = await b.db.selectFrom('apps').select('id').execute();
      expect(inA.map((r) => r.id)).toEqual(['only-in-a']);
      expect(inB).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
