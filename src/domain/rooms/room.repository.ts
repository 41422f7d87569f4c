import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, MemberRole, MembershipTable, RoomTable } from '../../db/schema.js';
import type { User } from '../users/user.js';
import { toUser } from '../users/user.repository.js';
import type { CursorValue, PageRequest } from '../pagination.js';
import type { Membership, Room, RoomPref } from './room.js';
import {
  toJoinedMembership,
  toJoinedPref,
  viewerStateColumns,
  hasAvatarBare,
  hasAvatarColumn,
  unprefixed,
  membershipColumns,
  prefColumns,
  roomColumns,
  toMembership,
  toPref,
  toRoom,
} from './room.mappers.js';
import { anyInt8, anyText, pairsIn } from '../../db/sql-arrays.js';

type Executor = Kysely<Database>;

/** Live (not deleted) rooms by id, in one statement. */
export async function findRoomsByIds(db: Executor, appId: string, ids: readonly string[]): Promise<Room[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('rooms as r')
    .select([...roomColumns, hasAvatarColumn])
    .where('r.app_id', '=', appId)
    .where('r.id', '=', anyText(ids))
    .where('r.deleted_at', 'is', null)
    .execute();
  return rows.map(toRoom);
}

/**
 * Live rooms by id with one user's membership (current or left) and pref in the same
 * statement: the room loader primes the membership and pref loaders with them, so
 * reading a room as its viewer (loadReadableRoom, then the pref) costs one statement
 * instead of three.
 */
export async function findRoomsWithUserState(
  db: Executor,
  appId: string,
  ids: readonly string[],
  userId: string,
): Promise<{ room: Room; membership: Membership | null; pref: RoomPref | null }[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('rooms as r')
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.app_id', '=', 'r.app_id').onRef('m.room_id', '=', 'r.id').on('m.user_id', '=', userId),
    )
    .leftJoin('user_room_prefs as p', (join) =>
      join.onRef('p.app_id', '=', 'r.app_id').onRef('p.room_id', '=', 'r.id').on('p.user_id', '=', userId),
    )
    .select([...roomColumns, hasAvatarColumn, ...viewerStateColumns])
    .where('r.app_id', '=', appId)
    .where('r.id', '=', anyText(ids))
    .where('r.deleted_at', 'is', null)
    .execute();
  return rows.map((row) => {
    const room = toRoom(row);
    const membership = toJoinedMembership(row, appId, room.id, userId);
    const pref = toJoinedPref(row, appId, userId, room.id);
    return { room, membership, pref };
  });
}

export async function findRoomIdsByNumIds(
  db: Executor,
  appId: string,
  numIds: readonly number[],
): Promise<{ id: string; numId: number }[]> {
  if (numIds.length === 0) return [];
  const rows = await db
    .selectFrom('rooms')
    .select(['id', 'num_id'])
    .where('app_id', '=', appId)
    .where('num_id', '=', anyInt8(numIds))
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ id: r.id, numId: r.num_id }));
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

export async function findPrefs(
  db: Executor,
  appId: string,
  keys: readonly { roomId: string; userId: string }[],
): Promise<RoomPref[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('user_room_prefs as p')
    .select(prefColumns)
    .where('p.app_id', '=', appId)
    .where(
      pairsIn(
        ['p.room_id', 'p.user_id'],
        keys.map((k) => [k.roomId, k.userId] as const),
      ),
    )
    .execute();
  return rows.map(toPref);
}

/**
 * The first `limit` current members of each room (oldest first) with their users, one
 * statement for all rooms: a lateral index range per room, so a 5,000-member room costs
 * `limit` rows. The users come along because every member list shows names: a second
 * batch for them would cost a statement per request (the GraphQL room list's budget).
 */
export async function findFirstMembers(
  db: Executor,
  appId: string,
  roomIds: readonly string[],
  limit: number,
): Promise<{ membership: Membership; user: User }[]> {
  if (roomIds.length === 0) return [];
  const result = await sql<Selectable<MembershipTable> & FirstMemberUserColumns>`
    /* findFirstMembers */
    select m.app_id, m.room_id, m.user_id, m.role, m.joined_at, m.left_at, m.updated_at, m.read_seq, m.last_read_message_id,
      u.num_id as u_num_id, u.username as u_username, u.nickname as u_nickname, u.avatar_url as u_avatar_url,
      u.description as u_description, u.is_robot as u_is_robot, u.last_login_at as u_last_login_at,
      u.created_at as u_created_at, u.updated_at as u_updated_at
    from unnest(${sql.val([...roomIds])}::text[]) as wanted(room_id)
    cross join lateral (
      select * from memberships
      where app_id = ${appId} and room_id = wanted.room_id and left_at is null
      order by joined_at, user_id
      limit ${limit}
    ) m
    join users u on u.app_id = m.app_id and u.id = m.user_id`.execute(db);
  return result.rows.map((row) => ({
    membership: toMembership(row),
    user: toUser({
      app_id: row.app_id,
      id: row.user_id,
      num_id: row.u_num_id,
      username: row.u_username,
      nickname: row.u_nickname,
      avatar_url: row.u_avatar_url,
      description: row.u_description,
      is_robot: row.u_is_robot,
      last_login_at: row.u_last_login_at,
      created_at: row.u_created_at,
      updated_at: row.u_updated_at,
    }),
  }));
}

interface FirstMemberUserColumns {
  u_num_id: number;
  u_username: string;
  u_nickname: string;
  u_avatar_url: string;
  u_description: string;
  u_is_robot: boolean;
  u_last_login_at: Date | null;
  u_created_at: Date;
  u_updated_at: Date;
}

/** A page of one room's current members, keyset on (joined_at, user_id). */
export async function selectRoomMembers(
  db: Executor,
  appId: string,
  roomId: string,
  page: PageRequest,
): Promise<Membership[]> {
  const ascending = !page.backward;
  let query = db
    .selectFrom('memberships as m')
    .select(membershipColumns)
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.left_at', 'is', null)
    .orderBy('m.joined_at', ascending ? 'asc' : 'desc')
    .orderBy('m.user_id', ascending ? 'asc' : 'desc')
    .limit(page.limit + 1);
  if (page.cursor) {
    const [joinedAt, userId] = page.cursor as [string, string];
    query = query.where(
      sql<boolean>`(m.joined_at, m.user_id) ${sql.raw(ascending ? '>' : '<')} (${joinedAt}::timestamptz, ${userId})`,
    );
  }
  return (await query.execute()).map(toMembership);
}

export function memberCursorValues(membership: Membership): CursorValue[] {
  return [membership.joinedAt.toISOString(), membership.userId];
}

export async function insertRoom(db: Executor, row: Insertable<RoomTable>): Promise<Room> {
  const inserted = await db
    .insertInto('rooms')
    .values(row)
    .returning([...unprefixed(roomColumns), hasAvatarBare])
    .executeTakeFirstOrThrow();
  return toRoom(inserted);
}

export async function findRoomByDirectKey(
  db: Executor,
  appId: string,
  directKey: string,
): Promise<Room | undefined> {
  const row = await db
    .selectFrom('rooms as r')
    .select([...roomColumns, hasAvatarColumn])
    .where('r.app_id', '=', appId)
    .where('r.direct_key', '=', directKey)
    .where('r.deleted_at', 'is', null)
    .executeTakeFirst();
  return row && toRoom(row);
}

/** Reads a room row FOR UPDATE: writers that change a room's counters serialize on it. */
export async function lockRoom(db: Executor, appId: string, roomId: string): Promise<Room | undefined> {
  const row = await db
    .selectFrom('rooms as r')
    .select([...roomColumns, hasAvatarColumn])
    .where('r.app_id', '=', appId)
    .where('r.id', '=', roomId)
    .where('r.deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  return row && toRoom(row);
}

export async function updateRoomRow(
  db: Executor,
  appId: string,
  roomId: string,
  changes: Updateable<RoomTable>,
): Promise<Room | undefined> {
  const row = await db
    .updateTable('rooms as r')
    .set(changes)
    .where('r.app_id', '=', appId)
    .where('r.id', '=', roomId)
    .where('r.deleted_at', 'is', null)
    .returning([...roomColumns, hasAvatarColumn])
    .executeTakeFirst();
  return row && toRoom(row);
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

/** Marks a member as gone; returns whether they were a current member. */
export async function markMemberLeft(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('memberships')
    .set({ left_at: now, updated_at: now })
    .where('app_id', '=', appId)
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .where('left_at', 'is', null)
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
  const row = await db
    .updateTable('memberships as m')
    .set({ role, updated_at: now })
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
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

/** Moves a member's read position forward only (to `seq`), never back. */
export async function advanceReadPosition(
  db: Executor,
  appId: string,
  roomId: string,
  userId: string,
  position: { seq: number; messageId: string | null },
  now: Date,
): Promise<Membership | undefined> {
  const row = await db
    .updateTable('memberships as m')
    .set({ read_seq: position.seq, last_read_message_id: position.messageId, updated_at: now })
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.user_id', '=', userId)
    .where('m.left_at', 'is', null)
    .where('m.read_seq', '<', position.seq)
    .returning(membershipColumns)
    .executeTakeFirst();
  return row && toMembership(row);
}

/** Adds `delta` to a room's member count and bumps its updated time. */
export async function bumpMemberCount(
  db: Executor,
  appId: string,
  roomId: string,
  delta: number,
  now: Date,
): Promise<void> {
  await db
    .updateTable('rooms')
    .set((eb) => ({ member_count: eb('member_count', '+', delta), updated_at: now }))
    .where('app_id', '=', appId)
    .where('id', '=', roomId)
    .execute();
}

export async function upsertPref(
  db: Executor,
  pref: Omit<RoomPref, 'updatedAt'>,
  now: Date,
): Promise<RoomPref> {
  const values = {
    app_id: pref.appId,
    user_id: pref.userId,
    room_id: pref.roomId,
    tags: pref.tags,
    tag_colors: JSON.stringify(pref.tagColors),
    hidden: pref.hidden,
    sticky: pref.sticky,
    muted: pref.muted,
    folder: pref.folder,
    updated_at: now,
  };
  const row = await db
    .insertInto('user_room_prefs')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['app_id', 'user_id', 'room_id']).doUpdateSet({
        tags: values.tags,
        tag_colors: values.tag_colors,
        hidden: values.hidden,
        sticky: values.sticky,
        muted: values.muted,
        folder: values.folder,
        updated_at: now,
      }),
    )
    .returning(unprefixed(prefColumns))
    .executeTakeFirstOrThrow();
  return toPref(row);
}

export async function findRoomAvatar(
  db: Executor,
  appId: string,
  roomId: string,
): Promise<{ bytes: Uint8Array; mime: string; filename: string } | null | undefined> {
  const row = await db
    .selectFrom('rooms')
    .select(['avatar', 'avatar_mime', 'avatar_filename'])
    .where('app_id', '=', appId)
    .where('id', '=', roomId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!row.avatar) return null;
  return {
    bytes: row.avatar,
    mime: row.avatar_mime ?? 'application/octet-stream',
    filename: row.avatar_filename ?? `${roomId}`,
  };
}
