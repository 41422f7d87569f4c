import { InvalidInputError } from '../../domain/errors.js';
import { parseInstant } from '../../domain/instant.js';
import { isMessageId } from '../../domain/messages/message-id.js';
import { sendMessage } from '../../domain/messages/message.service.js';
import { markRoomReadWithBadge } from '../../domain/rooms/read-state.service.js';
import type { RestHandler } from '../dialect.js';
import { parseBody, readBodyObject } from '../json-body.js';
import { imkitContext, ok, roomIdParam } from './imkit.handlers.js';
import { loadMessage } from './imkit.present.js';
import { imkitLastReadRequest, imkitSendMessageRequest } from './imkit.schemas.js';

/*
 * IMKit's write calls, which its clients make besides the documented reads: the same
 * services as GraphQL's markRoomRead and sendMessage, answered in IMKit's
 * {RC, RM, result} envelope.
 */

/**
 * PUT /rooms/{id}/lastRead {message}: moves the user's read position to that message
 * (forward only) and answers with their total unread count across all rooms.
 */
export const markLastRead: RestHandler = async (rest, deps) => {
  const ctx = await imkitContext(rest, deps);
  const roomId = roomIdParam(rest);
  const body = parseBody(await readBodyObject(rest), imkitLastReadRequest);
  if (!isMessageId(body.message)) {
    throw new InvalidInputError(`Invalid message "${body.message}": a message id is 24 hex digits`, {
      field: 'message',
    });
  }
  const { membership, badge } = await markRoomReadWithBadge(ctx, roomId, body.message);
  return ok({
    client: membership.userId,
    lastRead: membership.lastReadMessageId ?? body.message,
    badge,
  });
};

/**
 * POST /rooms/{id}/message {message, messageType, clientMessageId?, messageTime?,
 * sender?}: sends a message and answers with it as GET .../messages/v3 shows it. A
 * retry with the same clientMessageId returns the first message.
 */
export const postMessage: RestHandler = async (rest, deps) => {
  const ctx = await imkitContext(rest, deps);
  const roomId = roomIdParam(rest);
  const body = parseBody(await readBodyObject(rest), imkitSendMessageRequest);
  const message = await sendMessage(ctx, {
    roomId,
    body: body.message,
    messageType: body.messageType,
    ...(body.clientMessageId !== undefined && { clientMessageId: body.clientMessageId }),
    ...(body.messageTime !== undefined && {
      messageTime: parseInstant(String(body.messageTime), 'messageTime'),
    }),
    ...(body.sender !== undefined && { senderId: body.sender }),
  });
  return ok(await loadMessage(ctx, message));
};
