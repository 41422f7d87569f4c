import { requireUser } from '../../domain/access.js';
import { listViewerRoomIds, mayHearRoomDeletion } from '../../domain/rooms/room-events.service.js';
import { getRoomForViewer, type RoomView } from '../../domain/rooms/room.service.js';
import { roomTopic, userTopic, type ChatEvent } from '../../realtime/events.js';
import type { TopicSubscription } from '../../realtime/topic-subscription.js';
import { builder, type GraphQLContext } from '../builder.js';
import { MessageRef } from '../types/message.js';
import { RoomRef } from '../types/room.js';
import {
  busOf,
  EventStream,
  openWithSlot,
  payloadOrThrow,
  renewContext,
  unlessRefused,
  type Handled,
} from './event-stream.js';

/*
 * viewerEvents: whatever changes the viewer's room list, with the room as it is now (its
 * unread count, last message, pref). It listens to the viewer's own topic and to the
 * topic of every room they are in, and follows joins and leaves while it is open: a
 * room the viewer joins is listened to from then on, one they leave is dropped.
 */

type ViewerEventType =
  'ROOM_ADDED' | 'ROOM_REMOVED' | 'ROOM_UPDATED' | 'MESSAGE_ADDED' | 'PREF_UPDATED' | 'READ_UPDATED';

interface ViewerEventPayload {
  type: ViewerEventType;
  roomId: string;
  view: RoomView | null;
  messageId: string | null;
  at: Date;
}

const ViewerEventTypeEnum = builder.enumType('ViewerEventType', {
  values: {
    ROOM_ADDED: { description: 'The viewer joined (or was added to, or created) a room.' },
    ROOM_REMOVED: {
      description: 'The viewer left or was removed from a room, or it was deleted (`room` is null).',
    },
    ROOM_UPDATED: { description: "A room's settings changed." },
    MESSAGE_ADDED: {
      description:
        "A message arrived in one of the viewer's rooms (`message`; `room.unread` is the new count).",
    },
    PREF_UPDATED: { description: "The viewer's pref for a room changed (on any of their devices)." },
    READ_UPDATED: {
      description: 'The viewer read a room (on any of their devices): `room.unread` is the new count.',
    },
  } as const,
});

const ViewerEventRef = builder.objectRef<ViewerEventPayload>('ViewerEvent').implement({
  description: "A change to the viewer's room list, with the room as it is now.",
  fields: (t) => ({
    type: t.field({ type: ViewerEventTypeEnum, resolve: (e) => e.type }),
    roomId: t.exposeString('roomId'),
    room: t.field({
      type: RoomRef,
      nullable: true,
      description: 'The room now (unread, lastMessage, pref); null for ROOM_REMOVED.',
      resolve: (e) => e.view,
    }),
    message: t.field({
      type: MessageRef,
      nullable: true,
      description: 'The new message (MESSAGE_ADDED).',
      resolve: (e, _a, ctx) => (e.messageId ? ctx.loaders.message.load(e.messageId) : null),
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

class ViewerEventHandler {
  constructor(
    private readonly ctx: GraphQLContext,
    private readonly appId: string,
    private readonly subscription: TopicSubscription,
  ) {}

  async handle(event: ChatEvent): Promise<Handled<ViewerEventPayload>> {
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
          return { payload: { ...base, type: 'ROOM_REMOVED', view: null } };
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
        return heard ? { payload: { ...base, type: 'ROOM_REMOVED', view: null } } : null;
      }
      default:
        // Edits, reactions and other members coming and going do not change the room list.
        return null;
    }
  }

  /** The event with the room as the viewer sees it now; a room they can no longer read is dropped. */
  private async withView(payload: Omit<ViewerEventPayload, 'view'>): Promise<Handled<ViewerEventPayload>> {
    const view = await unlessRefused(() => getRoomForViewer(this.ctx, payload.roomId));
    if (!view) {
      this.subscription.remove(roomTopic(this.appId, payload.roomId));
      return null;
    }
    return { payload: { ...payload, view } };
  }
}

async function subscribeViewerEvents(ctx: GraphQLContext): Promise<EventStream<ViewerEventPayload>> {
  const bus = busOf(ctx);
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
  const handler = new ViewerEventHandler(ctx, viewer.appId, subscription);
  return new EventStream(subscription, (event) => handler.handle(event), ctx.stillAuthenticated);
}

builder.subscriptionField('viewerEvents', (t) =>
  t.field({
    type: ViewerEventRef,
    description:
      "Live changes to the viewer's room list: new messages in any of their rooms (with the new unread count), rooms added and removed, pref and read changes. Rooms joined after subscribing are followed; a revoked or expired token ends the stream with UNAUTHENTICATED.",
    subscribe: (_root, _args, ctx) => openWithSlot(ctx, () => subscribeViewerEvents(ctx)),
    resolve: (item) => payloadOrThrow(item),
  }),
);
