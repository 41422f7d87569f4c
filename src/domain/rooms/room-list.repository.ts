import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { CursorOrder, CursorValue, PageRequest } from '../pagination.js';
import type { OffsetPage, RoomFilter, RoomListQuery, RoomOrder, SortDirection, ViewerRoom } from './room.js';
import {
  joinedMembershipColumns,
  toJoinedMembership,
  type JoinedMembershipRow,
} from './membership.repository.js';
import { joinedPrefColumns, toJoinedPref, type JoinedPrefRow } from './pref.repository.js';
import { hasAvatarColumn, roomColumns, toRoom, type RoomRow } from './room.mappers.js';
import { defaultPref } from './room.js';
import { unreadOf, unreadSql } from './unread.js';
import { prefixedColumns, unprefixed, type Prefixed } from '../../db/prefixed-columns.js';
import type { Message } from '../messages/message.js';
import { messageColumns, toMessage, type MessageRow } from '../messages/message.repository.js';
import type { User } from '../users/user.js';
import { toUser, userColumns, type UserRow } from '../users/user.repository.js';

type Executor = Kysely<Database>;

/*
 * A user's room list in one statement: their live memberships joined to the rooms and
 * their prefs, filtered, ordered by any combination of sort keys plus the room id, and
 * paged by keyset (or by OFFSET, only for IMKit's documented `skip`).
 */

interface SortKey {
  sql: Expression<unknown>;
  direction: SortDirection;
  /** The SQL type a cursor value is cast to when compared. */
  cast: 'timestamptz' | 'int8' | 'text' | 'bool';
  value: (row: ViewerRoom) => CursorValue;
}

const activityTime = sql`coalesce(r.last_message_at, r.created_at)`;

function sortKeyFor(order: RoomOrder): SortKey {
  switch (order.field) {
    case 'LAST_MESSAGE_TIME':
      // A room without messages sorts by its creation time: "last activity".
      return {
        sql: activityTime,
        direction: order.direction,
        cast: 'timestamptz',
        value: (r) => (r.room.lastMessageAt ?? r.room.createdAt).toISOString(),
      };
    case 'CREATED_TIME':
      return {
        sql: sql`r.created_at`,
        direction: order.direction,
        cast: 'timestamptz',
        value: (r) => r.room.createdAt.toISOString(),
      };
    case 'NAME':
      return { sql: sql`r.name`, direction: order.direction, cast: 'text', value: (r) => r.room.name };
    case 'UNREAD_COUNT':
      return { sql: unreadSql, direction: order.direction, cast: 'int8', value: (r) => r.unread };
  }
}

/** The full ordering of a query: unread-first, the requested keys, then the room id. */
export function sortKeys(query: RoomListQuery): SortKey[] {
  const keys: SortKey[] = [];
  if (query.unreadFirst) {
    keys.push({
      sql: sql`(r.message_seq > m.read_seq)`,
      direction: 'DESC',
      cast: 'bool',
      value: (r) => r.unread > 0,
    });
  }
  for (const order of query.orderBy) keys.push(sortKeyFor(order));
  keys.push({ sql: sql`r.id`, direction: 'ASC', cast: 'text', value: (r) => r.room.id });
  return keys;
}

/** Names the ordering, so a cursor is only accepted by the ordering that issued it. */
export function roomOrderKey(query: RoomListQuery): CursorOrder {
  const parts = query.orderBy.map((o) => `${o.field}:${o.direction}`);
  return {
    name: ['rooms', query.unreadFirst ? 'unread-first' : '', ...parts].join('|'),
    keys: sortKeys(query).map((key) => key.cast),
  };
}

function filterConditions(filter: RoomFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.tags !== undefined && filter.tags.length > 0) {
    conditions.push(sql<SqlBool>`p.tags && ${sql.val(filter.tags)}::text[]`);
  }
  if (filter.folder !== undefined) conditions.push(sql<SqlBool>`p.folder = ${filter.folder}`);
  for (const flag of ['hidden', 'sticky', 'muted'] as const) {
    const wanted = filter[flag];
    if (wanted !== undefined) {
      // No pref row means the default: false.
      conditions.push(sql<SqlBool>`coalesce(${sql.ref(`p.${flag}`)}, false) = ${wanted}`);
    }
  }
  if (filter.roomType !== undefined) conditions.push(sql<SqlBool>`r.room_type = ${filter.roomType}`);
  if (filter.updatedAfter !== undefined) {
    const after = filter.updatedAfter.toISOString();
    conditions.push(
      sql<SqlBool>`(r.last_message_at > ${after}::timestamptz or r.created_at > ${after}::timestamptz)`,
    );
  }
  if (filter.changedSince !== undefined) {
    const since = filter.changedSince.toISOString();
    conditions.push(
      sql<SqlBool>`(r.updated_at > ${since}::timestamptz or m.updated_at > ${since}::timestamptz or p.updated_at > ${since}::timestamptz)`,
    );
  }
  if (filter.hasUnread !== undefined) {
    conditions.push(
      filter.hasUnread ? sql<SqlBool>`r.message_seq > m.read_seq` : sql<SqlBool>`r.message_seq <= m.read_seq`,
    );
  }
  if (filter.nameContains !== undefined && filter.nameContains !== '') {
    const pattern = `%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql<SqlBool>`r.name ilike ${pattern}`);
  }
  return conditions;
}

/** keys[0..i-1] equal the cursor and keys[i] is past it, for some i: the keyset "after" condition. */
function keysetCondition(keys: SortKey[], cursor: CursorValue[], backward: boolean): Expression<SqlBool> {
  const branches = keys.map((key, i) => {
    const equalities = keys
      .slice(0, i)
      .map((k, j) => sql`${k.sql} = ${cursor[j] ?? null}::${sql.raw(k.cast)}`);
    const ascending = (key.direction === 'ASC') !== backward;
    const past = sql`${key.sql} ${sql.raw(ascending ? '>' : '<')} ${cursor[i] ?? null}::${sql.raw(key.cast)}`;
    return sql.join([...equalities, past], sql` and `);
  });
  return sql<SqlBool>`(${sql.join(
    branches.map((b) => sql`(${b})`),
    sql` or `,
  )})`;
}

export function isOffsetPage(page: PageRequest | OffsetPage): page is OffsetPage {
  return 'offset' in page;
}

function baseQuery(db: Executor, appId: string, userId: string, filter: RoomFilter) {
  let query = db
    .selectFrom('memberships as m')
    .innerJoin('rooms as r', (join) =>
      join.onRef('r.app_id', '=', 'm.app_id').onRef('r.id', '=', 'm.room_id'),
    )
    .leftJoin('user_room_prefs as p', (join) =>
      join
        .onRef('p.app_id', '=', 'm.app_id')
        .onRef('p.room_id', '=', 'm.room_id')
        .onRef('p.user_id', '=', 'm.user_id'),
    )
    .where('m.app_id', '=', appId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
    .where('r.deleted_at', 'is', null);
  for (const condition of filterConditions(filter)) query = query.where(condition);
  return query;
}

/** A room list row with the room's last message and its sender, which every list shows. */
export interface ListedRoom extends ViewerRoom {
  lastMessage: Message | null;
  lastSender: User | null;
}

const lastMessageColumns = prefixedColumns<MessageRow>('lm', 'lm_', messageColumns);
const lastSenderColumns = prefixedColumns<UserRow>('ls', 'ls_', userColumns);

/**
 * One page of a user's rooms, fetched limit+1 deep for keyset pages, with each room's
 * last message and sender. The page is cut first and joined after, so a user in 2,000
 * rooms costs 21 message lookups, not 2,000.
 */
export async function selectViewerRooms(
  db: Executor,
  appId: string,
  userId: string,
  query: RoomListQuery,
  page: PageRequest | OffsetPage,
): Promise<ListedRoom[]> {
  const keys = sortKeys(query);
  const backward = !isOffsetPage(page) && page.backward;
  const ordering = keys.map((key) => {
    const ascending = (key.direction === 'ASC') !== backward;
    return { sql: key.sql, direction: ascending ? ('asc' as const) : ('desc' as const) };
  });
  let select = baseQuery(db, appId, userId, query.filter).select([
    ...roomColumns,
    hasAvatarColumn,
    ...joinedMembershipColumns,
    ...joinedPrefColumns,
    sql<number>`row_number() over (order by ${sql.join(
      ordering.map((o) => sql`${o.sql} ${sql.raw(o.direction)}`),
    )})`.as('page_n'),
  ]);
  for (const o of ordering) select = select.orderBy(o.sql, o.direction);
  if (isOffsetPage(page)) {
    if (page.limit !== null) select = select.limit(page.limit);
    if (page.offset > 0) select = select.offset(page.offset);
  } else {
    if (page.cursor) select = select.where(keysetCondition(keys, page.cursor, backward));
    select = select.limit(page.limit + 1);
  }
  const rows = (await db
    .selectFrom(select.as('page'))
    .leftJoin('messages as lm', (join) =>
      join.onRef('lm.app_id', '=', 'page.app_id').onRef('lm.id', '=', 'page.last_message_id'),
    )
    .leftJoin('users as ls', (join) =>
      join.onRef('ls.app_id', '=', 'lm.app_id').onRef('ls.id', '=', 'lm.sender_id'),
    )
    .selectAll('page')
    .select([...lastMessageColumns, ...lastSenderColumns])
    .orderBy('page.page_n')
    .modifyEnd(sql`/* selectViewerRooms */`)
    .execute()) as unknown as (RoomRow &
    JoinedMembershipRow &
    JoinedPrefRow &
    Prefixed<MessageRow, 'lm_'> &
    Prefixed<UserRow, 'ls_'>)[];
  return rows.map((row) => {
    const room = toRoom(row);
    const membership = toJoinedMembership(row, appId, room.id, userId);
    // The inner join on memberships guarantees the membership columns.
    if (!membership) throw new Error(`selectViewerRooms: no membership row for room ${room.id}`);
    const lastMessage = unprefixed(row, 'lm_', messageColumns, 'id');
    const lastSender = unprefixed(row, 'ls_', userColumns, 'id');
    return {
      room,
      membership,
      pref: toJoinedPref(row, appId, userId, room.id) ?? defaultPref(appId, userId, room.id),
      unread: unreadOf(room, membership),
      lastMessage: lastMessage && toMessage(lastMessage),
      lastSender: lastSender && toUser(lastSender),
    };
  });
}

/** The cursor values of a row in an ordering. */
export function cursorValues(query: RoomListQuery, row: ViewerRoom): CursorValue[] {
  return sortKeys(query).map((key) => key.value(row));
}

export async function countViewerRoomRows(
  db: Executor,
  appId: string,
  userId: string,
  filter: RoomFilter,
): Promise<number> {
  const row = await baseQuery(db, appId, userId, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .modifyEnd(sql`/* countViewerRooms */`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Rooms that went away for a user after `since`: they left (and have not come back) or
 * the room was deleted while they were in it. `at` is when.
 */
export async function selectRemovedRooms(
  db: Executor,
  appId: string,
  userId: string,
  since: Date,
): Promise<{ roomId: string; at: Date }[]> {
  const after = since.toISOString();
  const result = await sql<{ room_id: string; at: Date }>`
    /* selectRemovedRooms */
    select m.room_id,
           greatest(case when r.deleted_at > ${after}::timestamptz then r.deleted_at end,
                    case when m.left_at > ${after}::timestamptz then m.left_at end) as at
    from memberships m
    join rooms r on r.app_id = m.app_id and r.id = m.room_id
    where m.app_id = ${appId} and m.user_id = ${userId}
      and (m.left_at > ${after}::timestamptz
           or (r.deleted_at > ${after}::timestamptz and (m.left_at is null or m.left_at > ${after}::timestamptz)))
    order by at, m.room_id`.execute(db);
  return result.rows.map((row) => ({ roomId: row.room_id, at: new Date(row.at) }));
}
