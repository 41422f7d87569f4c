import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Database, MessageTable } from '../../db/schema.js';
import type { CursorValue, PageRequest } from '../pagination.js';
import type { Message, MessageFilter, MessageOrderField, ReactionSummary } from './message.js';
import { prefixedColumns, unprefixed, type Prefixed } from '../../db/prefixed-columns.js';
import { anyText } from '../../db/sql-arrays.js';
import type { User } from '../users/user.js';
import { toUser, userColumns, type UserRow } from '../users/user.repository.js';

type Executor = Kysely<Database>;

export const messageColumns = [
  'app_id',
  'id',
  'num_id',
  'room_id',
  'sender_id',
  'seq',
  'body',
  'message_type',
  'message_time',
  'created_at',
  'updated_at',
  'is_deleted',
  'reaction_count',
  'client_message_id',
] as const;

export type MessageRow = Pick<Selectable<MessageTable>, (typeof messageColumns)[number]>;

export function toMessage(row: MessageRow): Message {
  return {
    appId: row.app_id,
    id: row.id,
    numId: row.num_id,
    roomId: row.room_id,
    senderId: row.sender_id,
    seq: row.seq,
    body: row.body,
    messageType: row.message_type,
    messageTime: row.message_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    isDeleted: row.is_deleted,
    reactionCount: row.reaction_count,
    clientMessageId: row.client_message_id,
  };
}

const orderColumn: Record<MessageOrderField, 'seq' | 'updated_at' | 'created_at' | 'message_time'> = {
  SEQUENCE: 'seq',
  UPDATED_AT: 'updated_at',
  CREATED_AT: 'created_at',
  MESSAGE_TIME: 'message_time',
};

export async function findMessagesByIds(
  db: Executor,
  appId: string,
  ids: readonly string[],
): Promise<Message[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select(messageColumns)
    .where('app_id', '=', appId)
    .where('id', '=', anyText(ids))
    .execute();
  return rows.map(toMessage);
}

export async function findMessageByClientId(
  db: Executor,
  appId: string,
  senderId: string,
  clientMessageId: string,
): Promise<Message | undefined> {
  const row = await db
    .selectFrom('messages')
    .select(messageColumns)
    .where('app_id', '=', appId)
    .where('sender_id', '=', senderId)
    .where('client_message_id', '=', clientMessageId)
    .executeTakeFirst();
  return row && toMessage(row);
}

function filterConditions(filter: MessageFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  // Qualified: the page query joins users, which have their own created_at/updated_at.
  const timeColumn = sql.ref(`messages.${orderColumn[filter.timeRangeField ?? 'UPDATED_AT']}`);
  if (filter.afterTime)
    conditions.push(sql<SqlBool>`${timeColumn} > ${filter.afterTime.toISOString()}::timestamptz`);
  if (filter.beforeTime)
    conditions.push(sql<SqlBool>`${timeColumn} < ${filter.beforeTime.toISOString()}::timestamptz`);
  if (filter.messageTypes !== undefined && filter.messageTypes.length > 0) {
    conditions.push(sql<SqlBool>`messages.message_type = any(${sql.val(filter.messageTypes)}::text[])`);
  }
  if (filter.includeDeleted === false) conditions.push(sql<SqlBool>`not messages.is_deleted`);
  return conditions;
}

/** A message as a page lists it: with its sender and whether the viewer deleted it for themselves. */
export interface ListedMessage {
  message: Message;
  sender: User | null;
  deletedForViewer: boolean;
}

const senderColumns = prefixedColumns<UserRow>('s', 's_', userColumns);

/**
 * A keyset page of a room's messages ordered by (orderBy, seq): an index range scan
 * whose cost does not depend on how deep in the history the page is. The senders and
 * the viewer's deleted-for-me marks come in the same statement (primary-key lookups).
 * The page starts at `page.cursor`, or at the message `anchorId` of this room (IMKit's
 * beforeMessage): its position is read by the same statement (an InitPlan; no rows when
 * the room has no such message).
 */
export async function selectRoomMessages(
  db: Executor,
  appId: string,
  roomId: string,
  viewerUserId: string | null,
  filter: MessageFilter,
  orderBy: MessageOrderField,
  page: PageRequest,
  anchorId?: string,
): Promise<ListedMessage[]> {
  const column = orderColumn[orderBy];
  const direction = page.backward ? 'desc' : 'asc';
  let query = db
    .selectFrom('messages')
    .leftJoin('users as s', (join) =>
      join.onRef('s.app_id', '=', 'messages.app_id').onRef('s.id', '=', 'messages.sender_id'),
    )
    .leftJoin('message_user_deletions as d', (join) =>
      join
        .onRef('d.app_id', '=', 'messages.app_id')
        .onRef('d.message_id', '=', 'messages.id')
        .on('d.user_id', '=', viewerUserId ?? ''),
    )
    .select(messageColumns.map((c) => `messages.${c}` as const))
    .select([...senderColumns, sql<boolean>`d.message_id is not null`.as('deleted_for_viewer')])
    .where('messages.app_id', '=', appId)
    .where('messages.room_id', '=', roomId);
  for (const condition of filterConditions(filter)) query = query.where(condition);
  // The keyset bound: the cursor's values, or the anchor message's own, read in this statement.
  const bound =
    anchorId !== undefined
      ? sql`(select ${sql.raw(column === 'seq' ? 'a.seq' : `a.${column}, a.seq`)} from messages a
          where a.app_id = ${appId} and a.room_id = ${roomId} and a.id = ${anchorId})`
      : page.cursor === null
        ? null
        : column === 'seq'
          ? sql`${Number(page.cursor[0])}`
          : sql`(${page.cursor[0]}::timestamptz, ${Number(page.cursor[1])})`;
  if (bound !== null) {
    const key = sql.raw(column === 'seq' ? 'messages.seq' : `(messages.${column}, messages.seq)`);
    query = query.where(sql<SqlBool>`${key} ${sql.raw(page.backward ? '<' : '>')} ${bound}`);
  }
  if (column !== 'seq') query = query.orderBy(`messages.${column}`, direction);
  const rows = (await query
    .orderBy('messages.seq', direction)
    .limit(page.limit + 1)
    .modifyEnd(sql`/* selectRoomMessages */`)
    .execute()) as unknown as (MessageRow & Prefixed<UserRow, 's_'> & { deleted_for_viewer: boolean })[];
  return rows.map((row) => {
    const sender = unprefixed(row, 's_', userColumns, 'id');
    return {
      message: toMessage(row),
      sender: sender && toUser(sender),
      deletedForViewer: row.deleted_for_viewer,
    };
  });
}

export function messageCursorValues(message: Message, orderBy: MessageOrderField): CursorValue[] {
  switch (orderBy) {
    case 'SEQUENCE':
      return [message.seq];
    case 'UPDATED_AT':
      return [message.updatedAt.toISOString(), message.seq];
    case 'CREATED_AT':
      return [message.createdAt.toISOString(), message.seq];
    case 'MESSAGE_TIME':
      return [message.messageTime.toISOString(), message.seq];
  }
}

export async function countRoomMessageRows(
  db: Executor,
  appId: string,
  roomId: string,
  filter: MessageFilter,
): Promise<number> {
  let query = db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('app_id', '=', appId)
    .where('room_id', '=', roomId);
  for (const condition of filterConditions(filter)) query = query.where(condition);
  return Number((await query.executeTakeFirstOrThrow()).count);
}

/** Deletions-for-me of some users among some messages, for the loader (one statement for many viewers). */
export async function findDeletedForUsers(
  db: Executor,
  appId: string,
  userIds: readonly string[],
  messageIds: readonly string[],
): Promise<{ userId: string; messageId: string }[]> {
  if (messageIds.length === 0 || userIds.length === 0) return [];
  const rows = await db
    .selectFrom('message_user_deletions')
    .select(['user_id', 'message_id'])
    .where('app_id', '=', appId)
    .where('user_id', '=', anyText([...new Set(userIds)]))
    .where('message_id', '=', anyText([...new Set(messageIds)]))
    .execute();
  return rows.map((r) => ({ userId: r.user_id, messageId: r.message_id }));
}

/** Reactions of many messages grouped by key, in one statement. */
export async function findReactionSummaries(
  db: Executor,
  appId: string,
  messageIds: readonly string[],
): Promise<Map<string, ReactionSummary[]>> {
  const summaries = new Map<string, ReactionSummary[]>();
  if (messageIds.length === 0) return summaries;
  const rows = await db
    .selectFrom('message_reactions')
    .select((eb) => [
      'message_id',
      'key',
      eb.fn.countAll<number>().as('count'),
      sql<string[]>`array_agg(user_id order by created_at, user_id)`.as('user_ids'),
      eb.fn.min('created_at').as('first_at'),
    ])
    .where('app_id', '=', appId)
    .where('message_id', '=', anyText(messageIds))
    .groupBy(['message_id', 'key'])
    .orderBy('first_at')
    .orderBy('key')
    .execute();
  for (const row of rows) {
    const list = summaries.get(row.message_id) ?? [];
    list.push({ key: row.key, count: Number(row.count), userIds: row.user_ids });
    summaries.set(row.message_id, list);
  }
  return summaries;
}
