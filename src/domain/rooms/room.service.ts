import type { RequestContext } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { announceRoomEvent, announceUserEvent } from '../announce.js';
import { loadManageableRoom, loadReadableRoom, requireUser, requireViewer, roomNotFound } from '../access.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import {
  encodeCursor,
  lazyEdge,
  toPage,
  type CursorOrder,
  type Edge,
  type Page,
  type PageRequest,
} from '../pagination.js';
import { validateUserId } from '../users/user.service.js';
import { generateMessageId } from '../messages/message-id.js';
import {
  countViewerRoomRows,
  cursorValues,
  isOffsetPage,
  roomOrderKey,
  selectRemovedRooms,
  selectViewerRooms,
  type ListedRoom,
  type OffsetPage,
} from './room-list.repository.js';
import { authorizeMembershipChange, keepAnOwner, lockMembers } from './room-roles.js';
import { memberKey } from './room.mappers.js';
import { unreadOf } from './unread.js';
import {
  advanceReadPosition,
  bumpMemberCount,
  findRoomAvatar,
  findRoomByDirectKey,
  insertRoom,
  lockRoom,
  markMemberLeft,
  memberCursorValues,
  selectRoomMembers,
  updateRoomRow,
  upsertMembers,
  upsertPref,
} from './room.repository.js';
import {
  DEFAULT_ROOM_ORDER,
  defaultPref,
  type Membership,
  type MemberRole,
  type Room,
  type RoomFilter,
  type RoomListQuery,
  type RoomMember,
  type RoomPref,
  type RoomType,
  type RoomVisibility,
  type ViewerRoom,
} from './room.js';
import { limitWrite } from '../write-limit.js';
import { checkCount, checkLength, checkRoomFields, checkTags, INPUT_LIMITS } from '../input-limits.js';

export type { OffsetPage };

/** A room as the viewer sees it; membership is null for the app's API key. */
export interface RoomView {
  room: Room;
  membership: Membership | null;
  pref: RoomPref;
  unread: number;
}

function normalizeQuery(query: RoomListQuery): RoomListQuery {
  return { ...query, orderBy: query.orderBy.length > 0 ? query.orderBy : DEFAULT_ROOM_ORDER };
}

/** The order key cursors of this query carry (relayPage needs it to decode `after`/`before`). */
export function roomListOrderKey(query: RoomListQuery): CursorOrder {
  return roomOrderKey(normalizeQuery(query));
}

/**
 * The viewer's rooms: filtered, ordered, paged by keyset (or by offset for IMKit's
 * `skip`). One statement; the loaders are primed with the rooms, memberships and prefs.
 */
export async function listViewerRooms(
  ctx: RequestContext,
  rawQuery: RoomListQuery,
  page: PageRequest | OffsetPage,
): Promise<Page<Edge<ViewerRoom>>> {
  const viewer = requireUser(ctx);
  const query = normalizeQuery(rawQuery);
  const rows = await selectViewerRooms(ctx.db, viewer.appId, viewer.userId, query, page);
  for (const row of rows) primeViewerRoom(ctx, row);
  const orderKey = roomOrderKey(query);
  const edges = rows.map((node) => lazyEdge(node, (row) => encodeCursor(orderKey, cursorValues(query, row))));
  if (isOffsetPage(page)) {
    return { rows: edges, hasNextPage: false, hasPreviousPage: page.offset > 0 };
  }
  return toPage(edges, page);
}

/** A listed room's rows into the request's loaders: the room, its last message and sender are read once. */
function primeViewerRoom(ctx: RequestContext, row: ListedRoom): void {
  const key = memberKey(row.room.id, row.membership.userId);
  ctx.loaders.room.prime(row.room.id, row.room);
  ctx.loaders.membership.prime(key, row.membership);
  ctx.loaders.pref.prime(key, row.pref);
  if (row.lastMessage) ctx.loaders.message.prime(row.lastMessage.id, row.lastMessage);
  if (row.lastSender) ctx.loaders.user.prime(row.lastSender.id, row.lastSender);
}

/**
 * What changed in the viewer's room list after `since` (everything when null): the rooms
 * to update and the rooms to drop (left or deleted), for incremental sync.
 */
export async function listRoomChangesSince(
  ctx: RequestContext,
  since: Date | null,
): Promise<{ updated: ViewerRoom[]; removed: { roomId: string; at: Date }[] }> {
  const viewer = requireUser(ctx);
  const query: RoomListQuery = {
    filter: since ? { changedSince: since } : {},
    orderBy: DEFAULT_ROOM_ORDER,
    unreadFirst: false,
  };
  const [updated, removed] = await Promise.all([
    selectViewerRooms(ctx.db, viewer.appId, viewer.userId, query, { offset: 0, limit: null }),
    since ? selectRemovedRooms(ctx.db, viewer.appId, viewer.userId, since) : [],
  ]);
  for (const row of updated) primeViewerRoom(ctx, row);
  return { updated, removed };
}

export async function countViewerRooms(ctx: RequestContext, filter: RoomFilter): Promise<number> {
  const viewer = requireUser(ctx);
  return countViewerRoomRows(ctx.db, viewer.appId, viewer.userId, filter);
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

export { unreadOf };

/** A page of a room's current members, oldest first. */
export async function listRoomMembers(
  ctx: RequestContext,
  roomId: string,
  page: PageRequest,
): Promise<Page<Edge<RoomMember>>> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const rows = await selectRoomMembers(ctx.db, room.appId, roomId, page);
  const edges = rows.map((membership) => {
    ctx.loaders.membership.prime(memberKey(roomId, membership.userId), membership);
    return {
      cursor: encodeCursor(MEMBER_ORDER_KEY, memberCursorValues(membership)),
      node: { membership, unread: unreadOf(room, membership) },
    };
  });
  return toPage(edges, page);
}

export const MEMBER_ORDER_KEY: CursorOrder = { name: 'members', keys: ['timestamptz', 'text'] };

/** The first `limit` members of a room for lists (batched across rooms through a loader). */
export async function firstRoomMembers(
  ctx: RequestContext,
  room: Room,
  limit: number,
): Promise<RoomMember[]> {
  const rows = await ctx.loaders.firstMembers(limit).load(room.id);
  return rows.map(({ membership, user }) => ({ membership, unread: unreadOf(room, membership), user }));
}

export async function getRoomAvatar(
  ctx: RequestContext,
  roomId: string,
): Promise<{ bytes: Uint8Array; mime: string; filename: string } | null> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const avatar = await findRoomAvatar(ctx.db, room.appId, room.id);
  if (avatar === undefined) throw roomNotFound(roomId);
  return avatar;
}

// ---------------------------------------------------------------------------
// Writes

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

const ROOM_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,${INPUT_LIMITS.roomId.max - 1}}$`);

export function validateRoomId(roomId: string, field = 'roomId'): void {
  if (!ROOM_ID.test(roomId)) {
    throw new InvalidInputError(
      `Invalid room id "${roomId}": use 1-${INPUT_LIMITS.roomId.max} letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit`,
      { field },
    );
  }
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
        app_id: viewer.appId,
        id: input.roomId ?? generateMessageId(now),
        name: input.name ?? '',
        cover: input.cover ?? '',
        description: input.description ?? '',
        room_type: input.roomType,
        visibility: input.visibility ?? 'private',
        direct_key: directKey,
        webhook: input.webhook ?? '',
        bot_state: input.botState ?? '',
        bot_mode: input.botMode ?? false,
        encrypted: input.encrypted ?? false,
        service_status: input.serviceStatus ?? 0,
        room_tags: input.roomTags ?? [],
        topic: input.topic ?? '',
        read_only: input.readOnly ?? false,
        is_default: input.isDefault ?? false,
        parent_id: input.parentId ?? null,
        custom_fields: JSON.stringify(input.customFields ?? {}),
        created_by: ownerId,
        member_count: members.length,
        created_at: now,
        updated_at: now,
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

/**
 * Adds users to a room; returns the ids that joined. Who may add which role: room-roles.ts
 * (owners and the API key any, moderators members and moderators). A current member is
 * skipped and keeps their role (setMemberRole changes roles); a former member rejoins
 * with `role`.
 */
export async function addMembers(
  ctx: RequestContext,
  roomId: string,
  userIds: string[],
  role: MemberRole = 'member',
): Promise<string[]> {
  await limitWrite(ctx, 'addMembers');
  const viewer = requireViewer(ctx);
  const { room } = await loadManageableRoom(ctx, roomId);
  checkCount(userIds, 'members', 'userIds');
  userIds.forEach((id) => validateUserId(id));
  const now = ctx.now;
  try {
    const added = await ctx.db.transaction().execute(async (trx) => {
      const locked = await lockMembers(trx, room, viewer, []);
      authorizeMembershipChange(locked.actor, viewer.userId, { kind: 'add', role });
      const joined = await upsertMembers(trx, locked.room, [...new Set(userIds)], role, now);
      if (joined.length > 0) await bumpMemberCount(trx, room.appId, room.id, joined.length, now);
      return joined;
    });
    if (added.length > 0) {
      ctx.loaders.room.clear(room.id);
      for (const userId of added) ctx.loaders.membership.clear(memberKey(room.id, userId));
      announceRoomEvent(ctx, 'MEMBER_JOINED', room.id, { userIds: added });
      announceUserEvent(ctx, 'ROOM_ADDED', added, room.id);
    }
    return added;
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new NotFoundError('A user to add does not exist in this app', { reason: 'USER_NOT_FOUND' });
    }
    throw error;
  }
}

/**
 * A member leaves, or is removed (owners, moderators, the API key: see room-roles.ts;
 * a moderator never removes an owner). The last owner of a group room can neither leave
 * nor be removed: CONFLICT (LAST_OWNER).
 */
export async function removeMember(ctx: RequestContext, roomId: string, userId: string): Promise<void> {
  await limitWrite(ctx, 'removeMember');
  const viewer = requireViewer(ctx);
  const { room } =
    viewer.userId === userId ? await loadReadableRoom(ctx, roomId) : await loadManageableRoom(ctx, roomId);
  const now = ctx.now;
  await ctx.db.transaction().execute(async (trx) => {
    const locked = await lockMembers(trx, room, viewer, [userId]);
    const target = locked.members.get(userId);
    if (!target) {
      throw new NotFoundError(`"${userId}" is not a member of this room`, { reason: 'NOT_ROOM_MEMBER' });
    }
    const change = { kind: 'remove', target } as const;
    authorizeMembershipChange(locked.actor, viewer.userId, change);
    await keepAnOwner(trx, locked.room, change);
    await markMemberLeft(trx, room.appId, room.id, userId, now);
    await bumpMemberCount(trx, room.appId, room.id, -1, now);
  });
  ctx.loaders.room.clear(room.id);
  ctx.loaders.membership.clear(memberKey(room.id, userId));
  announceRoomEvent(ctx, 'MEMBER_LEFT', room.id, { userIds: [userId] });
  announceUserEvent(ctx, 'ROOM_REMOVED', [userId], room.id);
}

/**
 * Moves the viewer's read position to a message (or the newest one). Only forward:
 * reading an older message again changes nothing. Returns the membership and unread.
 */
export async function markRoomRead(
  ctx: RequestContext,
  roomId: string,
  upToMessageId?: string,
): Promise<{ membership: Membership; unread: number }> {
  await limitWrite(ctx, 'markRoomRead');
  const viewer = requireUser(ctx);
  const { room, membership } = await loadReadableRoom(ctx, roomId);
  if (!membership) throw new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' });
  let position = { seq: room.messageSeq, messageId: room.lastMessageId };
  if (upToMessageId !== undefined) {
    const message = await ctx.loaders.message.load(upToMessageId);
    if (!message || message.roomId !== roomId) {
      throw new NotFoundError(`Message "${upToMessageId}" is not in this room`, {
        reason: 'MESSAGE_NOT_FOUND',
      });
    }
    position = { seq: message.seq, messageId: message.id };
  }
  const updated =
    (await advanceReadPosition(ctx.db, viewer.appId, roomId, viewer.userId, position, ctx.now)) ?? membership;
  ctx.loaders.membership
    .clear(memberKey(roomId, viewer.userId))
    .prime(memberKey(roomId, viewer.userId), updated);
  // The viewer's other devices show the new unread count.
  if (updated !== membership) announceUserEvent(ctx, 'READ_UPDATED', [viewer.userId], roomId);
  return { membership: updated, unread: unreadOf(room, updated) };
}

export interface RoomPrefPatch {
  tags?: string[];
  tagColors?: Record<string, string>;
  hidden?: boolean;
  sticky?: boolean;
  muted?: boolean;
  folder?: string | null;
}

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** Changes the given fields of the viewer's pref for a room; the others stay. */
export async function updateRoomPref(
  ctx: RequestContext,
  roomId: string,
  patch: RoomPrefPatch,
): Promise<RoomPref> {
  await limitWrite(ctx, 'updateRoomPref');
  const viewer = requireUser(ctx);
  const { membership } = await loadReadableRoom(ctx, roomId);
  if (!membership) throw new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' });
  for (const [tag, color] of Object.entries(patch.tagColors ?? {})) {
    if (!HEX_COLOR.test(color)) {
      throw new InvalidInputError(`Tag color for "${tag}" must be a hex color like #ffa01a, not "${color}"`, {
        field: 'tagColors',
      });
    }
  }
  checkTags(patch.tags, 'prefTags', 'prefTag', 'tags');
  checkTags(Object.keys(patch.tagColors ?? {}), 'tagColors', 'prefTag', 'tagColors');
  checkLength(patch.folder, 'folder');
  const key = memberKey(roomId, viewer.userId);
  const current = await ctx.loaders.pref.load(key);
  const next = {
    appId: viewer.appId,
    userId: viewer.userId,
    roomId,
    tags: patch.tags ? [...new Set(patch.tags)] : current.tags,
    tagColors: patch.tagColors ?? current.tagColors,
    hidden: patch.hidden ?? current.hidden,
    sticky: patch.sticky ?? current.sticky,
    muted: patch.muted ?? current.muted,
    folder: patch.folder !== undefined ? patch.folder : current.folder,
  };
  const saved = await upsertPref(ctx.db, next, ctx.now);
  ctx.loaders.pref.clear(key).prime(key, saved);
  announceUserEvent(ctx, 'PREF_UPDATED', [viewer.userId], roomId);
  return saved;
}

/** Soft-deletes a room (owners or the API key): it leaves every list and shows in sync removals. */
export async function deleteRoom(ctx: RequestContext, roomId: string): Promise<void> {
  await limitWrite(ctx, 'deleteRoom');
  const { room, membership } = await loadManageableRoom(ctx, roomId);
  if (!ctx.viewer?.superuser && membership?.role !== 'owner') {
    throw new ForbiddenError('Only the room owners may delete it', { reason: 'NOT_ROOM_OWNER' });
  }
  await updateRoomRow(ctx.db, room.appId, room.id, { deleted_at: ctx.now, updated_at: ctx.now });
  ctx.loaders.room.clear(room.id);
  announceRoomEvent(ctx, 'ROOM_DELETED', room.id);
}
