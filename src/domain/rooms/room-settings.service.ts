import type { RequestContext } from '../context.js';
import { loadManageableRoom, requireViewer } from '../access.js';
import { announceRoomEvent } from '../announce.js';
import { NotFoundError } from '../errors.js';
import { readAvatarUpload, type AvatarUpload } from './avatar.js';
import { authorizeMembershipChange, keepAnOwner, lockMembers } from './room-roles.js';
import { memberKey } from './room.mappers.js';
import { updateMemberRole, updateRoomRow } from './room.repository.js';
import type { Membership, MemberRole, Room } from './room.js';
import { limitWrite } from '../write-limit.js';
import { checkRoomFields } from '../input-limits.js';

/*
 * Changing a room's settings and its members' roles: owners and moderators, or the
 * app's API key (the role rules are in room-roles.ts).
 */

export interface RoomSettingsPatch {
  name?: string;
  description?: string;
  cover?: string;
  topic?: string;
  roomTags?: string[];
  readOnly?: boolean;
  archived?: boolean;
  visibility?: 'public' | 'private';
  customFields?: Record<string, unknown>;
}

/** Lengths and counts: input-limits.ts. */
function validatePatch(patch: RoomSettingsPatch): void {
  checkRoomFields(patch);
}

/** Changes the given settings (and optionally the avatar: avatar.ts) of a room in one statement. */
export async function updateRoom(
  ctx: RequestContext,
  roomId: string,
  patch: RoomSettingsPatch,
  upload?: AvatarUpload | null,
): Promise<Room> {
  await limitWrite(ctx, 'updateRoom');
  const { room } = await loadManageableRoom(ctx, roomId);
  validatePatch(patch);
  const image = upload ? await readAvatarUpload(upload, ctx.avatarLimits) : upload;
  const updated = await updateRoomRow(ctx.db, room.appId, room.id, {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.cover !== undefined && { cover: patch.cover }),
    ...(patch.topic !== undefined && { topic: patch.topic }),
    ...(patch.roomTags !== undefined && { room_tags: [...new Set(patch.roomTags)] }),
    ...(patch.readOnly !== undefined && { read_only: patch.readOnly }),
    ...(patch.archived !== undefined && { archived: patch.archived }),
    ...(patch.visibility !== undefined && { visibility: patch.visibility }),
    ...(patch.customFields !== undefined && { custom_fields: JSON.stringify(patch.customFields) }),
    ...(image !== undefined && {
      avatar: image?.bytes ?? null,
      avatar_mime: image?.mime ?? null,
      avatar_filename: image?.filename ?? null,
    }),
    updated_at: ctx.now,
  });
  if (!updated) throw new NotFoundError(`Room "${roomId}" does not exist`, { reason: 'ROOM_NOT_FOUND' });
  ctx.loaders.room.clear(room.id).prime(room.id, updated);
  announceRoomEvent(ctx, 'ROOM_UPDATED', room.id);
  return updated;
}

/**
 * Sets a member's role (who may: room-roles.ts; owners and the API key any role,
 * moderators neither touch an owner nor make one). Demoting the last owner of a group
 * room is CONFLICT (LAST_OWNER).
 */
export async function setMemberRole(
  ctx: RequestContext,
  roomId: string,
  userId: string,
  role: MemberRole,
): Promise<Membership> {
  await limitWrite(ctx, 'setMemberRole');
  const viewer = requireViewer(ctx);
  const { room } = await loadManageableRoom(ctx, roomId);
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const locked = await lockMembers(trx, room, viewer, [userId]);
    const target = locked.members.get(userId);
    if (!target) throw memberNotFound(userId);
    const change = { kind: 'setRole', target, role } as const;
    authorizeMembershipChange(locked.actor, viewer.userId, change);
    await keepAnOwner(trx, locked.room, change);
    return updateMemberRole(trx, room.appId, roomId, userId, role, ctx.now);
  });
  if (!updated) throw memberNotFound(userId);
  ctx.loaders.membership.clear(memberKey(roomId, userId)).prime(memberKey(roomId, userId), updated);
  announceRoomEvent(ctx, 'MEMBER_ROLE_CHANGED', roomId, { userIds: [userId] });
  return updated;
}

function memberNotFound(userId: string): NotFoundError {
  return new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'MEMBER_NOT_FOUND' });
}
