import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Message } from './message.js';
import { toMessage } from './message.repository.js';

type Executor = Kysely<Database>;

export async function updateMessageRow(
  db: Executor,
  appId: string,
  messageId: string,
  changes: { body?: string; messageType?: string; isDeleted?: boolean },
  now: Date,
): Promise<Message | undefined> {
  const row = await db
    .updateTable('messages')
    .set({
      ...(changes.body !== undefined && { body: changes.body }),
      ...(changes.messageType !== undefined && { message_type: changes.messageType }),
      ...(changes.isDeleted !== undefined && { is_deleted: changes.isDeleted }),
      updated_at: now,
    })
    .where('app_id', '=', appId)
    .where('id', '=', messageId)
    .returningAll()
    .executeTakeFirst();
  return row && toMessage(row);
}

/** Hides a message for one user only (IMKit userDeletedIDs). Returns false if already hidden. */
export async function insertUserDeletion(
  db: Executor,
  row: { appId: string; userId: string; roomId: string; messageId: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('message_user_deletions')
    .values({ app_id: row.appId, user_id: row.userId, room_id: row.roomId, message_id: row.messageId })
    .onConflict((oc) => oc.doNothing())
    .returning('message_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Adds or removes one user's reaction and keeps the message's count and updated time in step. */
export async function toggleReaction(
  db: Executor,
  row: { appId: string; messageId: string; userId: string; key: string },
  add: boolean,
  now: Date,
): Promise<boolean> {
  const changed = add
    ? await db
        .insertInto('message_reactions')
        .values({
          app_id: row.appId,
          message_id: row.messageId,
          user_id: row.userId,
          key: row.key,
          created_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('key')
        .executeTakeFirst()
    : await db
        .deleteFrom('message_reactions')
        .where('app_id', '=', row.appId)
        .where('message_id', '=', row.messageId)
        .where('user_id', '=', row.userId)
        .where('key', '=', row.key)
        .returning('key')
        .executeTakeFirst();
  if (!changed) return false;
  await db
    .updateTable('messages')
    .set({ reaction_count: sql`reaction_count + ${add ? 1 : -1}`, updated_at: now })
    .where('app_id', '=', row.appId)
    .where('id', '=', row.messageId)
    .execute();
  return true;
}
