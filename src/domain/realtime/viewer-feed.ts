import { roomTopic, userTopic, type ChatEvent } from '../../realtime/events.js';
import type { EventBus } from '../../realtime/event-bus.js';
import type { TopicSubscription } from '../../realtime/topic-subscription.js';
import { requireUser } from '../access.js';
import type { RequestContext } from '../context.js';
import { getRoomForViewer, type RoomView } from '../rooms/room.service.js';
import { listViewerRoomIds, mayHearRoomDeletion } from './audience.service.js';
import {
  renewContext,
  streamFeed,
  unlessRefused,
  type FeedItem,
  type FeedOptions,
  type Handled,
} from './feed.js';

/*
 * A viewer's feed: whatever changes their room list, with the room as it is now (its
 * unread count, last message, pref). It listens to the viewer's own topic and to the
 * topic of every room they are in, and follows joins and leaves while it is open: a
 * room the viewer joins is listened to from then on, one they leave is dropped.
 */

export type ViewerEventType =
  'ROOM_ADDED' | 'ROOM_REMOVED' | 'ROOM_UPDATED' | 'MESSAGE_ADDED' | 'PREF_UPDATED' | 'READ_UPDATED';

export interface ViewerFeedEvent {
  type: ViewerEventType;
  roomId: string;
  /** The room as the viewer sees it now; null for ROOM_REMOVED. */
  view: RoomView | null;
  /** The new message (MESSAGE_ADDED). */
  messageId: string | null;
  at: Date;
}

/**
 * Opens the feed of the context's viewer (a user: the API key has no room list). It
 * resolves once the bus delivers, so a write made after that is heard.
 */
export async function openViewerFeed(
  ctx: RequestContext,
  bus: EventBus,
  options: FeedOptions,
): Promise<AsyncIterableIterator<FeedItem<ViewerFeedEvent>>> {
  const viewer = requireUser(ctx);
  // Listen to the viewer first, so a room added while the list is read is not missed.
  const subscription = bus.subscribe([userTopic(viewer.appId, viewer.userId)]);
  try {
    const roomIds = await listViewerRoomIds(ctx);
    await subscription.add(roomIds.map((roomId) => roomTopic(viewer.appId, roomId)));
    await subscription.ready();
  } catch (error) {
    subscription.close();
    throw error;
  }
  const rule = new ViewerFeedRule(ctx, viewer.appId, subscription);
  return streamFeed(subscription, (event) => rule.handle(event), options);
}

/** Which bus events change the viewer's room list, and which topics the feed follows as they come. */
class ViewerFeedRule {
  constructor(
    private readonly ctx: RequestContext,
    private readonly appId: string,
    private readonly subscription: TopicSubscription,
  ) {}

  async handle(event: ChatEvent): Promise<Handled<ViewerFeedEvent>> {
    renewContext(this.ctx);
    const base = { roomId: event.roomId, messageId: null, at: new Date(event.at) };
    const topic = roomTopic(this.appId, event.roomId);
    if (event.scope === 'user') {
      switch (event.type) {
        case 'ROOM_ADDED':
          // Listen before reading: a message sent meanwhile is either in this read or heard next.
          await this.subscription.add([topic]);
          return this.withView({ ...base, type: 'ROOM_ADDED' });
        case 'ROOM_REMOVED':
          this.subscription.remove(topic);
          return { event: { ...base, type: 'ROOM_REMOVED', view: null } };
        case 'PREF_UPDATED':
        case 'READ_UPDATED':
          return this.withView({ ...base, type: event.type });
      }
    }
    switch (event.type) {
      case 'MESSAGE_ADDED':
        return this.withView({ ...base, type: 'MESSAGE_ADDED', messageId: event.messageId ?? null });
      case 'ROOM_UPDATED':
        return this.withView({ ...base, type: 'ROOM_UPDATED' });
      case 'ROOM_DELETED': {
        const heard = await mayHearRoomDeletion(this.ctx, event.roomId);
        this.subscription.remove(topic);
        return heard ? { event: { ...base, type: 'ROOM_REMOVED', view: null } } : null;
      }
      default:
        // Edits, reactions and other members coming and going do not change the room list.
        return null;
    }
  }

  /** The event with the room as the viewer sees it now; a room they can no longer read is dropped. */
  private async withView(event: Omit<ViewerFeedEvent, 'view'>): Promise<Handled<ViewerFeedEvent>> {
    const view = await unlessRefused(() => getRoomForViewer(this.ctx, event.roomId));
    if (!view) {
      this.subscription.remove(roomTopic(this.appId, event.roomId));
      return null;
    }
    return { event: { ...event, view } };
  }
}
