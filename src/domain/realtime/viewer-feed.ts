import { roomTopic, userTopic, type ChatEvent, type RoomEventType } from '../../realtime/events.js';
import type { EventBus } from '../../realtime/event-bus.js';
import type { TopicSubscription } from '../../realtime/topic-subscription.js';
import { requireUser } from '../access.js';
import type { RequestContext } from '../context.js';
import { createSharedViewerLoaders } from '../loaders.js';
import { getRoomForViewer, type RoomView } from '../rooms/room.service.js';
import { listViewerRoomIds, mayHearRoomDeletion } from './audience.service.js';
import { roomAudiencesOf, type RoomAudiences } from './room-fanout.js';
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
 * room the viewer joins is listened to from then on, one they leave is dropped. A room's
 * event is read once for everyone on this instance who follows the room (room-fanout.ts).
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
  const rule = new ViewerFeedRule(ctx, viewer.appId, viewer.userId, subscription, roomAudiencesOf(bus));
  try {
    await rule.follow(await listViewerRoomIds(ctx));
    await subscription.ready();
  } catch (error) {
    subscription.close();
    rule.unfollowAll();
    throw error;
  }
  return streamFeed(subscription, (event) => rule.handle(event), {
    ...options,
    onClose: () => {
      rule.unfollowAll();
      options.onClose?.();
    },
  });
}

/** The room events that change a room list. */
const LIST_EVENTS: ReadonlySet<RoomEventType> = new Set<RoomEventType>([
  'MESSAGE_ADDED',
  'ROOM_UPDATED',
  'ROOM_DELETED',
]);

/** Which bus events change the viewer's room list, and which topics the feed follows as they come. */
class ViewerFeedRule {
  /** The rooms followed, each counted in the instance's audience of that room until dropped. */
  private readonly followed = new Map<string, () => void>();

  constructor(
    private readonly ctx: RequestContext,
    private readonly appId: string,
    private readonly userId: string,
    private readonly subscription: TopicSubscription,
    private readonly audiences: RoomAudiences,
  ) {}

  /** Starts hearing these rooms; resolves once the bus delivers their events. */
  async follow(roomIds: readonly string[]): Promise<void> {
    for (const roomId of roomIds) {
      if (!this.followed.has(roomId))
        this.followed.set(roomId, this.audiences.listen(this.appId, roomId, this.userId));
    }
    await this.subscription.add(roomIds.map((roomId) => roomTopic(this.appId, roomId)));
  }

  unfollow(roomId: string): void {
    this.subscription.remove(roomTopic(this.appId, roomId));
    this.followed.get(roomId)?.();
    this.followed.delete(roomId);
  }

  unfollowAll(): void {
    for (const stop of this.followed.values()) stop();
    this.followed.clear();
  }

  async handle(event: ChatEvent): Promise<Handled<ViewerFeedEvent>> {
    if (event.scope === 'room') {
      // Edits, reactions and other members coming and going do not change the room list.
      if (!LIST_EVENTS.has(event.type)) return null;
      // This event's reads, shared with everyone following the room here; nothing from earlier events.
      const shared = await this.audiences.loadersFor(this.ctx.db, event);
      this.ctx.loaders = createSharedViewerLoaders(shared, this.userId);
      this.ctx.now = new Date();
    } else {
      renewContext(this.ctx);
    }
    const base = { roomId: event.roomId, messageId: null, at: new Date(event.at) };
    if (event.scope === 'user') {
      switch (event.type) {
        case 'ROOM_ADDED':
          // Listen before reading: a message sent meanwhile is either in this read or heard next.
          await this.follow([event.roomId]);
          return this.withView({ ...base, type: 'ROOM_ADDED' });
        case 'ROOM_REMOVED':
          this.unfollow(event.roomId);
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
        this.unfollow(event.roomId);
        return heard ? { event: { ...base, type: 'ROOM_REMOVED', view: null } } : null;
      }
      default:
        return null;
    }
  }

  /** The event with the room as the viewer sees it now; a room they can no longer read is dropped. */
  private async withView(event: Omit<ViewerFeedEvent, 'view'>): Promise<Handled<ViewerFeedEvent>> {
    const view = await unlessRefused(() => getRoomForViewer(this.ctx, event.roomId));
    if (!view) {
      this.unfollow(event.roomId);
      return null;
    }
    return { event: { ...event, view } };
  }
}
