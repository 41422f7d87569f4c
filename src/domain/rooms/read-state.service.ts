import type { RequestContext } from '../context.js';
import { announceUserEvent } from '../announce.js';
import { loadReadableRoom, requireUser } from '../access.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { limitWrite } from '../write-limit.js';
import { memberKey } from './member-key.js';
import { advanceReadPosition, sumUnread } from './membership.repository.js';
import type { Membership } from './room.js';
import { unreadOf } from './unread.js';

/*
 * How far the viewer has read: moving their read position, and their unread count over
 * all rooms (IMKit's "badge"). The unread rule itself is unread.ts.
 */

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

/** Unread messages over all the viewer's current rooms. */
export async function countViewerBadge(ctx: RequestContext): Promise<number> {
  const viewer = requireUser(ctx);
  return sumUnread(ctx.db, viewer.appId, viewer.userId);
}

/**
 * markRoomRead (same rules: members only, forward only), then the viewer's total unread
 * count after it, as IMKit's PUT /rooms/{id}/lastRead answers.
 */
export async function markRoomReadWithBadge(
  ctx: RequestContext,
  roomId: string,
  upToMessageId?: string,
): Promise<{ membership: Membership; unread: number; badge: number }> {
  const read = await markRoomRead(ctx, roomId, upToMessageId);
  return { ...read, badge: await countViewerBadge(ctx) };
}
