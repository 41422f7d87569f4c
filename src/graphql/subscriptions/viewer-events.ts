import { openViewerFeed, type ViewerFeedEvent } from '../../domain/realtime/viewer-feed.js';
import { builder } from '../builder.js';
import { MessageRef } from '../types/message.js';
import { RoomRef } from '../types/room.js';
import { openFeed, payloadOrThrow } from './feed-subscription.js';

/*
 * viewerEvents: the viewer's domain feed (what changes their room list, with the room
 * as it is now, following joins and leaves) as GraphQL payloads.
 */

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

const ViewerEventRef = builder.objectRef<ViewerFeedEvent>('ViewerEvent').implement({
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

builder.subscriptionField('viewerEvents', (t) =>
  t.field({
    type: ViewerEventRef,
    description:
      "Live changes to the viewer's room list: new messages in any of their rooms (with the new unread count), rooms added and removed, pref and read changes. Rooms joined after subscribing are followed; a revoked or expired token ends the stream with UNAUTHENTICATED.",
    subscribe: (_root, _args, ctx) => openFeed(ctx, (bus, options) => openViewerFeed(ctx, bus, options)),
    resolve: (item) => payloadOrThrow(item),
  }),
);
