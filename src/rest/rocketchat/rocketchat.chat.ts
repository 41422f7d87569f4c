import { InvalidInputError } from '../../domain/errors.js';
import { sendMessage } from '../../domain/messages/message.service.js';
import type { RestHandler } from '../dialect.js';
import { jsonResponse } from '../http.js';
import { pointer, readRcBody } from './rocketchat.body.js';
import { rcInvalidParams } from './rocketchat.errors.js';
import { rcContext } from './rocketchat.handlers.js';
import { presentMessage } from './rocketchat.present.js';
import { rcSendMessageRequest } from './rocketchat.schemas.js';

/** The domain's input fields by the names this call gives them. */
const FIELD_NAMES = new Map([
  ['clientMessageId', 'message._id'],
  ['message', 'message.msg'],
]);

/**
 * POST /api/v1/chat.sendMessage {message: {rid, msg, _id?}}: sends a text message and
 * answers with it as Rocket.Chat does (with its parsed `md`). A client-chosen `_id` is
 * the send's idempotency key: sending it again returns the first message.
 */
export const chatSendMessage: RestHandler = async (rest, deps) => {
  const ctx = await rcContext(rest, deps);
  const { message: input } = await readRcBody(rest, rcSendMessageRequest);
  const message = await sendMessage(ctx, {
    roomId: input.rid,
    body: input.msg,
    messageType: 'text',
    ...(input._id !== undefined && { clientMessageId: input._id }),
  }).catch((error: unknown) => {
    const field = error instanceof InvalidInputError ? FIELD_NAMES.get(error.field ?? '') : undefined;
    throw field === undefined ? error : rcInvalidParams([`${pointer(field)} ${(error as Error).message}`]);
  });
  const sender = await ctx.loaders.user.load(message.senderId);
  return jsonResponse(200, { message: presentMessage(message, sender), success: true });
};
