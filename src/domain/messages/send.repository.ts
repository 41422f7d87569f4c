import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Executor = Kysely<Database>;

/**
 * Takes the room's next message sequence number and records the message as the room's
 * last, in one UPDATE whose row lock orders concurrent senders into the same room.
 */
export async function claimNextSeq(
  db: Executor,
  appId: string,
  roomId: string,
  last: { messageId: string; at: Date },
): Promise<number | undefined> {
  const row = await db
    .updateTable('rooms')
    .set((eb) => ({
      message_seq: eb('message_seq', '+', 1),
      last_message_id: last.messageId,
      // Imports may send older messages: the room's last activity never goes back.
      last_message_at: sql`greatest(last_message_at, ${last.at.toISOString()}::timestamptz)`,
      updated_at: last.at,
    }))
    .where('app_id', '=', appId)
    .where('id', '=', roomId)
    .where('deleted_at', 'is', null)
    .returning('message_seq')
    .executeTakeFirst();
  return row?.message_seq;
}

/** The sender has read their own message: their read position moves to it. */
export async function advanceSenderAfterSend(
  db: Executor,
  appId: string,
  roomId: string,
  senderId: string,
  position: { seq: number; messageId: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ read_seq: position.seq, last_read_message_id: position.messageId, updated_at: now })
    .where('app_id', '=', appId)
    .where('room_id', '=', roomId)
    .where('user_id', '=', senderId)
    .where('read_seq', '<', position.seq)
    .execute();
}
