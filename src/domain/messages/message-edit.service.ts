import type { RequestContext } from '../context.js';
import { loadReadableRoom, requireUser } from '../access.js';
import { announceRoomEvent } from '../announce.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Message } from './message.js';
import { insertUserDeletion, toggleReaction, updateMessageRow } from './message-edit.repository.js';
import { getMessageForViewer, validateMessageContent } from './message.service.js';
import { limitWrite } from '../write-limit.js';
import { INPUT_LIMITS } from '../input-limits.js';

/*
 * Changing messages after they were sent. Each change bumps the message's updatedAt,
 * so IMKit's v3 history (ordered by updatedAt) and incremental sync see it.
 */

async function loadMessageInReadableRoom(ctx: RequestContext, messageId: string) {
  const message = await getMessageForViewer(ctx, messageId);
  return { message, ...(await loadReadableRoom(ctx, message.roomId)) };
}

function refresh(ctx: RequestContext, message: Message): Message {
  ctx.loaders.message.clear(message.id).prime(message.id, message);
  return message;
}

/** The sender (or the API key) replaces a message's body. Deleted messages cannot be edited. */
export async function editMessage(
  ctx: RequestContext,
  messageId: string,
  input: { body: unknown; messageType?: string },
): Promise<Message> {
  await limitWrite(ctx, 'editMessage');
  const { message } = await loadMessageInReadableRoom(ctx, messageId);
  if (!ctx.viewer?.superuser && message.senderId !== ctx.viewer?.userId) {
    throw new ForbiddenError('Only the sender may edit a message', { reason: 'NOT_MESSAGE_SENDER' });
  }
  if (message.isDeleted)
    throw new InvalidInputError('A deleted message cannot be edited', { field: 'messageId' });
  validateMessageContent(input);
  const updated = await updateMessageRow(
    ctx.db,
    message.appId,
    message.id,
    {
      body: JSON.stringify(input.body),
      ...(input.messageType !== undefined && { messageType: input.messageType }),
    },
    ctx.now,
  );
  if (!updated)
    throw new NotFoundError(`Message "${messageId}" does not exist`, { reason: 'MESSAGE_NOT_FOUND' });
  announceRoomEvent(ctx, 'MESSAGE_UPDATED', message.roomId, { messageId });
  return refresh(ctx, updated);
}

export type DeleteScope = 'FOR_EVERYONE' | 'FOR_ME';

/**
 * FOR_EVERYONE (the sender, the room's owners and moderators, or the API key): the
 * message stays as a tombstone (isDeleted, body emptied) so histories keep their order.
 * FOR_ME (any member): only the viewer stops seeing it (userDeletedIDs).
 */
export async function deleteMessage(
  ctx: RequestContext,
  messageId: string,
  scope: DeleteScope,
): Promise<Message> {
  await limitWrite(ctx, 'deleteMessage');
  const { message, membership } = await loadMessageInReadableRoom(ctx, messageId);
  if (scope === 'FOR_ME') {
    const viewer = requireUser(ctx);
    await insertUserDeletion(ctx.db, {
      appId: message.appId,
      userId: viewer.userId,
      roomId: message.roomId,
      messageId,
    });
    ctx.loaders.deletedForViewer.clear(messageId).prime(messageId, true);
    return message;
  }
  const mayDelete =
    ctx.viewer?.superuser ||
    message.senderId === ctx.viewer?.userId ||
    membership?.role === 'owner' ||
    membership?.role === 'moderator';
  if (!mayDelete) {
    throw new ForbiddenError('Only the sender or the room moderators may delete a message for everyone', {
      reason: 'NOT_MESSAGE_SENDER',
    });
  }
  if (message.isDeleted) return message;
  const updated = await updateMessageRow(
    ctx.db,
    message.appId,
    message.id,
    { body: JSON.stringify(''), isDeleted: true },
    ctx.now,
  );
  if (!updated)
    throw new NotFoundError(`Message "${messageId}" does not exist`, { reason: 'MESSAGE_NOT_FOUND' });
  announceRoomEvent(ctx, 'MESSAGE_DELETED', message.roomId, { messageId });
  return refresh(ctx, updated);
}

const REACTION_KEY = new RegExp(`^\\S{1,${INPUT_LIMITS.reactionKey.max}}$`, 'u');

/** Adds (or removes) the viewer's reaction `key` on a message; doing it twice changes nothing. */
export async function setReaction(
  ctx: RequestContext,
  messageId: string,
  key: string,
  add: boolean,
): Promise<Message> {
  await limitWrite(ctx, 'setReaction');
  const viewer = requireUser(ctx);
  const { message, membership } = await loadMessageInReadableRoom(ctx, messageId);
  if (!membership) throw new ForbiddenError('Client is not in the room', { reason: 'NOT_ROOM_MEMBER' });
  if (!REACTION_KEY.test(key)) {
    throw new InvalidInputError(
      `A reaction key is 1 to ${INPUT_LIMITS.reactionKey.max} characters without spaces`,
      { field: 'key' },
    );
  }
  if (message.isDeleted)
    throw new InvalidInputError('A deleted message takes no reactions', { field: 'messageId' });
  const changed = await ctx.db
    .transaction()
    .execute((trx) =>
      toggleReaction(trx, { appId: message.appId, messageId, userId: viewer.userId, key }, add, ctx.now),
    );
  if (!changed) return message;
  ctx.loaders.reactions.clear(messageId);
  ctx.loaders.message.clear(messageId);
  announceRoomEvent(ctx, 'REACTION_CHANGED', message.roomId, { messageId });
  return (await ctx.loaders.message.load(messageId)) ?? message;
}
