import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { anyInt8, anyText } from '../../db/sql-arrays.js';
import { joinedMembershipColumns, toJoinedMembership } from './membership.repository.js';
import { joinedPrefColumns, toJoinedPref } from './pref.repository.js';
import {
  hasAvatarColumn,
  returnedRoomColumns,
  roomColumns,
  toChangedColumns,
  toNewRoomRow,
  toRoom,
  type NewRoom,
  type RoomChanges,
  type StoredAvatar,
} from './room.mappers.js';
import type { Membership, Room, RoomPref } from './room.js';

type Executor = Kysely<Database>;

/*
 * The rooms table's queries; its row <-> Room mapping is room.mappers.ts.
 */

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
    .select([...roomColumns, hasAvatarColumn, ...joinedMembershipColumns, ...joinedPrefColumns])
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

/**
 * One live room with the memberships (current or left) and prefs of some users, in one
 * statement: what a live feed needs to show an event to all its subscribers. room is
 * null when the room is gone; a user without a membership row is left out.
 */
export async function findRoomWithUsersState(
  db: Executor,
  appId: string,
  roomId: string,
  userIds: readonly string[],
): Promise<{
  room: Room | null;
  states: { userId: string; membership: Membership; pref: RoomPref | null }[];
}> {
  const rows = await db
    .selectFrom('rooms as r')
    .leftJoin('memberships as m', (join) =>
      join
        .onRef('m.app_id', '=', 'r.app_id')
        .onRef('m.room_id', '=', 'r.id')
        .on('m.user_id', '=', anyText(userIds.length === 0 ? [''] : [...new Set(userIds)])),
    )
    .leftJoin('user_room_prefs as p', (join) =>
      join
        .onRef('p.app_id', '=', 'r.app_id')
        .onRef('p.room_id', '=', 'r.id')
        .onRef('p.user_id', '=', 'm.user_id'),
    )
    .select([
      ...roomColumns,
      hasAvatarColumn,
      'm.user_id as m_user_id',
      ...joinedMembershipColumns,
      ...joinedPrefColumns,
    ])
    .where('r.app_id', '=', appId)
    .where('r.id', '=', roomId)
    .where('r.deleted_at', 'is', null)
    .execute();
  const first = rows[0];
  if (!first) return { room: null, states: [] };
  const room = toRoom(first);
  const states = [];
  for (const row of rows) {
    const userId = row.m_user_id;
    const membership = userId === null ? null : toJoinedMembership(row, appId, room.id, userId);
    if (userId === null || !membership) continue;
    states.push({ userId, membership, pref: toJoinedPref(row, appId, userId, room.id) });
  }
  return { room, states };
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

export async function insertRoom(db: Executor, room: NewRoom): Promise<Room> {
  const inserted = await db
    .insertInto('rooms')
    .values(toNewRoomRow(room))
    .returning(returnedRoomColumns)
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

/** Changes a live room's settings and bumps its updated time; undefined when there is no such room. */
export async function updateRoomRow(
  db: Executor,
  appId: string,
  roomId: string,
  changes: RoomChanges,
  now: Date,
): Promise<Room | undefined> {
  const row = await db
    .updateTable('rooms as r')
    .set({ ...toChangedColumns(changes), updated_at: now })
    .where('r.app_id', '=', appId)
    .where('r.id', '=', roomId)
    .where('r.deleted_at', 'is', null)
    .returning([...roomColumns, hasAvatarColumn])
    .executeTakeFirst();
  return row && toRoom(row);
}

/** Soft-deletes a live room: it stays for incremental sync's removals. */
export async function markRoomDeleted(db: Executor, appId: string, roomId: string, now: Date): Promise<void> {
  await db
    .updateTable('rooms as r')
    .set({ deleted_at: now, updated_at: now })
    .where('r.app_id', '=', appId)
    .where('r.id', '=', roomId)
    .where('r.deleted_at', 'is', null)
    .execute();
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

/** The room's avatar: null when it has none, undefined when there is no such live room. */
export async function findRoomAvatar(
  db: Executor,
  appId: string,
  roomId: string,
): Promise<StoredAvatar | null | undefined> {
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
