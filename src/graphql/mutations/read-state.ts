import type { RoomPref } from '../../domain/rooms/room.js';
import { getRoomForViewer, type RoomView } from '../../domain/rooms/room.service.js';
import { markRoomRead } from '../../domain/rooms/read-state.service.js';
import { updateRoomPref, type RoomPrefPatch } from '../../domain/rooms/pref.service.js';
import { builder } from '../builder.js';
import { RoomRef } from '../types/room.js';
import { UserRoomPrefRef } from '../types/user-room-pref.js';
import { decodeTagColors } from './decode.js';
import { mutationErrors } from './error-types.js';
import { CLIENT_MUTATION_ID, echo, payloadType, type PayloadBase } from './relay-mutation.js';

/*
 * The viewer's own state in a room: how far they have read, and their pref (tags,
 * colors, hidden, sticky, muted, folder). Only members, only for themselves.
 */

const MarkRoomReadInputType = builder.inputType('MarkRoomReadInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    upToMessageId: t.string({ description: 'Read up to and including this message; default the newest.' }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('markRoomRead', (t) =>
  t.field({
    type: payloadType<PayloadBase & { room: RoomView }>(
      'MarkRoomRead',
      'The room with the new unread count.',
      (p) => ({
        room: p.field({ type: RoomRef, resolve: (payload) => payload.room }),
        unread: p.int({ description: 'What is left unread.', resolve: (payload) => payload.room.unread }),
      }),
    ),
    description:
      "Moves the viewer's read position forward (never back: marking an older message read changes nothing).",
    args: { input: t.arg({ type: MarkRoomReadInputType, required: true }) },
    errors: mutationErrors('MarkRoomRead'),
    resolve: async (_root, { input }, ctx) => {
      await markRoomRead(ctx, input.roomId, input.upToMessageId ?? undefined);
      return { ...echo(input), room: await getRoomForViewer(ctx, input.roomId) };
    },
  }),
);

const UpdateRoomPrefInputType = builder.inputType('UpdateRoomPrefInput', {
  description:
    'The pref fields to change; a field left out stays as it is. `folder: null` takes the room out of its folder.',
  fields: (t) => ({
    roomId: t.string({ required: true }),
    tags: t.stringList({ description: 'Replaces the tags (1-64 characters each).' }),
    tagColors: t.field({ type: 'JSON', description: 'Replaces the colors: an object of tag -> "#rrggbb".' }),
    hidden: t.boolean(),
    sticky: t.boolean(),
    muted: t.boolean(),
    folder: t.string(),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('updateRoomPref', (t) =>
  t.field({
    type: payloadType<PayloadBase & { pref: RoomPref; room: RoomView }>(
      'UpdateRoomPref',
      "The viewer's new pref.",
      (p) => ({
        pref: p.field({ type: UserRoomPrefRef, resolve: (payload) => payload.pref }),
        room: p.field({ type: RoomRef, resolve: (payload) => payload.room }),
      }),
    ),
    description: "Changes the viewer's own settings for a room (a partial update).",
    args: { input: t.arg({ type: UpdateRoomPrefInputType, required: true }) },
    errors: mutationErrors('UpdateRoomPref'),
    resolve: async (_root, { input }, ctx) => {
      const patch: RoomPrefPatch = {
        ...(input.tags != null && { tags: input.tags }),
        ...(input.tagColors != null && { tagColors: decodeTagColors(input.tagColors) }),
        ...(input.hidden != null && { hidden: input.hidden }),
        ...(input.sticky != null && { sticky: input.sticky }),
        ...(input.muted != null && { muted: input.muted }),
        // Present and null clears the folder; left out keeps it.
        ...(input.folder !== undefined && { folder: input.folder }),
      };
      const pref = await updateRoomPref(ctx, input.roomId, patch);
      return { ...echo(input), pref, room: await getRoomForViewer(ctx, input.roomId) };
    },
  }),
);
