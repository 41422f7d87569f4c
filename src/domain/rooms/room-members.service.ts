import type { RequestContext } from '../context.js';
import { loadReadableRoom } from '../access.js';
import { NotFoundError } from '../errors.js';
import { encodeCursor, lazyEdge, toPage, type Edge, type Page, type PageRequest } from '../pagination.js';
import { memberKey } from './room.mappers.js';
import { memberCursorValues } from './room.repository.js';
import type { Room, RoomMember } from './room.js';
import { firstRoomMembers, listRoomMembers, MEMBER_ORDER_KEY, unreadOf } from './room.service.js';

/*
 * Member reads the GraphQL API needs beside room.service.ts: one member by key (Relay
 * node), and member pages that batch across the rooms of a list.
 */

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
  const edges = members.map((node) => lazyEdge(node, memberCursor));
  return toPage(edges, page);
}

function memberCursor(member: RoomMember): string {
  return encodeCursor(MEMBER_ORDER_KEY, memberCursorValues(member.membership));
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
