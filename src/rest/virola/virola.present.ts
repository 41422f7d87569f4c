import type { RequestContext } from '../../domain/context.js';
import type { ViewerRoom } from '../../domain/rooms/room.js';
import type { VirolaRoom } from './virola.schemas.js';

/* Virola's room from a room of the viewer's list; the last message through the loader. */
export async function loadRoom(ctx: RequestContext, view: ViewerRoom): Promise<VirolaRoom> {
  const { room, membership, pref, unread } = view;
  const last = room.lastMessageId === null ? null : await ctx.loaders.message.load(room.lastMessageId);
  return {
    createdUtc: room.createdAt.getTime(),
    displayName: room.name,
    lastModifiedUtc: room.updatedAt.getTime(),
    roomId: room.numId,
    roomType: room.visibility === 'public' ? 'Public' : 'Private',
    unreadMessageCount: unread,
    isArchived: room.archived,
    isModerator: membership.role === 'owner' || membership.role === 'moderator',
    isPinned: pref.sticky,
    lastMessage: last ? { createdUtc: last.createdAt.getTime(), messageId: last.numId } : null,
  };
}
