import { ForbiddenError } from '../../domain/errors.js';
import { relayPage } from '../../domain/pagination.js';
import type { RoomListQuery } from '../../domain/rooms/room.js';
import { roomListOrderKey } from '../../domain/rooms/list-orders.js';
import { countViewerRooms, listViewerRooms } from '../../domain/rooms/room-list.service.js';
import { getRoomForViewer, type RoomView } from '../../domain/rooms/room.service.js';
import { builder } from '../builder.js';
import { relayArgs, toConnection } from '../connection.js';
import { definedOnly } from '../inputs.js';
import { UserRef } from './user.js';
import { UserRoomPrefRef } from './user-room-pref.js';

/** A room as the viewer sees it: the room plus their membership, pref and unread count. */
export const RoomRef = builder.objectRef<RoomView>('Room');

export const RoomTypeEnum = builder.enumType('RoomType', {
  values: { DIRECT: { value: 'direct' }, GROUP: { value: 'group' } } as const,
});

export const RoomVisibilityEnum = builder.enumType('RoomVisibility', {
  values: { PUBLIC: { value: 'public' }, PRIVATE: { value: 'private' } } as const,
});

builder.node(RoomRef, {
  description: 'A chat room the viewer is a member of (or any room of the app, for its API key).',
  id: { resolve: (view) => view.room.id },
  fields: (t) => ({
    roomId: t.string({ description: 'The external room id (IMKit `_id`).', resolve: (v) => v.room.id }),
    numericId: t.int({ description: 'The numeric room id (Virola `roomId`).', resolve: (v) => v.room.numId }),
    name: t.string({ resolve: (v) => v.room.name }),
    cover: t.string({ resolve: (v) => v.room.cover }),
    description: t.string({ resolve: (v) => v.room.description }),
    roomType: t.field({ type: RoomTypeEnum, resolve: (v) => v.room.roomType }),
    visibility: t.field({ type: RoomVisibilityEnum, resolve: (v) => v.room.visibility }),
    webhook: t.string({ resolve: (v) => v.room.webhook }),
    botState: t.string({ resolve: (v) => v.room.botState }),
    botMode: t.boolean({ resolve: (v) => v.room.botMode }),
    encrypted: t.boolean({ resolve: (v) => v.room.encrypted }),
    serviceStatus: t.int({ resolve: (v) => v.room.serviceStatus }),
    roomTags: t.stringList({
      description: "Tags of the room itself (not the viewer's pref tags).",
      resolve: (v) => v.room.roomTags,
    }),
    status: t.int({ description: '1 = active.', resolve: (v) => v.room.status }),
    topic: t.string({ resolve: (v) => v.room.topic }),
    readOnly: t.boolean({ resolve: (v) => v.room.readOnly }),
    archived: t.boolean({ resolve: (v) => v.room.archived }),
    createdTime: t.field({ type: 'DateTime', resolve: (v) => v.room.createdAt }),
    updatedTime: t.field({
      type: 'DateTime',
      description: 'Bumped by every change: a new message, a rename, a membership change.',
      resolve: (v) => v.room.updatedAt,
    }),
    unread: t.int({
      description: "The viewer's unread message count (0 for the API key).",
      resolve: (v) => v.unread,
    }),
    muted: t.boolean({
      description: 'Whether the viewer muted the room (their pref).',
      resolve: (v) => v.pref.muted,
    }),
    isSuperuser: t.boolean({
      description: 'Whether the viewer sees the room as the app (its API key) rather than as a member.',
      resolve: (_v, _args, ctx) => ctx.viewer?.superuser ?? false,
    }),
    pref: t.field({
      type: UserRoomPrefRef,
      description: "The viewer's settings for the room.",
      resolve: (v) => v.pref,
    }),
  }),
});

const RoomOrderFieldEnum = builder.enumType('RoomOrderField', {
  values: {
    LAST_MESSAGE_TIME: {
      description: 'Time of the last message (the creation time for a room without messages).',
    },
    CREATED_TIME: { description: 'Creation time of the room.' },
    NAME: { description: 'Room name.' },
    UNREAD_COUNT: { description: "The viewer's unread count." },
  } as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  values: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } } as const,
});

const RoomOrderInput = builder.inputType('RoomOrder', {
  description: 'One sort key of a room list; several are applied in order, then the room id breaks ties.',
  fields: (t) => ({
    field: t.field({ type: RoomOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

const RoomFilterInput = builder.inputType('RoomFilter', {
  description: 'Conditions a room must all meet; a field left out or null does not filter.',
  fields: (t) => ({
    tags: t.stringList({ description: 'Rooms the viewer tagged with any of these tags (pref).' }),
    folder: t.string({ description: "Rooms in this folder of the viewer's (pref)." }),
    hidden: t.boolean({ description: 'Rooms the viewer hid (true) or did not (false).' }),
    sticky: t.boolean({ description: 'Rooms the viewer pinned (true) or did not (false).' }),
    muted: t.boolean({ description: 'Rooms the viewer muted (true) or did not (false).' }),
    roomType: t.field({ type: RoomTypeEnum }),
    updatedAfter: t.field({
      type: 'DateTime',
      description: 'Rooms with a message, or created, after this time: incremental sync.',
    }),
    hasUnread: t.boolean({ description: 'Rooms with (true) or without (false) unread messages.' }),
    nameContains: t.string({ description: 'Rooms whose name contains this text, ignoring case.' }),
  }),
});

builder.objectField(UserRef, 'rooms', (t) =>
  t.connection(
    {
      type: RoomRef,
      nullable: true,
      description:
        'The rooms the viewer has joined (only on the viewer: FORBIDDEN for other users). Default order: LAST_MESSAGE_TIME DESC.',
      args: {
        filter: t.arg({ type: RoomFilterInput }),
        orderBy: t.arg({
          type: [RoomOrderInput],
          description: 'Sort keys in order; the room id breaks ties.',
        }),
        unreadFirst: t.arg.boolean({ description: 'Rooms with unread messages before all others.' }),
      },
      resolve: async (user, args, ctx) => {
        if (user.id !== ctx.viewer?.userId)
          throw new ForbiddenError("Only the viewer's own rooms can be listed");
        const query: RoomListQuery = {
          filter: definedOnly(args.filter),
          orderBy: args.orderBy ?? [],
          unreadFirst: args.unreadFirst ?? false,
        };
        const page = await listViewerRooms(ctx, query, relayPage(relayArgs(args), roomListOrderKey(query)));
        return toConnection(page, () => countViewerRooms(ctx, query.filter));
      },
    },
    { name: 'RoomConnection' },
    { name: 'RoomEdge' },
  ),
);

builder.queryField('room', (t) =>
  t.field({
    type: RoomRef,
    nullable: true,
    description:
      'A room by its external id. null with FORBIDDEN or NOT_FOUND when the viewer may not see it.',
    args: { id: t.arg.string({ required: true, description: 'The external room id, e.g. "demo-room".' }) },
    resolve: (_root, args, ctx) => getRoomForViewer(ctx, args.id),
  }),
);
