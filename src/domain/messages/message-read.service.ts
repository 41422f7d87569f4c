import type { RequestContext } from '../context.js';
import { loadReadableRoom, requireViewer } from '../access.js';
import { NotFoundError } from '../errors.js';
import type { Message } from './message.js';

/**
 * One message by id, for whoever may read its room (Relay node lookups). NOT_FOUND
 * (MESSAGE_NOT_FOUND) when there is no such message in the viewer's app; the room's
 * rules (FORBIDDEN NOT_ROOM_MEMBER) otherwise.
 */
export async function getMessageForViewer(ctx: RequestContext, messageId: string): Promise<Message> {
  requireViewer(ctx);
  const message = await ctx.loaders.message.load(messageId);
  if (!message)
    throw new NotFoundError(`Message "${messageId}" does not exist`, { reason: 'MESSAGE_NOT_FOUND' });
  await loadReadableRoom(ctx, message.roomId);
  return message;
}
