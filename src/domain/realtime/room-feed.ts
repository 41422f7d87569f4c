import type { EventBus } from '../../realtime/event-bus.js';
import { roomTopic, type RoomEvent as BusRoomEvent, type RoomEventType } from '../../realtime/events.js';
import type { RequestContext } from '../context.js';
import { ForbiddenError, isDomainError } from '../errors.js';
import { getRoomForViewer, type RoomView } from '../rooms/room.service.js';
import { createSharedViewerLoaders } from '../loaders.js';
import { mayHearRoomDeletion } from './audience.service.js';
import { roomAudiencesOf, type RoomAudiences } from './room-fanout.js';
import { streamFeed, type FeedItem, type FeedOptions, type Handled } from './feed.js';

/*
 * A room's feed: everything that happens in one room, for its members and the app's API
 * key. Authorized when it opens and again for every event: a member who leaves gets a
 * last FORBIDDEN and the feed ends; a deleted room sends ROOM_DELETED and ends. Each
 * event is read once for all the room's subscribers on this instance (room-fanout.ts),
 * and every subscriber authorizes it against those reads.
 */

export interface RoomFeedEvent {
  type: RoomEventType;
  roomId: string;
  /** The room as the subscriber sees it now; null once deleted. */
  view: RoomView | null;
  messageId: string | null;
  /** Members who joined or left, or whose role changed; empty otherwise. */
  userIds: string[];
  /** Who did it (null for the app's API key). */
  actorId: string | null;
  at: Date;
}

/** Opens one room's feed; refused (as reading the room is) for anyone who may not read it. */
export async function openRoomFeed(
  ctx: RequestContext,
  bus: EventBus,
  roomId: string,
  options: FeedOptions,
): Promise<AsyncIterableIterator<FeedItem<RoomFeedEvent>>> {
  const { room } = await getRoomForViewer(ctx, roomId);
  const audiences = roomAudiencesOf(bus);
  const stopListening = audiences.listen(room.appId, room.id, ctx.viewer?.userId ?? null);
  const subscription = bus.subscribe([roomTopic(room.appId, room.id)]);
  try {
    // The feed opens only once the bus delivers, so a write made after that is heard.
    await subscription.ready();
  } catch (error) {
    subscription.close();
    stopListening();
    throw error;
  }
  return streamFeed(
    subscription,
    (event) =>
      event.scope === 'room' ? handleRoomEvent(ctx, audiences, room.id, event) : Promise.resolve(null),
    {
      ...options,
      onClose: () => {
        stopListening();
        options.onClose?.();
      },
    },
  );
}

async function handleRoomEvent(
  ctx: RequestContext,
  audiences: RoomAudiences,
  roomId: string,
  event: BusRoomEvent,
): Promise<Handled<RoomFeedEvent>> {
  // This event's reads, shared with the room's other subscribers; nothing from earlier events.
  ctx.loaders = createSharedViewerLoaders(
    await audiences.loadersFor(ctx.db, event),
    ctx.viewer?.userId ?? null,
  );
  ctx.now = new Date();
  if (event.type === 'ROOM_DELETED') {
    if (!(await mayHearRoomDeletion(ctx, roomId))) {
      return { end: new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' }) };
    }
    return { event: toRoomFeedEvent(event, null), last: true };
  }
  try {
    return { event: toRoomFeedEvent(event, await getRoomForViewer(ctx, roomId)) };
  } catch (error) {
    // No longer allowed to read the room (left, removed, deleted): say why, then stop.
    if (isDomainError(error)) return { end: error };
    throw error;
  }
}

function toRoomFeedEvent(event: BusRoomEvent, view: RoomView | null): RoomFeedEvent {
  return {
    type: event.type,
    roomId: event.roomId,
    view,
    messageId: event.messageId ?? null,
    userIds: event.userIds ?? [],
    actorId: event.actorId,
    at: new Date(event.at),
  };
}
