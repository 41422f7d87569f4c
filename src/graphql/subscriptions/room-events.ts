import { mayHearRoomDeletion } from '../../domain/rooms/room-events.service.js';
import { getRoomForViewer, type RoomView } from '../../domain/rooms/room.service.js';
import { ForbiddenError, isDomainError } from '../../domain/errors.js';
import { roomTopic, type RoomEvent, type RoomEventType } from '../../realtime/events.js';
import { builder, type GraphQLContext } from '../builder.js';
import { MessageRef } from '../types/message.js';
import { RoomRef } from '../types/room.js';
import { loadReferencedUser, UserRef } from '../types/user.js';
import {
  busOf,
  EventStream,
  openWithSlot,
  payloadOrThrow,
  renewContext,
  type Handled,
} from './event-stream.js';

/*
 * roomEvents(roomId): everything that happens in one room, for its members and the
 * app's API key. Authorized when subscribing and again for every event (a member who
 * leaves gets a last FORBIDDEN error and the stream ends; a deleted room sends
 * ROOM_DELETED and ends).
 */

interface RoomEventPayload {
  type: RoomEventType;
  roomId: string;
  /** The room as the subscriber sees it now; null once deleted. */
  view: RoomView | null;
  messageId: string | null;
  userIds: string[];
  actorId: string | null;
  at: Date;
}

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

const RoomEventRef = builder.objectRef<RoomEventPayload>('RoomEvent').implement({
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

function toPayload(event: RoomEvent, view: RoomView | null): RoomEventPayload {
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

async function handleRoomEvent(
  ctx: GraphQLContext,
  roomId: string,
  event: RoomEvent,
): Promise<Handled<RoomEventPayload>> {
  renewContext(ctx);
  if (event.type === 'ROOM_DELETED') {
    if (!(await mayHearRoomDeletion(ctx, roomId))) {
      return { end: new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' }) };
    }
    return { payload: toPayload(event, null), last: true };
  }
  try {
    return { payload: toPayload(event, await getRoomForViewer(ctx, roomId)) };
  } catch (error) {
    // No longer allowed to read the room (left, removed, deleted): say why, then stop.
    if (isDomainError(error)) return { end: error };
    throw error;
  }
}

async function subscribeRoomEvents(
  ctx: GraphQLContext,
  roomId: string,
): Promise<EventStream<RoomEventPayload>> {
  const bus = busOf(ctx);
  const { room } = await getRoomForViewer(ctx, roomId);
  const subscription = bus.subscribe([roomTopic(room.appId, room.id)]);
  // The stream opens only once the bus delivers, so a write made after that is heard.
  await subscription.ready();
  return new EventStream(
    subscription,
    (event) => (event.scope === 'room' ? handleRoomEvent(ctx, room.id, event) : Promise.resolve(null)),
    ctx.stillAuthenticated,
  );
}

builder.subscriptionField('roomEvents', (t) =>
  t.field({
    type: RoomEventRef,
    description:
      'Live events of one room (members and the API key): messages, reactions, members, settings. A member who leaves receives a FORBIDDEN error and the stream ends; a revoked or expired token, UNAUTHENTICATED.',
    args: { roomId: t.arg.string({ required: true, description: 'The external room id.' }) },
    subscribe: (_root, args, ctx) => openWithSlot(ctx, () => subscribeRoomEvents(ctx, args.roomId)),
    resolve: (item) => payloadOrThrow(item),
  }),
);
