import { requireUser } from '../../domain/access.js';
import {
  getRoomMemberForViewer,
  setMemberRole,
  addMembers,
  removeMember,
} from '../../domain/rooms/membership.service.js';
import { getRoomForViewer, type RoomView } from '../../domain/rooms/room.service.js';
import type { RoomMember } from '../../domain/rooms/room.js';
import { builder } from '../builder.js';
import { MemberRef, MemberRoleEnum } from '../types/member.js';
import { RoomRef } from '../types/room.js';
import { mutationErrors } from './error-types.js';
import { CLIENT_MUTATION_ID, echo, payloadType, type PayloadBase } from './relay-mutation.js';

/*
 * Room membership: adding and removing members and their roles (owners, moderators,
 * the API key), and leaving (any member). The rules are in room-roles.ts, called by
 * membership.service.ts.
 */

const AddMembersInputType = builder.inputType('AddMembersInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    userIds: t.stringList({
      required: true,
      description: 'Users of the app to add; current members are skipped and keep their role.',
    }),
    role: t.field({
      type: MemberRoleEnum,
      description: 'Their role: MEMBER (default); only owners and the API key may add OWNERs.',
    }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('addMembers', (t) =>
  t.field({
    type: payloadType<PayloadBase & { room: RoomView; addedUserIds: string[] }>(
      'AddMembers',
      'The room and who actually joined.',
      (p) => ({
        room: p.field({ type: RoomRef, resolve: (payload) => payload.room }),
        addedUserIds: p.exposeStringList('addedUserIds', {
          description: 'The users who joined (not those who already were members).',
        }),
      }),
    ),
    description:
      'Adds users to a room (owners, moderators, the API key). A current member is skipped and keeps their role (setMemberRole changes roles); a former member rejoins with `role`.',
    args: { input: t.arg({ type: AddMembersInputType, required: true }) },
    errors: mutationErrors('AddMembers'),
    resolve: async (_root, { input }, ctx) => {
      const added = await addMembers(ctx, input.roomId, input.userIds, input.role ?? 'member');
      return { ...echo(input), addedUserIds: added, room: await getRoomForViewer(ctx, input.roomId) };
    },
  }),
);

const RemoveMemberInputType = builder.inputType('RemoveMemberInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    userId: t.string({
      required: true,
      description: "The member to remove; the viewer's own id leaves the room.",
    }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('removeMember', (t) =>
  t.field({
    type: payloadType<PayloadBase & { roomId: string; removedUserId: string }>(
      'RemoveMember',
      'Who left which room.',
      (p) => ({
        roomId: p.exposeString('roomId'),
        removedUserId: p.exposeString('removedUserId'),
        room: p.field({
          type: RoomRef,
          nullable: true,
          description: 'The room as the viewer now sees it; null when the viewer removed themselves.',
          resolve: (payload, _a, ctx) =>
            payload.removedUserId === ctx.viewer?.userId ? null : getRoomForViewer(ctx, payload.roomId),
        }),
      }),
    ),
    description:
      "Removes a member from a room (owners, moderators, the API key; anyone may remove themselves). Only owners and the API key remove an owner; a group room's last owner is never removed: CONFLICT (LAST_OWNER).",
    args: { input: t.arg({ type: RemoveMemberInputType, required: true }) },
    errors: mutationErrors('RemoveMember'),
    resolve: async (_root, { input }, ctx) => {
      await removeMember(ctx, input.roomId, input.userId);
      return { ...echo(input), roomId: input.roomId, removedUserId: input.userId };
    },
  }),
);

const LeaveRoomInputType = builder.inputType('LeaveRoomInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('leaveRoom', (t) =>
  t.field({
    type: payloadType<PayloadBase & { roomId: string }>('LeaveRoom', 'The room the viewer left.', (p) => ({
      roomId: p.exposeString('roomId'),
    })),
    description:
      "The viewer leaves a room: it leaves their room list and they stop hearing its events. A group room's last owner may not leave (CONFLICT, LAST_OWNER): make another member owner first, or delete the room.",
    args: { input: t.arg({ type: LeaveRoomInputType, required: true }) },
    errors: mutationErrors('LeaveRoom'),
    resolve: async (_root, { input }, ctx) => {
      await removeMember(ctx, input.roomId, requireUser(ctx).userId);
      return { ...echo(input), roomId: input.roomId };
    },
  }),
);

const SetMemberRoleInputType = builder.inputType('SetMemberRoleInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    userId: t.string({ required: true }),
    role: t.field({ type: MemberRoleEnum, required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('setMemberRole', (t) =>
  t.field({
    type: payloadType<PayloadBase & { member: RoomMember }>(
      'SetMemberRole',
      'The member with the new role.',
      (p) => ({
        member: p.field({ type: MemberRef, resolve: (payload) => payload.member }),
      }),
    ),
    description:
      "Sets a member's role. Owners and the API key may grant or take any role; moderators only make or unmake moderators (never touching an owner). A group room's last owner is never demoted: CONFLICT (LAST_OWNER).",
    args: { input: t.arg({ type: SetMemberRoleInputType, required: true }) },
    errors: mutationErrors('SetMemberRole'),
    resolve: async (_root, { input }, ctx) => {
      await setMemberRole(ctx, input.roomId, input.userId, input.role);
      return { ...echo(input), member: await getRoomMemberForViewer(ctx, input.roomId, input.userId) };
    },
  }),
);
