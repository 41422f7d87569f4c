import type { RequestContext } from '../../domain/context.js';
import type { Message, ReactionSummary } from '../../domain/messages/message.js';
import { loadMessageReactions } from '../../domain/messages/message.service.js';
import type { Room, RoomMember, RoomPref } from '../../domain/rooms/room.js';
import { firstRoomMembers } from '../../domain/rooms/membership.service.js';
import type { User } from '../../domain/users/user.js';
import { toMillis } from '../http.js';
import type { ImkitMessage, ImkitPref, ImkitRoom, ImkitRoomDetail, ImkitUser } from './imkit.schemas.js';

/*
 * IMKit wire shapes from domain objects. Relations (senders, last messages, members)
 * come only through the request's loaders, so a list of N rooms costs the same few
 * batched statements as one.
 */

/** Members shown per room in the room list; the room detail shows all of them. */
export const ROOM_LIST_MEMBERS = 100;

export function presentUser(user: User | null, userId: string): ImkitUser {
  return {
    _id: userId,
    id: userId,
    nickname: user?.nickname ?? '',
    avatarUrl: user?.avatarUrl ?? '',
    description: user?.description ?? '',
    isRobot: user?.isRobot ?? false,
    lastLoginTimeMS: toMillis(user?.lastLoginAt),
  };
}

export function presentMessage(
  message: Message,
  sender: User | null,
  reactions: ReactionSummary[],
): ImkitMessage {
  return {
    _id: message.id,
    id: message.id,
    message: message.body,
    room: message.roomId,
    sender: presentUser(sender, message.senderId),
    messageType: message.messageType,
    appID: message.appId,
    messageTime: message.messageTime.toISOString(),
    messageTimeMS: message.messageTime.getTime(),
    updatedAtMS: message.updatedAt.getTime(),
    createdAtMS: message.createdAt.getTime(),
    reactions: reactions.map((r) => ({ key: r.key, count: r.count, clients: r.userIds })),
    reactionCount: message.reactionCount,
    isDeleted: message.isDeleted,
  };
}

export async function loadMessage(ctx: RequestContext, message: Message): Promise<ImkitMessage> {
  const [sender, reactions] = await Promise.all([
    ctx.loaders.user.load(message.senderId),
    loadMessageReactions(ctx, message),
  ]);
  return presentMessage(message, sender, reactions);
}

export function presentPref(pref: RoomPref): ImkitPref {
  return {
    tags: pref.tags,
    tagColors: pref.tagColors,
    hidden: pref.hidden,
    sticky: pref.sticky,
    muted: pref.muted,
    ...(pref.folder !== null && { folder: pref.folder }),
  };
}

async function loadLastMessage(ctx: RequestContext, room: Room): Promise<ImkitMessage | undefined> {
  if (room.lastMessageId === null) return undefined;
  const message = await ctx.loaders.message.load(room.lastMessageId);
  return message ? loadMessage(ctx, message) : undefined;
}

async function loadMemberUsers(ctx: RequestContext, members: RoomMember[]): Promise<ImkitUser[]> {
  // First-member lists read their users in the same statement: no loader round (a promise per member).
  if (members.every((m) => m.user !== undefined)) {
    return members.map((m) => presentUser(m.user ?? null, m.membership.userId));
  }
  const users = await ctx.loaders.user.loadMany(members.map((m) => m.membership.userId));
  return members.map((m, i) => {
    const user = users[i];
    return presentUser(user instanceof Error ? null : (user ?? null), m.membership.userId);
  });
}

interface RoomViewLike {
  room: Room;
  pref: RoomPref;
  unread: number;
}

function roomFields(room: Room, pref: RoomPref, unread: number) {
  return {
    _id: room.id,
    id: room.id,
    name: room.name,
    cover: room.cover,
    description: room.description,
    roomType: room.roomType,
    webhook: room.webhook,
    botState: room.botState,
    botMode: room.botMode,
    encrypted: room.encrypted,
    serviceStatus: room.serviceStatus,
    roomTags: room.roomTags,
    status: room.status,
    unread,
    muted: pref.muted,
    pref: presentPref(pref),
    createdTimeMS: room.createdAt.getTime(),
  };
}

/** A room of the list: its first ROOM_LIST_MEMBERS members. */
export async function loadRoom(ctx: RequestContext, view: RoomViewLike): Promise<ImkitRoom> {
  // The last message's sender is loaded only once the members are in: the members query
  // primes the user loader, so a sender among them costs nothing, and the number of
  // statements does not depend on which of the two queries answers first.
  const [message, members] = await Promise.all([
    view.room.lastMessageId === null ? null : ctx.loaders.message.load(view.room.lastMessageId),
    firstRoomMembers(ctx, view.room, ROOM_LIST_MEMBERS),
  ]);
  const [lastMessage, memberUsers] = await Promise.all([
    message ? loadMessage(ctx, message) : undefined,
    loadMemberUsers(ctx, members),
  ]);
  return {
    ...roomFields(view.room, view.pref, view.unread),
    ...(lastMessage && { lastMessage }),
    members: memberUsers,
  };
}

/** The room detail: every member with their unread badge and read position. */
export async function loadRoomDetail(
  ctx: RequestContext,
  view: RoomViewLike,
  members: RoomMember[],
): Promise<ImkitRoomDetail> {
  const [lastMessage, users] = await Promise.all([
    loadLastMessage(ctx, view.room),
    loadMemberUsers(ctx, members),
  ]);
  return {
    ...roomFields(view.room, view.pref, view.unread),
    ...(lastMessage && { lastMessage }),
    members: users,
    appID: view.room.appId,
    memberProperties: members.map(({ membership, unread }) => ({
      client: membership.userId,
      badge: unread,
      ...(membership.lastReadMessageId !== null && { lastRead: membership.lastReadMessageId }),
    })),
    isSuperuser: ctx.viewer?.superuser ?? false,
  };
}
