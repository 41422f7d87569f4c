import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, MembershipTable } from '../../db/schema.js';
import type { CursorValue, PageRequest } from '../pagination.js';
import type { User } from '../users/user.js';
import { toUser } from '../users/user.repository.js';
import { membershipColumns, toMembership } from './membership.repository.js';
import type { Membership } from './room.js';

type Executor = Kysely<Database>;

/*
 * A room's current members in the member order (joined_at, user_id): pages, all of
 * them, or the first few of many rooms at once with their users. A read model over
 * memberships (and users), like the room list's.
 */

function currentMembers(db: Executor, appId: string, roomId: string) {
  return db
    .selectFrom('memberships as m')
    .select(membershipColumns)
    .where('m.app_id', '=', appId)
    .where('m.room_id', '=', roomId)
    .where('m.left_at', 'is', null);
}

/** A page of one room's current members, keyset on (joined_at, user_id). */
export async function selectRoomMembers(
  db: Executor,
  appId: string,
  roomId: string,
  page: PageRequest,
): Promise<Membership[]> {
  const ascending = !page.backward;
  let query = currentMembers(db, appId, roomId)
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

/** Every current member of one room, oldest first, in one statement (an index range scan). */
export async function selectAllRoomMembers(
  db: Executor,
  appId: string,
  roomId: string,
): Promise<Membership[]> {
  const rows = await currentMembers(db, appId, roomId)
    .orderBy('m.joined_at', 'asc')
    .orderBy('m.user_id', 'asc')
    .execute();
  return rows.map(toMembership);
}

/** A member's place in the member order, for cursors. */
export function memberCursorValues(membership: Membership): CursorValue[] {
  return [membership.joinedAt.toISOString(), membership.userId];
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
