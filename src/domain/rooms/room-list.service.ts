import type { RequestContext } from '../context.js';
import { requireUser } from '../access.js';
import { encodeCursor, lazyEdge, toPage, type Edge, type Page, type PageRequest } from '../pagination.js';
import { normalizeRoomListQuery } from './list-orders.js';
import { memberKey } from './member-key.js';
import {
  countViewerRoomRows,
  cursorValues,
  isOffsetPage,
  roomOrderKey,
  selectRemovedRooms,
  selectViewerRooms,
  type ListedRoom,
} from './room-list.repository.js';
import {
  DEFAULT_ROOM_ORDER,
  type OffsetPage,
  type RoomFilter,
  type RoomListQuery,
  type ViewerRoom,
} from './room.js';

/*
 * The viewer's room list: pages of it, its size, and what changed in it since a time
 * (incremental sync). Each is one statement that also primes the request's loaders.
 */

/**
 * The viewer's rooms: filtered, ordered, paged by keyset (or by offset for IMKit's
 * `skip`). One statement; the loaders are primed with the rooms, memberships and prefs.
 */
export async function listViewerRooms(
  ctx: RequestContext,
  rawQuery: RoomListQuery,
  page: PageRequest | OffsetPage,
): Promise<Page<Edge<ViewerRoom>>> {
  const viewer = requireUser(ctx);
  const query = normalizeRoomListQuery(rawQuery);
  const rows = await selectViewerRooms(ctx.db, viewer.appId, viewer.userId, query, page);
  for (const row of rows) primeViewerRoom(ctx, row);
  const orderKey = roomOrderKey(query);
  const edges = rows.map((node) => lazyEdge(node, (row) => encodeCursor(orderKey, cursorValues(query, row))));
  if (isOffsetPage(page)) {
    return { rows: edges, hasNextPage: false, hasPreviousPage: page.offset > 0 };
  }
  return toPage(edges, page);
}

/** A listed room's rows into the request's loaders: the room, its last message and sender are read once. */
function primeViewerRoom(ctx: RequestContext, row: ListedRoom): void {
  const key = memberKey(row.room.id, row.membership.userId);
  ctx.loaders.room.prime(row.room.id, row.room);
  ctx.loaders.membership.prime(key, row.membership);
  ctx.loaders.pref.prime(key, row.pref);
  if (row.lastMessage) ctx.loaders.message.prime(row.lastMessage.id, row.lastMessage);
  if (row.lastSender) ctx.loaders.user.prime(row.lastSender.id, row.lastSender);
}

/**
 * What changed in the viewer's room list after `since` (everything when null): the rooms
 * to update and the rooms to drop (left or deleted), for incremental sync.
 */
export async function listRoomChangesSince(
  ctx: RequestContext,
  since: Date | null,
): Promise<{ updated: ViewerRoom[]; removed: { roomId: string; at: Date }[] }> {
  const viewer = requireUser(ctx);
  const query: RoomListQuery = {
    filter: since ? { changedSince: since } : {},
    orderBy: DEFAULT_ROOM_ORDER,
    unreadFirst: false,
  };
  const [updated, removed] = await Promise.all([
    selectViewerRooms(ctx.db, viewer.appId, viewer.userId, query, { offset: 0, limit: null }),
    since ? selectRemovedRooms(ctx.db, viewer.appId, viewer.userId, since) : [],
  ]);
  for (const row of updated) primeViewerRoom(ctx, row);
  return { updated, removed };
}

export async function countViewerRooms(ctx: RequestContext, filter: RoomFilter): Promise<number> {
  const viewer = requireUser(ctx);
  return countViewerRoomRows(ctx.db, viewer.appId, viewer.userId, filter);
}
