import type { Kysely, Selectable } from 'kysely';
import type { AppTable, Database } from '../../db/schema.js';
import type { App } from './app.js';

type Executor = Kysely<Database>;

function toApp(row: Selectable<AppTable>): App {
  return { id: row.id, name: row.name, clientKey: row.client_key, createdAt: row.created_at };
}

export async function insertApp(
  db: Executor,
  row: { id: string; name: string; clientKey: string; apiKeyHash: string },
): Promise<App> {
  const inserted = await db
    .insertInto('apps')
    .values({ id: row.id, name: row.name, client_key: row.clientKey, api_key_hash: row.apiKeyHash })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApp(inserted);
}

export async function findAppById(db: Executor, appId: string): Promise<App | undefined> {
  const row = await db.selectFrom('apps').selectAll().where('id', '=', appId).executeTakeFirst();
  return row && toApp(row);
}

export async function findAppByClientKey(db: Executor, clientKey: string): Promise<App | undefined> {
  const row = await db.selectFrom('apps').selectAll().where('client_key', '=', clientKey).executeTakeFirst();
  return row && toApp(row);
}

export async function findAppIdByApiKeyHash(db: Executor, apiKeyHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('apps')
    .select('id')
    .where('api_key_hash', '=', apiKeyHash)
    .executeTakeFirst();
  return row?.id;
}

export async function updateApiKeyHash(db: Executor, appId: string, apiKeyHash: string): Promise<boolean> {
  const result = await db
    .updateTable('apps')
    .set({ api_key_hash: apiKeyHash })
    .where('id', '=', appId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Up to `limit` app ids, in id order (to tell "exactly one app" from "several"). */
export async function listAppIds(db: Executor, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('apps').select('id').orderBy('id').limit(limit).execute();
  return rows.map((row) => row.id);
}
