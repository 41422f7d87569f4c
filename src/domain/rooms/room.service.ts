import type { RequestContext } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { announceRoomEvent, announceUserEvent } from '../announce.js';
import { loadManageableRoom, loadReadableRoom, requireViewer, roomNotFound } from '../access.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import { validateUserId } from '../users/user.service.js';
import { generateMessageId } from '../messages/message-id.js';
import { limitWrite } from '../write-limit.js';
import { checkCount, checkRoomFields } from '../input-limits.js';
import { readAvatarUpload, recogniseStoredAvatar, type AvatarImage, type AvatarUpload } from './avatar.js';
import { memberKey } from './member-key.js';
import { validateRoomId } from './room-id.js';
import { upsertMembers } from './membership.repository.js';
import {
  bumpMemberCount,
  findRoomAvatar,
  findRoomByDirectKey,
  insertRoom,
  lockRoom,
  markRoomDeleted,
  updateRoomRow,
} from './room.repository.js';
import type { StoredAvatar } from './room.mappers.js';
import {
  defaultPref,
  type Membership,
  type Room,
  type RoomPref,
  type RoomType,
  type RoomVisibility,
} from './room.js';
import { unreadOf } from './unread.js';

/*
 * One room: reading it as the viewer, creating it, changing its settings and avatar
 * (owners and moderators, or the API key), deleting it (owners or the API key).
 */

/** A room as the viewer sees it; membership is null for the app's API key. */
export interface RoomView {
  room: Room;
  membership: Membership | null;
  pref: RoomPref;
  unread: number;
}

/** One room as the viewer sees it (see loadReadableRoom for who may). */
export async function getRoomForViewer(ctx: RequestContext, roomId: string): Promise<RoomView> {
  const { room, membership } = await loadReadableRoom(ctx, roomId);
  const userId = ctx.viewer?.userId;
  const pref = userId ? await ctx.loaders.pref.load(memberKey(roomId, userId)) : null;
  return {
    room,
    membership,
    pref: pref ?? defaultPref(room.appId, '', room.id),
    unread: membership ? unreadOf(room, membership) : 0,
  };
}

/** A room by Virola's integer id, as getRoomForViewer. */
export async function getRoomByNumIdForViewer(ctx: RequestContext, numId: number): Promise<RoomView> {
  requireViewer(ctx);
  const roomId = await ctx.loaders.roomIdByNumId.load(numId);
  if (!roomId) throw roomNotFound(String(numId));
  return getRoomForViewer(ctx, roomId);
}

/** The stored avatar of a room the viewer may read, as stored; null when it has none. */
export async function getRoomAvatar(ctx: RequestContext, roomId: string): Promise<StoredAvatar | null> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const avatar = await findRoomAvatar(ctx.db, room.appId, room.id);
  if (avatar === undefined) throw roomNotFound(roomId);
  return avatar;
}

/**
 * The room's avatar as it may be served: with the type its bytes say, or null when it
 * has none or what is stored is not a raster image (an SVG or HTML from before the rule).
 */
export async function getRoomAvatarImage(ctx: RequestContext, roomId: string): Promise<AvatarImage | null> {
  const stored = await getRoomAvatar(ctx, roomId);
  if (!stored) return null;
  const image = recogniseStoredAvatar(stored);
  if (!image)
    ctx.log.warn({ roomId, storedType: stored.mime }, 'stored avatar is not a raster image; not served');
  return image;
}

export interface CreateRoomInput {
  /** Client-chosen id ("demo-room"); generated when left out. */
  roomId?: string;
  roomType: RoomType;
  visibility?: RoomVisibility;
  name?: string;
  cover?: string;
  description?: string;
  topic?: string;
  webhook?: string;
  botState?: string;
  botMode?: boolean;
  encrypted?: boolean;
  serviceStatus?: number;
  roomTags?: string[];
  readOnly?: boolean;
  isDefault?: boolean;
  parentId?: string;
  customFields?: Record<string, unknown>;
  /** Other members besides the creator. */
  memberIds: string[];
  /** Who creates (and owns) it: the viewer, or for the API key, any user of the app. */
  ownerId?: string;
  createdAt?: Date;
}

/**
 * Creates a room with its members in one transaction. A direct room between the same
 * two users exists once: asking again returns the existing one, with whichever of the
 * two had left it back in (reopening a conversation, as chat apps do).
 */
export async function createRoom(ctx: RequestContext, input: CreateRoomInput): Promise<Room> {
  await limitWrite(ctx, 'createRoom');
  const viewer = requireViewer(ctx);
  const ownerId = viewer.superuser ? (input.ownerId ?? null) : viewer.userId;
  if (!viewer.superuser && input.ownerId !== undefined && input.ownerId !== viewer.userId) {
    throw new ForbiddenError('Only the API key may create rooms on behalf of another user');
  }
  if (input.roomId !== undefined) validateRoomId(input.roomId);
  checkCount(input.memberIds, 'members', 'memberIds');
  input.memberIds.forEach((id) => validateUserId(id));
  checkRoomFields(input);
  const members = [...new Set([...(ownerId ? [ownerId] : []), ...input.memberIds])];
  let directKey: string | null = null;
  if (input.roomType === 'direct') {
    if (members.length !== 2) {
      throw new InvalidInputError('A direct room has exactly two members', { field: 'memberIds' });
    }
    directKey = [...members].sort().join('|'); // '|' cannot occur in a user id
    const existing = await findRoomByDirectKey(ctx.db, viewer.appId, directKey);
    if (existing) return reopenDirectRoom(ctx, existing, members, ownerId);
  }
  const now = input.createdAt ?? ctx.now;
  try {
    const created = await ctx.db.transaction().execute(async (trx) => {
      const room = await insertRoom(trx, {
        appId: viewer.appId,
        id: input.roomId ?? generateMessageId(now),
        name: input.name ?? '',
        cover: input.cover ?? '',
        description: input.description ?? '',
        roomType: input.roomType,
        visibility: input.visibility ?? 'private',
        directKey,
        webhook: input.webhook ?? '',
        botState: input.botState ?? '',
        botMode: input.botMode ?? false,
        encrypted: input.encrypted ?? false,
        serviceStatus: input.serviceStatus ?? 0,
        roomTags: input.roomTags ?? [],
        topic: input.topic ?? '',
        readOnly: input.readOnly ?? false,
        isDefault: input.isDefault ?? false,
        parentId: input.parentId ?? null,
        customFields: input.customFields ?? {},
        createdBy: ownerId,
        memberCount: members.length,
        createdAt: now,
      });
      if (ownerId) await upsertMembers(trx, room, [ownerId], 'owner', now);
      const others = members.filter((id) => id !== ownerId);
      await upsertMembers(trx, room, others, 'member', now);
      return room;
    });
    announceUserEvent(ctx, 'ROOM_ADDED', members, created.id);
    return created;
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new NotFoundError('A member or the owner does not exist in this app', {
        reason: 'USER_NOT_FOUND',
      });
    }
    if (isUniqueViolation(error)) {
      if (directKey) {
        const existing = await findRoomByDirectKey(ctx.db, viewer.appId, directKey);
        if (existing) return reopenDirectRoom(ctx, existing, members, ownerId);
      }
      throw new InvalidInputError(`Room "${input.roomId}" already exists`, {
        field: 'roomId',
        reason: 'ROOM_EXISTS',
      });
    }
    throw error;
  }
}

/** Puts back whichever of a direct room's two users had left it; returns the room as it now is. */
async function reopenDirectRoom(
  ctx: RequestContext,
  room: Room,
  members: readonly string[],
  ownerId: string | null,
): Promise<Room> {
  const now = ctx.now;
  const { rejoined, reopened } = await ctx.db.transaction().execute(async (trx) => {
    const locked = await lockRoom(trx, room.appId, room.id);
    if (!locked) return { rejoined: [], reopened: room };
    const owner = ownerId ? await upsertMembers(trx, locked, [ownerId], 'owner', now) : [];
    const others = await upsertMembers(
      trx,
      locked,
      members.filter((id) => id !== ownerId),
      'member',
      now,
    );
    const joined = [...owner, ...others];
    if (joined.length === 0) return { rejoined: joined, reopened: locked };
    await bumpMemberCount(trx, room.appId, room.id, joined.length, now);
    return { rejoined: joined, reopened: (await lockRoom(trx, room.appId, room.id)) ?? locked };
  });
  if (rejoined.length === 0) return reopened;
  ctx.loaders.room.clear(room.id);
  for (const userId of rejoined) ctx.loaders.membership.clear(memberKey(room.id, userId));
  announceRoomEvent(ctx, 'MEMBER_JOINED', room.id, { userIds: rejoined });
  announceUserEvent(ctx, 'ROOM_ADDED', rejoined, room.id);
  return reopened;
}

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

/**
 * Changes the given settings (and optionally the avatar: avatar.ts) of a room in one
 * statement. Lengths and counts: input-limits.ts.
 */
export async function updateRoom(
  ctx: RequestContext,
  roomId: string,
  patch: RoomSettingsPatch,
  upload?: AvatarUpload | null,
): Promise<Room> {
  await limitWrite(ctx, 'updateRoom');
  const { room } = await loadManageableRoom(ctx, roomId);
  checkRoomFields(patch);
  const image = upload ? await readAvatarUpload(upload, ctx.avatarLimits) : upload;
  const changes = {
    ...patch,
    ...(patch.roomTags !== undefined && { roomTags: [...new Set(patch.roomTags)] }),
    ...(image !== undefined && { avatar: image }),
  };
  const updated = await updateRoomRow(ctx.db, room.appId, room.id, changes, ctx.now);
  if (!updated) throw roomNotFound(roomId);
  ctx.loaders.room.clear(room.id).prime(room.id, updated);
  announceRoomEvent(ctx, 'ROOM_UPDATED', room.id);
  return updated;
}

/** Soft-deletes a room (owners or the API key): it leaves every list and shows in sync removals. */
export async function deleteRoom(ctx: RequestContext, roomId: string): Promise<void> {
  await limitWrite(ctx, 'deleteRoom');
  const { room, membership } = await loadManageableRoom(ctx, roomId);
  if (!ctx.viewer?.superuser && membership?.role !== 'owner') {
    throw new ForbiddenError('Only the room owners may delete it', { reason: 'NOT_ROOM_OWNER' });
  }
  await markRoomDeleted(ctx.db, room.appId, room.id, ctx.now);
  ctx.loaders.room.clear(room.id);
  announceRoomEvent(ctx, 'ROOM_DELETED', room.id);
}
