import { createHash } from 'node:crypto';
import type { RequestContext } from '../../domain/context.js';
import { memberKey } from '../../domain/rooms/member-key.js';
import type { ViewerRoom } from '../../domain/rooms/room.js';
import { firstRoomMembers } from '../../domain/rooms/membership.service.js';
import { presentUserRef, roomTypeLetter } from './rocketchat.present.js';
import type { RcSubscription } from './rocketchat.schemas.js';

/*
 * Rocket.Chat subscriptions (a user's place in a room: unread, alert, open, favorite,
 * last seen, roles) from the viewer's room rows. Relations only through the loaders, so
 * a list of N subscriptions costs the same few statements as one.
 */

/** Meteor's Random.id alphabet: subscription ids look like Rocket.Chat's own. */
const ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * A subscription's _id, derived from the room and the user: stable (a sync's `remove`
 * names the id an earlier `update` gave) and unique per app without storing one.
 */
export function subscriptionId(roomId: string, userId: string): string {
  const digest = createHash('sha256').update(memberKey(roomId, userId)).digest();
  let id = '';
  for (let i = 0; i < 17; i++) id += ID_ALPHABET[(digest[i] ?? 0) % ID_ALPHABET.length];
  return id;
}

function latest(...dates: (Date | null | undefined)[]): Date {
  return new Date(Math.max(...dates.map((d) => d?.getTime() ?? 0)));
}

/** A direct room's other member: their username as `name`, their display name as `fname`. */
async function loadDirectNames(
  ctx: RequestContext,
  view: ViewerRoom,
): Promise<{ name: string; fname: string }> {
  const members = await firstRoomMembers(ctx, view.room, 2);
  const other = members.find((m) => m.membership.userId !== view.membership.userId);
  if (!other) return { name: view.room.name, fname: view.room.name }; // the other one left
  const user = await ctx.loaders.user.load(other.membership.userId);
  return {
    name: user?.username ?? other.membership.userId,
    fname: user?.nickname || user?.username || other.membership.userId,
  };
}

export async function loadSubscription(ctx: RequestContext, view: ViewerRoom): Promise<RcSubscription> {
  const { room, membership, pref, unread } = view;
  const t = roomTypeLetter(room);
  const [user, names, lastRead] = await Promise.all([
    ctx.loaders.user.load(membership.userId),
    t === 'd' ? loadDirectNames(ctx, view) : { name: room.name, fname: room.name },
    membership.lastReadMessageId === null ? null : ctx.loaders.message.load(membership.lastReadMessageId),
  ]);
  // Read positions only move forward and a send moves the sender's to their message, so
  // when the last message read is the user's own it is also their latest message.
  const ownLastRead = lastRead && lastRead.senderId === membership.userId ? lastRead : null;
  return {
    _id: subscriptionId(room.id, membership.userId),
    rid: room.id,
    u: presentUserRef(user, membership.userId),
    t,
    ...names,
    ts: membership.joinedAt.toISOString(),
    // Messages after ls are unread: up to the last message read, never before joining.
    ls: latest(membership.joinedAt, lastRead?.messageTime).toISOString(),
    ...(ownLastRead && { lr: ownLastRead.messageTime.toISOString() }),
    _updatedAt: latest(room.updatedAt, membership.updatedAt, pref.updatedAt).toISOString(),
    open: !pref.hidden && !room.archived,
    alert: unread > 0,
    unread,
    userMentions: 0,
    groupMentions: 0,
    f: pref.sticky,
    roles: membership.role === 'member' ? [] : [membership.role],
    disableNotifications: pref.muted,
    ...(room.parentId !== null && { prid: room.parentId }),
    ...(room.archived && { archived: true }),
  };
}
