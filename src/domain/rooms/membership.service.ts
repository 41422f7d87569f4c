import type { RequestContext } from '../context.js';
import { isForeignKeyViolation } from '../../db/errors.js';
import { announceRoomEvent, announceUserEvent } from '../announce.js';
import { loadManageableRoom, loadReadableRoom, requireViewer } from '../access.js';
import { NotFoundError } from '../errors.js';
import { encodeCursor, lazyEdge, toPage, type Edge, type Page, type PageRequest } from '../pagination.js';
import { validateUserId } from '../users/user.service.js';
import { limitWrite } from '../write-limit.js';
import { checkCount } from '../input-limits.js';
import { MEMBER_ORDER_KEY } from './list-orders.js';
import { memberKey } from './member-key.js';
import { memberCursorValues, selectAllRoomMembers, selectRoomMembers } from './member-list.repository.js';
import { markMemberLeft, updateMemberRole, upsertMembers } from './membership.repository.js';
import { bumpMemberCount } from './room.repository.js';
import { authorizeMembershipChange, keepAnOwner, lockMembers } from './room-roles.js';
import type { Membership, MemberRole, Room, RoomMember } from './room.js';
import { unreadOf } from './unread.js';

/*
 * Who is in a room: listing its members (a page, the first few of many rooms, all of
 * them, one by key) and changing them (add, remove or leave, set a role). Who may change
 * whose place is decided in room-roles.ts.
 */

function memberCursor(membership: Membership): string {
  return encodeCursor(MEMBER_ORDER_KEY, memberCursorValues(membership));
}

/** A page of a room's current members, oldest first. */
export async function listRoomMembers(
  ctx: RequestContext,
  roomId: string,
  page: PageRequest,
): Promise<Page<Edge<RoomMember>>> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const rows = await selectRoomMembers(ctx.db, room.appId, roomId, page);
  const edges = rows.map((membership) => {
    ctx.loaders.membership.prime(memberKey(roomId, membership.userId), membership);
    return { cursor: memberCursor(membership), node: { membership, unread: unreadOf(room, membership) } };
  });
  return toPage(edges, page);
}

/** Every current member of a room the viewer may read, oldest first, in one statement. */
export async function listAllRoomMembers(ctx: RequestContext, roomId: string): Promise<RoomMember[]> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const rows = await selectAllRoomMembers(ctx.db, room.appId, roomId);
  return rows.map((membership) => {
    ctx.loaders.membership.prime(memberKey(roomId, membership.userId), membership);
    return { membership, unread: unreadOf(room, membership) };
  });
}

/** The first `limit` members of a room for lists (batched across rooms through a loader). */
export async function firstRoomMembers(
  ctx: RequestContext,
  room: Room,
  limit: number,
): Promise<RoomMember[]> {
  const rows = await ctx.loaders.firstMembers(limit).load(room.id);
  return rows.map(({ membership, user }) => ({ membership, unread: unreadOf(room, membership), user }));
}

/**
 * A page of the members of a room the viewer already sees (it came from their list or
 * getRoomForViewer). First pages go through the firstMembers loader, so `members(first: 5)`
 * on 50 rooms is one statement; later or backward pages use the keyset query.
 */
export async function pageRoomMembers(
  ctx: RequestContext,
  room: Room,
  page: PageRequest,
): Promise<Page<Edge<RoomMember>>> {
  if (page.cursor !== null || page.backward) return listRoomMembers(ctx, room.id, page);
  const members = await firstRoomMembers(ctx, room, page.limit + 1);
  const edges = members.map((node) => lazyEdge(node, (member) => memberCursor(member.membership)));
  return toPage(edges, page);
}

/** A current member of a room the viewer may read; NOT_FOUND (MEMBER_NOT_FOUND) if they are not in it. */
export async function getRoomMemberForViewer(
  ctx: RequestContext,
  roomId: string,
  userId: string,
): Promise<RoomMember> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const membership = await ctx.loaders.membership.load(memberKey(roomId, userId));
  if (!membership || membership.leftAt !== null) {
    throw new NotFoundError(`"${userId}" is not a member of room "${roomId}"`, {
      reason: 'MEMBER_NOT_FOUND',
    });
  }
  return { membership, unread: unreadOf(room, membership) };
}

/**
 * Adds users to a room; returns the ids that joined. Who may add which role: room-roles.ts
 * (owners and the API key any, moderators members and moderators). A current member is
 * skipped and keeps their role (setMemberRole changes roles); a former member rejoins
 * with `role`.
 */
export async function addMembers(
  ctx: RequestContext,
  roomId: string,
  userIds: string[],
  role: MemberRole = 'member',
): Promise<string[]> {
  await limitWrite(ctx, 'addMembers');
  const viewer = requireViewer(ctx);
  const { room } = await loadManageableRoom(ctx, roomId);
  checkCount(userIds, 'members', 'userIds');
  userIds.forEach((id) => validateUserId(id));
  const now = ctx.now;
  try {
    const added = await ctx.db.transaction().execute(async (trx) => {
      const locked = await lockMembers(trx, room, viewer, []);
      authorizeMembershipChange(locked.actor, viewer.userId, { kind: 'add', role });
      const joined = await upsertMembers(trx, locked.room, [...new Set(userIds)], role, now);
      if (joined.length > 0) await bumpMemberCount(trx, room.appId, room.id, joined.length, now);
      return joined;
    });
    if (added.length > 0) {
      ctx.loaders.room.clear(room.id);
      for (const userId of added) ctx.loaders.membership.clear(memberKey(room.id, userId));
      announceRoomEvent(ctx, 'MEMBER_JOINED', room.id, { userIds: added });
      announceUserEvent(ctx, 'ROOM_ADDED', added, room.id);
    }
    return added;
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new NotFoundError('A user to add does not exist in this app', { reason: 'USER_NOT_FOUND' });
    }
    throw error;
  }
}

/**
 * A member leaves, or is removed (owners, moderators, the API key: see room-roles.ts;
 * a moderator never removes an owner). The last owner of a group room can neither leave
 * nor be removed: CONFLICT (LAST_OWNER).
 */
export async function removeMember(ctx: RequestContext, roomId: string, userId: string): Promise<void> {
  await limitWrite(ctx, 'removeMember');
  const viewer = requireViewer(ctx);
  const { room } =
    viewer.userId === userId ? await loadReadableRoom(ctx, roomId) : await loadManageableRoom(ctx, roomId);
  const now = ctx.now;
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await lockMembers(trx, room, viewer, [userId]);
    const target = locked.members.get(userId);
    if (!target) {
      throw new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'NOT_ROOM_MEMBER' });
    }
    const change = { kind: 'remove', target } as const;
    authorizeMembershipChange(locked.actor, viewer.userId, change);
    await keepAnOwner(trx, locked.room, change);
    await markMemberLeft(trx, room.appId, room.id, userId, now);
    await bumpMemberCount(trx, room.appId, room.id, -1, now);
  });
  ctx.loaders.room.clear(room.id);
  ctx.loaders.membership.clear(memberKey(room.id, userId));
  announceRoomEvent(ctx, 'MEMBER_LEFT', room.id, { userIds: [userId] });
  announceUserEvent(ctx, 'ROOM_REMOVED', [userId], room.id);
}

/**
 * Sets a member's role (who may: room-roles.ts; owners and the API key any role,
 * moderators neither touch an owner nor make one). Demoting the last owner of a group
 * room is CONFLICT (LAST_OWNER).
 */
export async function setMemberRole(
  ctx: RequestContext,
  roomId: string,
  userId: string,
  role: MemberRole,
): Promise<Membership> {
  await limitWrite(ctx, 'setMemberRole');
  const viewer = requireViewer(ctx);
  const { room } = await loadManageableRoom(ctx, roomId);
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const locked = await lockMembers(trx, room, viewer, [userId]);
    const target = locked.members.get(userId);
    if (!target) throw memberNotFound(userId);
    const change = { kind: 'setRole', target, role } as const;
    authorizeMembershipChange(locked.actor, viewer.userId, change);
    await keepAnOwner(trx, locked.room, change);
    return updateMemberRole(trx, room.appId, roomId, userId, role, ctx.now);
  });
  if (!updated) throw memberNotFound(userId);
  ctx.loaders.membership.clear(memberKey(roomId, userId)).prime(memberKey(roomId, userId), updated);
  announceRoomEvent(ctx, 'MEMBER_ROLE_CHANGED', roomId, { userIds: [userId] });
  return updated;
}

function memberNotFound(userId: string): NotFoundError {
  return new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'MEMBER_NOT_FOUND' });
}
