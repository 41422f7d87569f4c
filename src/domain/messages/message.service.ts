import type { RequestContext } from '../context.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import { loadReadableRoom, requireViewer } from '../access.js';
import { announceRoomEvent } from '../announce.js';
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
import { memberKey } from '../rooms/member-key.js';
import type {
  Message,
  MessageFilter,
  MessageListQuery,
  MessageOrderField,
  ReactionSummary,
} from './message.js';
import { generateMessageId } from './message-id.js';
import {
  countRoomMessageRows,
  findMessageByClientId,
  messageCursorValues,
  selectRoomMessages,
} from './message.repository.js';
import { insertMessageWithNextSeq } from './send.repository.js';
import { limitWrite } from '../write-limit.js';
import { INPUT_LIMITS } from '../input-limits.js';

export function messageOrderKey(orderBy: MessageOrderField): CursorOrder {
  return { name: `messages|${orderBy}`, keys: orderBy === 'SEQUENCE' ? ['int8'] : ['timestamptz', 'int8'] };
}

export type MessagePage = Page<Edge<Message>> & {
  /** Ids on this page that the viewer deleted for themselves (IMKit userDeletedIDs). */
  userDeletedIds: string[];
};

/** Where a page starts when an API pages by message id (IMKit beforeMessage / afterMessage). */
export interface MessageAnchor {
  messageId: string;
  /** The request field that named it, for the error when the room has no such message. */
  field: string;
}

/**
 * A keyset page of a room's messages, for members and the app's API key: from `page.cursor`,
 * or from just before (backward) or after a message of the room, found by the page's own
 * statement.
 */
export async function listRoomMessages(
  ctx: RequestContext,
  roomId: string,
  query: MessageListQuery,
  page: PageRequest,
  anchor?: MessageAnchor,
): Promise<MessagePage> {
  const { room } = await loadReadableRoom(ctx, roomId);
  const viewerUserId = ctx.viewer?.userId ?? null;
  const fetched = await selectRoomMessages(
    ctx.db,
    room.appId,
    roomId,
    viewerUserId,
    query.filter,
    query.orderBy,
    page,
    anchor?.messageId,
  );
  // No rows: the anchor is the room's first (or last) message, or not one of its messages at all.
  if (anchor && fetched.length === 0) await requireRoomMessage(ctx, roomId, anchor);
  const orderKey = messageOrderKey(query.orderBy);
  const deleted = new Set<string>();
  const edges = fetched.map(({ message, sender, deletedForViewer }) => {
    // The page read the senders and deleted-for-me marks: Message.sender and deletedForViewer need no statement.
    ctx.loaders.message.prime(message.id, message);
    if (sender) ctx.loaders.user.prime(sender.id, sender);
    if (viewerUserId !== null) ctx.loaders.deletedForViewer.prime(message.id, deletedForViewer);
    if (deletedForViewer) deleted.add(message.id);
    return lazyEdge(message, (node) => encodeCursor(orderKey, messageCursorValues(node, query.orderBy)));
  });
  const result = toPage(edges, page, page.cursor !== null || anchor !== undefined);
  return {
    ...result,
    userDeletedIds: result.rows.filter((e) => deleted.has(e.node.id)).map((e) => e.node.id),
  };
}

async function requireRoomMessage(ctx: RequestContext, roomId: string, anchor: MessageAnchor): Promise<void> {
  const message = await ctx.loaders.message.load(anchor.messageId);
  if (!message || message.roomId !== roomId) {
    throw new InvalidInputError(`Message "${anchor.messageId}" is not in room "${roomId}"`, {
      field: anchor.field,
      reason: 'MESSAGE_NOT_FOUND',
    });
  }
}

/**
 * A message's reactions, grouped by key. One nobody reacted to needs no read: its
 * reactionCount moves with every reaction in the same transaction (toggleReaction), so a
 * page of unreacted messages costs no reactions statement at all.
 */
export function loadMessageReactions(ctx: RequestContext, message: Message): Promise<ReactionSummary[]> {
  return message.reactionCount === 0 ? Promise.resolve([]) : ctx.loaders.reactions.load(message.id);
}

function isUnfiltered(filter: MessageFilter): boolean {
  return (
    filter.afterTime === undefined &&
    filter.beforeTime === undefined &&
    (filter.messageTypes === undefined || filter.messageTypes.length === 0) &&
    filter.includeDeleted !== false
  );
}

/**
 * One message by id, for whoever may read its room (Relay node lookups, edits). NOT_FOUND
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

export async function countRoomMessages(
  ctx: RequestContext,
  roomId: string,
  filter: MessageFilter,
): Promise<number> {
  const { room } = await loadReadableRoom(ctx, roomId);
  // Every message takes the room's next sequence number and none is ever removed (a delete
  // leaves a tombstone), so without a filter the count is the sequence: no scan of 100,000 rows.
  if (isUnfiltered(filter)) return room.messageSeq;
  return countRoomMessageRows(ctx.db, room.appId, roomId, filter);
}

export interface SendMessageInput {
  roomId: string;
  /** Any JSON: a string for text, an object for rich messages. */
  body: unknown;
  messageType?: string;
  /** The client's own id for this send: a retry with the same id returns the first message. */
  clientMessageId?: string;
  /** When the message was written (imports); defaults to now. */
  messageTime?: Date;
  /** For the app's API key only: who sends it (imports, bots). */
  senderId?: string;
}

const MAX_BODY_BYTES = INPUT_LIMITS.messageBody.max;
const MAX_TEXT_LENGTH = INPUT_LIMITS.messageText.max;
const MESSAGE_TYPE = new RegExp(`^[A-Za-z0-9_.:-]{1,${INPUT_LIMITS.messageType.max}}$`);

/** The rules a message body and type follow, on send and on edit. */
export function validateMessageContent(input: { body: unknown; messageType?: string }): void {
  if (input.body === undefined || input.body === null) {
    throw new InvalidInputError('A message needs a body', { field: 'message' });
  }
  if (Buffer.byteLength(JSON.stringify(input.body)) > MAX_BODY_BYTES) {
    throw new InvalidInputError(`A message body may be at most ${MAX_BODY_BYTES} bytes of JSON`, {
      field: 'message',
    });
  }
  if (typeof input.body === 'string' && input.body.length > MAX_TEXT_LENGTH) {
    throw new InvalidInputError(`A text message may be at most ${MAX_TEXT_LENGTH} characters`, {
      field: 'message',
    });
  }
  if (input.messageType !== undefined && !MESSAGE_TYPE.test(input.messageType)) {
    throw new InvalidInputError(
      `messageType must be 1-${INPUT_LIMITS.messageType.max} letters, digits, or . _ : -`,
      {
        field: 'messageType',
      },
    );
  }
}

function validateSend(input: SendMessageInput): void {
  validateMessageContent(input);
  if (
    input.clientMessageId !== undefined &&
    (input.clientMessageId.length === 0 || input.clientMessageId.length > INPUT_LIMITS.clientMessageId.max)
  ) {
    throw new InvalidInputError(
      `clientMessageId must be 1 to ${INPUT_LIMITS.clientMessageId.max} characters`,
      {
        field: 'clientMessageId',
      },
    );
  }
}

/**
 * Sends a message in one statement (send.repository.ts) with O(1) writes whatever the room size: claim
 * the room's next sequence number (the room row's lock orders concurrent senders, so
 * sequences have no gaps), insert the message, move the sender's read position.
 * Everyone else's unread count is room sequence - their read sequence: nothing to write.
 */
export async function sendMessage(ctx: RequestContext, input: SendMessageInput): Promise<Message> {
  await limitWrite(ctx, 'sendMessage');
  const viewer = requireViewer(ctx);
  validateSend(input);
  const senderId = viewer.superuser ? input.senderId : viewer.userId;
  if (!senderId) throw new InvalidInputError('The API key must say which user sends', { field: 'senderId' });
  if (!viewer.superuser && input.senderId !== undefined && input.senderId !== viewer.userId) {
    throw new ForbiddenError('Only the API key may send as another user');
  }
  const { room } = await loadReadableRoom(ctx, input.roomId);
  const membership = await ctx.loaders.membership.load(memberKey(room.id, senderId));
  if (!membership || membership.leftAt !== null) {
    throw new ForbiddenError(`"${senderId}" is not in the room`, { reason: 'NOT_ROOM_MEMBER' });
  }
  if (room.archived) throw new ForbiddenError('The room is archived', { reason: 'ROOM_ARCHIVED' });
  if (room.readOnly && membership.role === 'member' && !viewer.superuser) {
    throw new ForbiddenError('The room is read-only: only its owners and moderators may post', {
      reason: 'ROOM_READ_ONLY',
    });
  }
  if (input.clientMessageId !== undefined) {
    const previous = await findMessageByClientId(ctx.db, room.appId, senderId, input.clientMessageId);
    if (previous) return previous;
  }
  const now = ctx.now;
  const id = generateMessageId(now);
  try {
    const message = await insertMessageWithNextSeq(ctx.db, {
      appId: room.appId,
      id,
      roomId: room.id,
      senderId,
      body: JSON.stringify(input.body),
      messageType: input.messageType ?? 'text',
      messageTime: input.messageTime ?? now,
      clientMessageId: input.clientMessageId ?? null,
      now,
    });
    if (!message) throw new NotFoundError(`Room "${room.id}" does not exist`, { reason: 'ROOM_NOT_FOUND' });
    ctx.loaders.message.prime(message.id, message);
    ctx.loaders.room.clear(room.id);
    ctx.loaders.membership.clear(memberKey(room.id, senderId));
    announceRoomEvent(ctx, 'MESSAGE_ADDED', room.id, { messageId: message.id });
    return message;
  } catch (error) {
    // A concurrent retry with the same client id won: its message is the answer.
    if (input.clientMessageId !== undefined && isUniqueViolation(error, 'messages_client_id')) {
      const winner = await findMessageByClientId(ctx.db, room.appId, senderId, input.clientMessageId);
      if (winner) return winner;
    }
    if (isForeignKeyViolation(error)) throw new NotFoundError(`User "${senderId}" does not exist`);
    throw error;
  }
}
