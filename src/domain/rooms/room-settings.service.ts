import type { RequestContext } from '../../context.js';
import { loadManageableRoom } from '../access.js';
import { announceRoomEvent } from '../announce.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import { memberKey } from './room.mappers.js';
import { updateMemberRole, updateRoomRow } from './room.repository.js';
import type { Membership, MemberRole, Room } from './room.js';

/*
 * Changing a room's settings and its members' roles: owners and moderators, or the
 * app's API key.
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

export interface AvatarUpload {
  bytes: Uint8Array;
  mime: string;
  filename: string;
}

const MAX_AVATAR_BYTES = 2 * 1024 * 1024;
const IMAGE_MIME = /^image\/(png|jpeg|gif|webp|svg\+xml)$/;

function validatePatch(patch: RoomSettingsPatch): void {
  if (patch.name !== undefined && patch.name.length > 200) {
    throw new InvalidInputError('A room name may be at most 200 characters', { field: 'name' });
  }
  if (patch.description !== undefined && patch.description.length > 5000) {
    throw new InvalidInputError('A description may be at most 5000 characters', { field: 'description' });
  }
  if (patch.roomTags?.some((tag) => tag.length === 0 || tag.length > 64)) {
    throw new InvalidInputError('Room tags must be 1 to 64 characters long', { field: 'roomTags' });
  }
}

/** Changes the given settings (and optionally the avatar) of a room in one statement. */
export async function updateRoom(
  ctx: RequestContext,
  roomId: string,
  patch: RoomSettingsPatch,
  avatar?: AvatarUpload | null,
): Promise<Room> {
  const { room } = await loadManageableRoom(ctx, roomId);
  validatePatch(patch);
  if (avatar) {
    if (!IMAGE_MIME.test(avatar.mime)) {
      throw new InvalidInputError(
        `An avatar must be a PNG, JPEG, GIF, WebP or SVG image, not ${avatar.mime}`,
        {
          field: 'avatar',
        },
      );
    }
    if (avatar.bytes.byteLength === 0 || avatar.bytes.byteLength > MAX_AVATAR_BYTES) {
      throw new InvalidInputError(`An avatar must be 1 byte to ${MAX_AVATAR_BYTES} bytes`, {
        field: 'avatar',
      });
    }
  }
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
    ...(avatar !== undefined && {
      avatar: avatar?.bytes ?? null,
      avatar_mime: avatar?.mime ?? null,
      avatar_filename: avatar?.filename ?? null,
    }),
    updated_at: ctx.now,
  });
  if (!updated) throw new NotFoundError(`Room "${roomId}" does not exist`, { reason: 'ROOM_NOT_FOUND' });
  ctx.loaders.room.clear(room.id).prime(room.id, updated);
  announceRoomEvent(ctx, 'ROOM_UPDATED', room.id);
  return updated;
}

/** Sets a member's role. Owners (or the API key) may make owners; moderators may only (un)make moderators. */
export async function setMemberRole(
  ctx: RequestContext,
  roomId: string,
  userId: string,
  role: MemberRole,
): Promise<Membership> {
  const { room, membership: actor } = await loadManageableRoom(ctx, roomId);
  const target = await ctx.loaders.membership.load(memberKey(roomId, userId));
  if (!target || target.leftAt !== null) {
    throw new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'MEMBER_NOT_FOUND' });
  }
  const isOwner = ctx.viewer?.superuser || actor?.role === 'owner';
  if (!isOwner && (role === 'owner' || target.role === 'owner')) {
    throw new ForbiddenError('Only owners may grant or take the owner role', { reason: 'NOT_ROOM_OWNER' });
  }
  const updated = await updateMemberRole(ctx.db, room.appId, roomId, userId, role, ctx.now);
  if (!updated)
    throw new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'MEMBER_NOT_FOUND' });
  ctx.loaders.membership.clear(memberKey(roomId, userId)).prime(memberKey(roomId, userId), updated);
  announceRoomEvent(ctx, 'MEMBER_ROLE_CHANGED', roomId, { userIds: [userId] });
  return updated;
}
