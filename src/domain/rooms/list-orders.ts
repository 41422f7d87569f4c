import type { CursorOrder } from '../pagination.js';
import { roomOrderKey } from './room-list.repository.js';
import { DEFAULT_ROOM_ORDER, type RoomListQuery } from './room.js';

/*
 * The orders the room list and member lists page by, named so a cursor is only taken
 * back by the order that issued it. Transports need them to decode `after`/`before`
 * (relayPage) before they call a list service.
 */

/** Members: oldest first, by (joined_at, user_id). */
export const MEMBER_ORDER_KEY: CursorOrder = { name: 'members', keys: ['timestamptz', 'text'] };

/** The query with its order filled in: no order asked for is the default (last activity first). */
export function normalizeRoomListQuery(query: RoomListQuery): RoomListQuery {
  return { ...query, orderBy: query.orderBy.length > 0 ? query.orderBy : DEFAULT_ROOM_ORDER };
}

/** The order key cursors of this room list query carry. */
export function roomListOrderKey(query: RoomListQuery): CursorOrder {
  return roomOrderKey(normalizeRoomListQuery(query));
}
