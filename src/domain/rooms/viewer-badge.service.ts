import type { RequestContext } from '../context.js';
import { requireUser } from '../access.js';
import type { Membership } from './room.js';
import { markRoomRead } from './room.service.js';
import { sumViewerUnread } from './viewer-badge.repository.js';

/*
 * The viewer's total unread count over all their rooms (IMKit's "badge"), and a read
 * position update that answers with it, as IMKit's PUT /rooms/{id}/lastRead does.
 */

/** Unread messages over all the viewer's current rooms. */
export async function countViewerBadge(ctx: RequestContext): Promise<number> {
  const viewer = requireUser(ctx);
  return sumViewerUnread(ctx.db, viewer.appId, viewer.userId);
}

/**
 * markRoomRead (same rules: members only, forward only), then the viewer's total unread
 * count after it.
 */
export async function markRoomReadWithBadge(
  ctx: RequestContext,
  roomId: string,
  upToMessageId?: string,
): Promise<{ membership: Membership; unread: number; badge: number }> {
  const read = await markRoomRead(ctx, roomId, upToMessageId);
  return { ...read, badge: await countViewerBadge(ctx) };
}
