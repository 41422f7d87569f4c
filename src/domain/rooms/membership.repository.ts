import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, MemberRole, MembershipTable } from '../../db/schema.js';
import { pairsIn } from '../../db/sql-arrays.js';
import type { Membership } from './room.js';
import { unreadSql } from './unread.js';

type Executor = Kysely<Database>;

/*
 * The memberships table: who is (or was) in which room, in which role, and how far they
 * have read. Its queries and its row <-> Membership mapping.
 */

export const membershipColumns = [
  'm.app_id',
  'm.room_id',
  'm.user_id',
  'm.role',
  'm.joined_at',
  'm.left_at',
  'm.updated_at',
  'm.read_seq',
  'm.last_read_message_id',
] as const;

export function toMembership(row: Selectable<MembershipTable>): Membership {
  return {
    appId: row.app_id,
    roomId: row.room_id,
    userId: row.user_id,
    role: row.role,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
    updatedAt: row.updated_at,
    readSeq: row.read_seq,
    lastReadMessageId: row.last_read_message_id,
  };
}

/**
 * One user's membership columns, aliased, for queries that left-join it to rooms (the
 * room list, the room loader): one list so both read the same fields.
 */
export const joinedMembershipColumns = [
  'm.role as m_role',
  'm.joined_at as m_joined_at',
  'm.left_at as m_left_at',
  'm.updated_at as m_updated_at',
  'm.read_seq as m_read_seq',
  'm.last_read_message_id as m_last_read_message_id',
] as const;

/** The joinedMembershipColumns of a row: null when the join found none. */
export interface JoinedMembershipRow {
  m_role: MemberRole | null;
  m_joined_at: Date | null;
  m_left_at: Date | null;
  m_updated_at: Date | null;
  m_read_seq: number | null;
  m_last_read_message_id: string | null;
}

export function toJoinedMembership(
  row: JoinedMembershipRow,
  appId: string,
  roomId: string,
  userId: string,
): Membership | null {
  if (
    row.m_role === null ||
    row.m_joined_at === null ||
    row.m_updated_at === null ||
    row.m_read_seq === null
  ) {
    return null;
  }
  return {
    appId,
    roomId,
    userId,
    role: row.m_role,
    joinedAt: row.m_joined_at,
    leftAt: row.m_left_at,
    updatedAt: row.m_updated_at,
    readSeq: row.m_read_seq,
    lastReadMessageId: row.m_last_read_message_id,
  };
}

/** Memberships (live or left) for (room, user) pairs, in one statement. */
export async function findMemberships(
  db: Executor,
  appId: string,
  keys: readonly { roomId: string; userId: string }[],
): Promise<Membership[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('memberships as m')
    .select(membershipColumns)
    .where('m.app_id', '=', appId)
    .where(
      pairsIn(
        ['m.room_id', 'm.user_id'],
        keys.map((k) => [k.roomId, k.userId] as const),
      ),
    )
    .execute();
  return rows.map(toMembership);
}

/**
 * Adds users to a room, or brings back those who had left; a (re)joining member starts
 * with nothing unread. Returns the user ids that became members (not those already in).
 */
export async function upsertMembers(
  db: Executor,
  room: { appId: string; id: string; messageSeq: number; lastMessageId: string | null },
  userIds: readonly string[],
  role: MemberRole,
  now: Date,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .insertInto('memberships')
    .values(
      userIds.map((userId) => ({
        app_id: room.appId,
        room_id: room.id,
        user_id: userId,
        role,
        joined_at: now,
        updated_at: now,
        read_seq: room.messageSeq,
        last_read_message_id: room.lastMessageId,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['app_id', 'room_id', 'user_id'])
        .doUpdateSet((eb) => ({
          left_at: null,
          joined_at: eb.ref('excluded.joined_at'),
          updated_at: eb.ref('excluded.updated_at'),
          read_seq: eb.ref('excluded.read_seq'),
          last_read_message_id: eb.ref('excluded.last_read_message_id'),
          role: eb.ref('excluded.role'),
        }))
        .where('memberships.left_at', 'is not', null),
    )
    .returning('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

/** A current member's row, for an UPDATE ... RETURNING the membership. */
function updateCurrentMember(db: Executor, appId: string, roomId: string, userId: string) {
  return db
    .updateTable('memberships as m')
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null);
}

/** Marks a member as gone; returns whether they were a current member. */
export async function markMemberLeft(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
  now: Date,
): Promise<boolean> {
  const result = await updateCurrentMember(db, appId, roomId, userId)
    .set({ left_at: now, updated_at: now })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateMemberRole(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
  role: MemberRole,
  now: Date,
): Promise<Membership | undefined> {
  const row = await updateCurrentMember(db, appId, roomId, userId)
    .set({ role, updated_at: now })
    .returning(membershipColumns)
    .executeTakeFirst();
  return row && toMembership(row);
}

/** Moves a member's read position forward only (to `seq`), never back. */
export async function advanceReadPosition(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
  position: { seq: number; messageId: string | null },
  now: Date,
): Promise<Membership | undefined> {
  const row = await updateCurrentMember(db, appId, roomId, userId)
    .set({ read_seq: position.seq, last_read_message_id: position.messageId, updated_at: now })
    .where('m.read_seq', '<', position.seq)
    .returning(membershipColumns)
    .executeTakeFirst();
  return row && toMembership(row);
}

/**
 * Whether the room has a current owner other than `userId`. Stops at the first one found
 * (owners usually joined first, so the members index finds them early).
 */
export async function hasOtherOwner(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('memberships as m')
    .select(sql<number>`1`.as('found'))
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.left_at', 'is', null)
    .where('m.role', '=', 'owner')
    .where('m.user_id', '<>', userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A user's current memberships of live rooms (the rooms their list shows). */
function liveMemberships(db: Executor, appId: string, userId: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('rooms as r', (join) =>
      join.onRef('r.app_id', '=', 'm.app_id').onRef('r.id', '=', 'm.room_id'),
    )
    .where('m.app_id', '=', appId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
    .where('r.deleted_at', 'is', null);
}

/** Ids of the live rooms a user is a current member of (what their room list listens to). */
export async function selectMemberRoomIds(db: Executor, appId: string, userId: string): Promise<string[]> {
  const rows = await liveMemberships(db, appId, userId).select('m.room_id').execute();
  return rows.map((row) => row.room_id);
}

/**
 * A user's unread messages across all their current rooms (live rooms only), in one
 * statement over the memberships_user_rooms index: the sum of unreadSql.
 */
export async function sumUnread(db: Executor, appId: string, userId: string): Promise<number> {
  const row = await liveMemberships(db, appId, userId)
    .select(sql<string | number>`coalesce(sum(${unreadSql}), 0)::int8`.as('badge'))
    .modifyEnd(sql`/* sumUnread */`)
    .executeTakeFirstOrThrow();
  // int8 is a string from pg and a number from PGlite.
  return Number(row.badge);
}
