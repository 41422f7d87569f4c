import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Message } from './message.js';
import { messageColumns, toMessage, type MessageRow } from './message.repository.js';

type Executor = Kysely<Database>;

export interface NewMessage {
  appId: string;
  id: string;
  roomId: string;
  senderId: string;
  /** JSON text of the body. */
  body: string;
  messageType: string;
  messageTime: Date;
  clientMessageId: string | null;
  now: Date;
}

/**
 * A send in one statement, so one round trip and atomic without BEGIN/COMMIT: take the
 * room's next sequence number and record the message as the room's last (the room row's
 * lock orders concurrent senders, so sequences have no gaps; imports may send older
 * messages, so last activity never goes back), insert the message with that number, and
 * move the sender's read position to it (they have read their own message). Nothing is
 * written when the room is gone (undefined) or the insert fails (a repeated
 * clientMessageId, an unknown sender).
 */
export async function insertMessageWithNextSeq(db: Executor, m: NewMessage): Promise<Message | undefined> {
  const now = m.now.toISOString();
  const columns = sql.join(messageColumns.map((c) => sql.ref(c)));
  const result = await sql<MessageRow>`
    /* insertMessageWithNextSeq */
    with claimed as (
      update rooms set message_seq = message_seq + 1, last_message_id = ${m.id},
        last_message_at = greatest(last_message_at, ${m.messageTime.toISOString()}::timestamptz), updated_at = ${now}::timestamptz
      where app_id = ${m.appId} and id = ${m.roomId} and deleted_at is null
      returning message_seq),
    inserted as (
      insert into messages (app_id, id, room_id, sender_id, seq, body, message_type, message_time, created_at, updated_at, client_message_id)
      select ${m.appId}, ${m.id}, ${m.roomId}, ${m.senderId}, claimed.message_seq, ${m.body}::jsonb, ${m.messageType},
        ${m.messageTime.toISOString()}::timestamptz, ${now}::timestamptz, ${now}::timestamptz, ${m.clientMessageId}
      from claimed
      returning ${columns}),
    advanced as (
      update memberships set read_seq = inserted.seq, last_read_message_id = inserted.id, updated_at = ${now}::timestamptz
      from inserted
      where memberships.app_id = ${m.appId} and memberships.room_id = ${m.roomId} and memberships.user_id = ${m.senderId}
        and memberships.read_seq < inserted.seq)
    select ${columns} from inserted`.execute(db);
  const row = result.rows[0];
  return row && toMessage(row);
}
