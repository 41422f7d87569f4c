import { parse } from '@rocket.chat/message-parser';
import type { RequestContext } from '../../domain/context.js';
import type { Message } from '../../domain/messages/message.js';
import type { Room, RoomMember } from '../../domain/rooms/room.js';
import { firstRoomMembers } from '../../domain/rooms/membership.service.js';
import type { User } from '../../domain/users/user.js';
import type { RcMe, RcMessage, RcRoom, RcUserRef } from './rocketchat.schemas.js';

/*
 * Rocket.Chat wire shapes from domain objects; relations only through the loaders.
 * Rooms: direct -> t "d" (usernames, uids), public group -> "c", private group -> "p".
 */

export function presentUserRef(user: User | null, userId: string): RcUserRef {
  return { _id: userId, username: user?.username ?? userId, ...(user && { name: user.nickname }) };
}

/** The text of a message body: a string as is, or an object's `text`/`msg`; other JSON has none. */
export function messageText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (typeof body === 'number' || typeof body === 'boolean') return String(body);
  if (body !== null && typeof body === 'object') {
    const { text, msg } = body as { text?: unknown; msg?: unknown };
    if (typeof text === 'string') return text;
    if (typeof msg === 'string') return msg;
  }
  return '';
}

/** The parsed message tree, as Rocket.Chat's server stores it; undefined where it stores none. */
export function parseMarkdown(text: string): Record<string, unknown>[] | undefined {
  if (text === '') return undefined;
  try {
    return parse(text, { emoticons: true }) as unknown as Record<string, unknown>[];
  } catch {
    return undefined; // Rocket.Chat too keeps a message whose text its parser rejects, without md
  }
}

export function presentMessage(message: Message, sender: User | null): RcMessage {
  const msg = message.isDeleted ? '' : messageText(message.body);
  const md = parseMarkdown(msg);
  return {
    _id: message.id,
    rid: message.roomId,
    msg,
    ts: message.messageTime.toISOString(),
    u: presentUserRef(sender, message.senderId),
    _updatedAt: message.updatedAt.toISOString(),
    urls: [],
    mentions: [],
    channels: [],
    ...(md && { md }),
    ...(message.isDeleted && { t: 'rm' }),
  };
}

async function loadLastMessage(ctx: RequestContext, room: Room): Promise<RcMessage | undefined> {
  if (room.lastMessageId === null) return undefined;
  const message = await ctx.loaders.message.load(room.lastMessageId);
  if (!message) return undefined;
  return presentMessage(message, await ctx.loaders.user.load(message.senderId));
}

async function loadDirectMembers(
  ctx: RequestContext,
  room: Room,
): Promise<{ usernames: string[]; uids: string[] }> {
  const members: RoomMember[] = await firstRoomMembers(ctx, room, 2);
  const users = await Promise.all(members.map((m) => ctx.loaders.user.load(m.membership.userId)));
  // Rocket.Chat keeps a direct room's usernames sorted; uids follow the same order here.
  const pairs = members
    .map((m, i) => ({ uid: m.membership.userId, username: users[i]?.username ?? m.membership.userId }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  return { uids: pairs.map((p) => p.uid), usernames: pairs.map((p) => p.username) };
}

export function roomTypeLetter(room: Room): 'd' | 'c' | 'p' {
  if (room.roomType === 'direct') return 'd';
  return room.visibility === 'public' ? 'c' : 'p';
}

export async function loadRoom(ctx: RequestContext, room: Room): Promise<RcRoom> {
  const t = roomTypeLetter(room);
  const [lastMessage, direct, creator] = await Promise.all([
    loadLastMessage(ctx, room),
    t === 'd' ? loadDirectMembers(ctx, room) : undefined,
    t !== 'd' && room.createdBy !== null ? ctx.loaders.user.load(room.createdBy) : undefined,
  ]);
  return {
    _id: room.id,
    t,
    ...(direct ?? {
      name: room.name,
      fname: room.name,
      topic: room.topic,
      description: room.description,
      broadcast: false,
      customFields: room.customFields,
    }),
    ...(creator !== undefined && room.createdBy !== null && { u: presentUserRef(creator, room.createdBy) }),
    usersCount: room.memberCount,
    msgs: room.messageSeq,
    ts: room.createdAt.toISOString(),
    _updatedAt: room.updatedAt.toISOString(),
    ...(room.lastMessageAt !== null && { lm: room.lastMessageAt.toISOString() }),
    ...(lastMessage && { lastMessage }),
    ro: room.readOnly,
    default: room.isDefault,
    // Rocket.Chat's default: system messages (joins, leaves) are shown.
    sysMes: true,
    encrypted: room.encrypted,
    ...(room.parentId !== null && { prid: room.parentId }),
    ...(room.archived && { archived: true }),
  };
}

export function presentMe(user: User): RcMe {
  return {
    _id: user.id,
    username: user.username,
    name: user.nickname,
    type: 'user',
    status: 'online',
    statusConnection: 'online',
    utcOffset: 0,
    active: true,
    roles: [user.isRobot ? 'bot' : 'user'],
    avatarUrl: user.avatarUrl,
    settings: { profile: {}, preferences: {} },
  };
}
