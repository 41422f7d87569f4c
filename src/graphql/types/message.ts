import {
  countRoomMessages,
  listRoomMessages,
  loadMessageReactions,
  messageOrderKey,
} from '../../domain/messages/message.service.js';
import type { Message, MessageListQuery, ReactionSummary } from '../../domain/messages/message.js';
import { relayPage } from '../../domain/pagination.js';
import { getRoomForViewer } from '../../domain/rooms/room.service.js';
import { builder } from '../builder.js';
import { relayArgs, toConnection } from '../connection.js';
import { definedOnly } from '../inputs.js';
import { MemberRef } from './member.js';
import { RoomRef } from './room.js';
import { loadReferencedUser, UserRef } from './user.js';

/** A message of a room. */
export const MessageRef = builder.objectRef<Message>('Message');

const ReactionRef = builder.objectRef<ReactionSummary>('Reaction').implement({
  description: 'All reactions with one key (an emoji, say) on a message.',
  fields: (t) => ({
    key: t.exposeString('key'),
    count: t.exposeInt('count'),
    viewerReacted: t.boolean({
      resolve: (r, _a, ctx) => ctx.viewer?.userId != null && r.userIds.includes(ctx.viewer.userId),
    }),
  }),
});

builder.node(MessageRef, {
  description: 'A message. Its body is any JSON the sender sent.',
  id: { resolve: (m) => m.id },
  fields: (t) => ({
    messageId: t.exposeString('id', { description: 'The external message id (IMKit `_id`).' }),
    numericId: t.exposeInt('numId', { description: 'The numeric message id (Virola `messageId`).' }),
    message: t.expose('body', { type: 'JSON', description: 'The body: any JSON (a string for plain text).' }),
    messageType: t.exposeString('messageType'),
    room: t.field({ type: RoomRef, resolve: (m, _a, ctx) => getRoomForViewer(ctx, m.roomId) }),
    sender: t.field({
      type: UserRef,
      description: 'Who sent it (also after they left the room).',
      resolve: (m, _a, ctx) => loadReferencedUser(ctx, m.senderId),
    }),
    messageTime: t.expose('messageTime', { type: 'DateTime', description: 'When the sender wrote it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the server stored it.' }),
    updatedAt: t.expose('updatedAt', {
      type: 'DateTime',
      description: 'Bumped by edit, delete and reactions.',
    }),
    reactions: t.field({ type: [ReactionRef], resolve: (m, _a, ctx) => loadMessageReactions(ctx, m) }),
    reactionCount: t.exposeInt('reactionCount'),
    isDeleted: t.exposeBoolean('isDeleted', {
      description: 'Deleted for everyone (clients show a tombstone).',
    }),
    deletedForViewer: t.boolean({
      description: 'The viewer deleted it for themselves.',
      resolve: (m, _a, ctx) => ctx.loaders.deletedForViewer.load(m.id),
    }),
  }),
});

const MessageTimeFieldEnum = builder.enumType('MessageTimeField', {
  values: {
    UPDATED_AT: { description: 'Last change (edit, delete, reaction): the IMKit v3 default.' },
    CREATED_AT: { description: 'When the server stored the message.' },
    MESSAGE_TIME: { description: 'When the sender wrote the message.' },
  } as const,
});

const MessageFilterInput = builder.inputType('MessageFilter', {
  description: 'Conditions a message must all meet; a field left out or null does not filter.',
  fields: (t) => ({
    afterTime: t.field({
      type: 'DateTime',
      description: 'Only messages whose timeRangeField is after this.',
    }),
    beforeTime: t.field({
      type: 'DateTime',
      description: 'Only messages whose timeRangeField is before this.',
    }),
    timeRangeField: t.field({
      type: MessageTimeFieldEnum,
      description: 'The time afterTime/beforeTime apply to. Default UPDATED_AT.',
    }),
    messageTypes: t.stringList({ description: 'Only messages of these types.' }),
    includeDeleted: t.boolean({ description: 'Include messages deleted for everyone. Default true.' }),
  }),
});

// Messages page in sending order (the room's sequence): a cursor stays valid however many arrive.
const MESSAGE_ORDER = 'SEQUENCE';

builder.objectFields(RoomRef, (t) => ({
  lastMessage: t.field({
    type: MessageRef,
    nullable: true,
    resolve: (v, _a, ctx) => (v.room.lastMessageId ? ctx.loaders.message.load(v.room.lastMessageId) : null),
  }),
  messages: t.connection(
    {
      type: MessageRef,
      description:
        'The messages in sending order: `last: 50` is the newest 50, `before` pages back into history.',
      args: { filter: t.arg({ type: MessageFilterInput }) },
      resolve: async (v, args, ctx) => {
        const query: MessageListQuery = { filter: definedOnly(args.filter), orderBy: MESSAGE_ORDER };
        const page = await listRoomMessages(
          ctx,
          v.room.id,
          query,
          relayPage(relayArgs(args), messageOrderKey(MESSAGE_ORDER)),
        );
        const connection = toConnection(page, () => countRoomMessages(ctx, v.room.id, query.filter));
        return { ...connection, userDeletedIds: page.userDeletedIds };
      },
    },
    {
      name: 'MessageConnection',
      fields: (tc) => ({
        userDeletedIds: tc.stringList({
          description:
            'Ids of the messages on this page the viewer deleted for themselves (IMKit userDeletedIDs).',
          resolve: (c) => c.userDeletedIds,
        }),
      }),
    },
    { name: 'MessageEdge' },
  ),
}));

builder.objectField(MemberRef, 'lastRead', (t) =>
  t.field({
    type: MessageRef,
    nullable: true,
    description: 'The last message the member has read.',
    resolve: (m, _a, ctx) =>
      m.membership.lastReadMessageId ? ctx.loaders.message.load(m.membership.lastReadMessageId) : null,
  }),
);
