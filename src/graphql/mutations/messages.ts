import { deleteMessage, editMessage, setReaction } from '../../domain/messages/message-edit.service.js';
import { sendMessage } from '../../domain/messages/message.service.js';
import type { Message } from '../../domain/messages/message.js';
import { getRoomForViewer } from '../../domain/rooms/room.service.js';
import { builder } from '../builder.js';
import { definedOnly } from '../inputs.js';
import { MessageRef } from '../types/message.js';
import { RoomRef } from '../types/room.js';
import { mutationErrors } from './error-types.js';
import {
  CLIENT_MUTATION_ID,
  echo,
  payloadType,
  type PayloadBase,
  type PayloadFieldBuilder,
} from './relay-mutation.js';

/*
 * Sending and changing messages. The rules (members only, read-only rooms, who may edit
 * or delete, idempotent clientMessageId, one transaction per send) are in
 * message.service.ts and message-edit.service.ts.
 */

type MessagePayloadShape = PayloadBase & { message: Message };

// Not `message`: clients select `... on Error { message }` beside the payload, and one
// response name cannot be a String in one branch and a Message in another.
const chatMessageField = (p: PayloadFieldBuilder<MessagePayloadShape>) =>
  p.field({ type: MessageRef, description: 'The message.', resolve: (payload) => payload.message });

const messagePayload = (name: string, description: string) =>
  payloadType<MessagePayloadShape>(name, description, (p) => ({ chatMessage: chatMessageField(p) }));

const SendMessageInputType = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    roomId: t.string({ required: true }),
    message: t.field({
      type: 'JSON',
      required: true,
      description: 'The body: any JSON (a string for plain text).',
    }),
    messageType: t.string({ description: 'Default "text".' }),
    clientMessageId: t.string({
      description:
        "The client's own id for this send (1-128 characters): a retry with the same id returns the first message instead of sending it again.",
    }),
    messageTime: t.field({ type: 'DateTime', description: 'When it was written (imports); default now.' }),
    senderId: t.string({ description: 'API key only: the member who sends it (bots, imports).' }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('sendMessage', (t) =>
  t.field({
    type: payloadType<MessagePayloadShape>(
      'SendMessage',
      'The message sent (or, for a retry, the first one).',
      (p) => ({
        chatMessage: chatMessageField(p),
        room: p.field({
          type: RoomRef,
          description: 'The room after the send: lastMessage, unread, updatedTime.',
          resolve: (payload, _a, ctx) => getRoomForViewer(ctx, payload.message.roomId),
        }),
      }),
    ),
    description:
      "Sends a message into a room the sender is a member of. In one transaction it becomes the room's last message, moves the sender's read position and raises everyone else's unread count.",
    args: { input: t.arg({ type: SendMessageInputType, required: true }) },
    errors: mutationErrors('SendMessage'),
    resolve: async (_root, { input }, ctx) => {
      const { roomId: _room, message, clientMutationId: _id, ...rest } = definedOnly(input);
      const sent = await sendMessage(ctx, { ...rest, roomId: input.roomId, body: message ?? input.message });
      return { ...echo(input), message: sent };
    },
  }),
);

const EditMessageInputType = builder.inputType('EditMessageInput', {
  fields: (t) => ({
    messageId: t.string({ required: true }),
    message: t.field({ type: 'JSON', required: true, description: 'The new body.' }),
    messageType: t.string({ description: 'A new type; left out, the type stays.' }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('editMessage', (t) =>
  t.field({
    type: messagePayload('EditMessage', 'The edited message.'),
    description: "Replaces a message's body (its sender, or the API key).",
    args: { input: t.arg({ type: EditMessageInputType, required: true }) },
    errors: mutationErrors('EditMessage'),
    resolve: async (_root, { input }, ctx) => {
      const message = await editMessage(ctx, input.messageId, {
        body: input.message,
        ...(input.messageType != null && { messageType: input.messageType }),
      });
      return { ...echo(input), message };
    },
  }),
);

const DeleteMessageScopeEnum = builder.enumType('DeleteMessageScope', {
  values: {
    FOR_EVERYONE: {
      description:
        'The message becomes a tombstone (isDeleted) for everyone: its sender, the room owners and moderators, or the API key.',
    },
    FOR_ME: { description: "Only the viewer stops seeing it (the room's userDeletedIds): any member." },
  } as const,
});

const DeleteMessageInputType = builder.inputType('DeleteMessageInput', {
  fields: (t) => ({
    messageId: t.string({ required: true }),
    scope: t.field({ type: DeleteMessageScopeEnum, required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('deleteMessage', (t) =>
  t.field({
    type: messagePayload('DeleteMessage', 'The message after the deletion.'),
    description: 'Deletes a message for everyone or only for the viewer.',
    args: { input: t.arg({ type: DeleteMessageInputType, required: true }) },
    errors: mutationErrors('DeleteMessage'),
    resolve: async (_root, { input }, ctx) => ({
      ...echo(input),
      message: await deleteMessage(ctx, input.messageId, input.scope),
    }),
  }),
);

const ReactionInputType = builder.inputType('ReactionInput', {
  fields: (t) => ({
    messageId: t.string({ required: true }),
    key: t.string({
      required: true,
      description: 'The reaction, e.g. an emoji: 1-64 characters without spaces.',
    }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

for (const [field, add] of [
  ['addReaction', true],
  ['removeReaction', false],
] as const) {
  const name = add ? 'AddReaction' : 'RemoveReaction';
  builder.mutationField(field, (t) =>
    t.field({
      type: messagePayload(name, 'The message with its reactions.'),
      description: add
        ? "Adds the viewer's reaction to a message (members; doing it twice changes nothing)."
        : "Removes the viewer's reaction from a message.",
      args: { input: t.arg({ type: ReactionInputType, required: true }) },
      errors: mutationErrors(name),
      resolve: async (_root, { input }, ctx) => ({
        ...echo(input),
        message: await setReaction(ctx, input.messageId, input.key, add),
      }),
    }),
  );
}
