import { InvalidInputError } from '../../domain/errors.js';
import {
  updateRoom,
  type RoomSettingsPatch,
  createRoom,
  deleteRoom,
  getRoomForViewer,
  type CreateRoomInput,
  type RoomView,
} from '../../domain/rooms/room.service.js';
import { builder } from '../builder.js';
import { definedOnly } from '../inputs.js';
import { RoomRef, RoomTypeEnum, RoomVisibilityEnum } from '../types/room.js';
import { decodeJsonObject, toAvatarUpload } from './decode.js';
import { mutationErrors } from './error-types.js';
import { CLIENT_MUTATION_ID, echo, payloadType, type PayloadBase } from './relay-mutation.js';

/*
 * Creating, changing and deleting rooms. Who may: see room.service.ts (members create,
 * owners/moderators change, owners delete, the app's API key everything in its app).
 */

const RoomPayload = (name: string, description: string) =>
  payloadType<PayloadBase & { room: RoomView }>(name, description, (t) => ({
    room: t.field({ type: RoomRef, resolve: (payload) => payload.room }),
  }));

const CreateRoomInputType = builder.inputType('CreateRoomInput', {
  fields: (t) => ({
    roomId: t.string({ description: 'The room id to use, e.g. "demo-room"; generated when left out.' }),
    roomType: t.field({
      type: RoomTypeEnum,
      description:
        'GROUP (default) or DIRECT: a direct room has exactly two members and exists once per pair.',
    }),
    visibility: t.field({ type: RoomVisibilityEnum, description: 'Default PRIVATE.' }),
    name: t.string(),
    cover: t.string({ description: 'Cover image URL.' }),
    description: t.string(),
    topic: t.string(),
    roomTags: t.stringList({ description: "Tags of the room itself (not a member's pref tags)." }),
    readOnly: t.boolean({ description: 'Only owners and moderators may post.' }),
    encrypted: t.boolean(),
    webhook: t.string(),
    botState: t.string(),
    botMode: t.boolean(),
    serviceStatus: t.int(),
    customFields: t.field({ type: 'JSON', description: 'Any JSON object.' }),
    memberIds: t.stringList({ description: 'Members besides the owner (user ids of the app).' }),
    ownerId: t.string({
      description: "API key only: the user who owns the room (a user's own rooms are owned by them).",
    }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('createRoom', (t) =>
  t.field({
    type: RoomPayload('CreateRoom', 'The room created (or, for a direct room that exists, found).'),
    description:
      'Creates a room with its first members; the creator (or ownerId, for the API key) owns it. Asking again for a direct room between the same two users returns the existing one.',
    args: { input: t.arg({ type: CreateRoomInputType, required: true }) },
    errors: mutationErrors('CreateRoom'),
    resolve: async (_root, { input }, ctx) => {
      const { memberIds, customFields, roomType, clientMutationId: _id, ...rest } = definedOnly(input);
      const create: CreateRoomInput = {
        ...rest,
        roomType: roomType ?? 'group',
        memberIds: memberIds ?? [],
        ...(customFields !== undefined && { customFields: decodeJsonObject(customFields, 'customFields') }),
      };
      const room = await createRoom(ctx, create);
      return { ...echo(input), room: await getRoomForViewer(ctx, room.id) };
    },
  }),
);

const UpdateRoomInputType = builder.inputType('UpdateRoomInput', {
  description: 'The settings to change; a field left out (or null) stays as it is.',
  fields: (t) => ({
    roomId: t.string({ required: true }),
    name: t.string(),
    description: t.string(),
    cover: t.string({ description: 'Cover image URL.' }),
    topic: t.string(),
    roomTags: t.stringList(),
    readOnly: t.boolean({ description: 'Only owners and moderators may post.' }),
    archived: t.boolean({ description: 'An archived room takes no new messages.' }),
    visibility: t.field({ type: RoomVisibilityEnum }),
    customFields: t.field({ type: 'JSON', description: 'Replaces the custom fields: any JSON object.' }),
    avatar: t.field({
      type: 'File',
      description:
        'A new avatar image, sent as a GraphQL multipart request: a PNG, JPEG, GIF or WebP, recognised by its bytes (not its declared type), at most AVATAR_MAX_BYTES (default 1 MiB) and AVATAR_MAX_DIMENSION pixels a side (default 4096).',
    }),
    removeAvatar: t.boolean({ description: 'Removes the avatar.' }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('updateRoom', (t) =>
  t.field({
    type: RoomPayload('UpdateRoom', 'The room with its new settings.'),
    description: "Changes a room's settings and avatar (owners, moderators, the API key).",
    args: { input: t.arg({ type: UpdateRoomInputType, required: true }) },
    errors: mutationErrors('UpdateRoom'),
    resolve: async (_root, { input }, ctx) => {
      const {
        roomId: _room,
        avatar,
        removeAvatar,
        customFields,
        clientMutationId: _id,
        ...rest
      } = definedOnly(input);
      if (avatar && removeAvatar) {
        throw new InvalidInputError('Send either avatar or removeAvatar, not both', { field: 'avatar' });
      }
      const patch: RoomSettingsPatch = {
        ...rest,
        ...(customFields !== undefined && { customFields: decodeJsonObject(customFields, 'customFields') }),
      };
      const upload = avatar ? toAvatarUpload(avatar) : removeAvatar ? null : undefined;
      await updateRoom(ctx, input.roomId, patch, upload);
      return { ...echo(input), room: await getRoomForViewer(ctx, input.roomId) };
    },
  }),
);

const DeleteRoomInputType = builder.inputType('DeleteRoomInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('deleteRoom', (t) =>
  t.field({
    type: payloadType<PayloadBase & { deletedRoomId: string }>(
      'DeleteRoom',
      'Which room was deleted.',
      (p) => ({
        deletedRoomId: p.exposeString('deletedRoomId'),
      }),
    ),
    description:
      'Deletes a room (its owners, or the API key). It leaves every room list, and incremental syncs report it as removed.',
    args: { input: t.arg({ type: DeleteRoomInputType, required: true }) },
    errors: mutationErrors('DeleteRoom'),
    resolve: async (_root, { input }, ctx) => {
      await deleteRoom(ctx, input.roomId);
      return { ...echo(input), deletedRoomId: input.roomId };
    },
  }),
);
