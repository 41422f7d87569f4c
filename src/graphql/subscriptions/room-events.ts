import { openRoomFeed, type RoomFeedEvent } from '../../domain/realtime/room-feed.js';
import { builder } from '../builder.js';
import { MessageRef } from '../types/message.js';
import { RoomRef } from '../types/room.js';
import { loadReferencedUser, UserRef } from '../types/user.js';
import { openFeed, payloadOrThrow } from './feed-subscription.js';

/*
 * roomEvents(roomId): the room's domain feed (who hears what, each event authorized
 * afresh) as GraphQL payloads. A member who leaves gets a last FORBIDDEN error and the
 * stream ends; a deleted room sends ROOM_DELETED and ends.
 */

const RoomEventTypeEnum = builder.enumType('RoomEventType', {
  values: {
    MESSAGE_ADDED: { description: 'A message was sent (`message`).' },
    MESSAGE_UPDATED: { description: 'A message was edited (`message`).' },
    MESSAGE_DELETED: { description: 'A message was deleted for everyone (`message` is the tombstone).' },
    REACTION_CHANGED: { description: 'A reaction was added or removed (`message`).' },
    MEMBER_JOINED: { description: 'Users joined (`users`).' },
    MEMBER_LEFT: { description: 'Users left or were removed (`users`).' },
    MEMBER_ROLE_CHANGED: { description: "A member's role changed (`users`)." },
    ROOM_UPDATED: { description: "The room's settings changed (`room`)." },
    ROOM_DELETED: { description: 'The room was deleted (`room` is null); the stream ends.' },
  } as const,
});

const RoomEventRef = builder.objectRef<RoomFeedEvent>('RoomEvent').implement({
  description: 'Something that happened in a room, with the room as it is now.',
  fields: (t) => ({
    type: t.field({ type: RoomEventTypeEnum, resolve: (e) => e.type }),
    roomId: t.exposeString('roomId'),
    room: t.field({
      type: RoomRef,
      nullable: true,
      description: 'The room now (unread, lastMessage, settings); null after ROOM_DELETED.',
      resolve: (e) => e.view,
    }),
    message: t.field({
      type: MessageRef,
      nullable: true,
      description: 'The message the event is about (MESSAGE_* and REACTION_CHANGED).',
      resolve: (e, _a, ctx) => (e.messageId ? ctx.loaders.message.load(e.messageId) : null),
    }),
    users: t.field({
      type: [UserRef],
      description: 'The users who joined, left or changed role (MEMBER_*); empty otherwise.',
      resolve: (e, _a, ctx) => Promise.all(e.userIds.map((id) => loadReferencedUser(ctx, id))),
    }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: "Who did it; null for the app's API key.",
      resolve: (e, _a, ctx) => (e.actorId ? loadReferencedUser(ctx, e.actorId) : null),
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

builder.subscriptionField('roomEvents', (t) =>
  t.field({
    type: RoomEventRef,
    description:
      'Live events of one room (members and the API key): messages, reactions, members, settings. A member who leaves receives a FORBIDDEN error and the stream ends; a revoked or expired token, UNAUTHENTICATED.',
    args: { roomId: t.arg.string({ required: true, description: 'The external room id.' }) },
    subscribe: (_root, args, ctx) =>
      openFeed(ctx, (bus, options) => openRoomFeed(ctx, bus, args.roomId, options)),
    resolve: (item) => payloadOrThrow(item),
  }),
);
