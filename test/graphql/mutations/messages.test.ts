import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import type { TestApp } from '../../support/factories.js';
import { createTestWorld } from '../../support/world.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, type Mutate } from '../../support/mutate.js';

/*
 * sendMessage, editMessage, deleteMessage (for everyone / for me), addReaction and
 * removeReaction over GraphQL.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const MESSAGE =
  'chatMessage { messageId message messageType isDeleted deletedForViewer reactionCount reactions { key count viewerReacted } sender { userId } }';

interface World {
  app: TestApp;
  as: Record<'owner' | 'mod' | 'alice' | 'bob' | 'outsider', Mutate>;
  admin: Mutate;
  headers(user: string): Promise<Record<string, string>>;
}

async function world(): Promise<World> {
  const { app, as, admin } = await createTestWorld(h, database.db, [
    'owner',
    'mod',
    'alice',
    'bob',
    'outsider',
  ]);
  await as.owner('createRoom', { roomId: 'room', memberIds: ['mod', 'alice', 'bob'] });
  await as.owner('setMemberRole', { roomId: 'room', userId: 'mod', role: 'MODERATOR' });
  return {
    app,
    as,
    admin,
    headers: async (u) => bearer(await app.tokenFor(u)),
  };
}

function messageOf(result: Record<string, unknown>) {
  return result['chatMessage'] as {
    messageId: string;
    message: unknown;
    messageType: string;
    isDeleted: boolean;
    deletedForViewer: boolean;
    reactionCount: number;
    reactions: { key: string; count: number; viewerReacted: boolean }[];
    sender: { userId: string };
  };
}

describe('sendMessage', () => {
  test('sends any JSON; the payload shows the room after the send', async () => {
    const w = await world();
    const body = { text: 'hello', attachments: [{ url: 'https://x.test/a.png' }] };
    const sent = await w.as.alice(
      'sendMessage',
      { roomId: 'room', message: body, messageType: 'rich', clientMutationId: 'm-1' },
      `${MESSAGE} room { unread lastMessage { messageId } }`,
    );
    expect(sent.__typename).toBe('SendMessagePayload');
    expect(sent.clientMutationId).toBe('m-1');
    const message = messageOf(sent);
    expect(message).toMatchObject({
      message: body,
      messageType: 'rich',
      isDeleted: false,
      sender: { userId: 'alice' },
    });
    expect(sent['room']).toEqual({ unread: 0, lastMessage: { messageId: message.messageId } });
  });

  test('a retried clientMessageId returns the first message', async () => {
    const w = await world();
    const first = messageOf(
      await w.as.bob('sendMessage', { roomId: 'room', message: 'once', clientMessageId: 'k1' }, MESSAGE),
    );
    const retry = messageOf(
      await w.as.bob('sendMessage', { roomId: 'room', message: 'twice?', clientMessageId: 'k1' }, MESSAGE),
    );
    expect(retry).toEqual(first);
    // The same client id from another sender is another message.
    const other = messageOf(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'mine', clientMessageId: 'k1' }, MESSAGE),
    );
    expect(other.messageId).not.toBe(first.messageId);
  });

  test('read-only rooms take messages only from owners and moderators; archived rooms from nobody', async () => {
    const w = await world();
    await w.as.owner('updateRoom', { roomId: 'room', readOnly: true });
    expectError(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'hi' }),
      'ForbiddenError',
      'ROOM_READ_ONLY',
    );
    expect((await w.as.mod('sendMessage', { roomId: 'room', message: 'announcement' })).__typename).toBe(
      'SendMessagePayload',
    );
    expect((await w.as.owner('sendMessage', { roomId: 'room', message: 'announcement 2' })).__typename).toBe(
      'SendMessagePayload',
    );
    expect(
      (await w.admin('sendMessage', { roomId: 'room', message: 'as alice', senderId: 'alice' })).__typename,
    ).toBe('SendMessagePayload');
    await w.as.owner('updateRoom', { roomId: 'room', readOnly: false, archived: true });
    expectError(
      await w.as.owner('sendMessage', { roomId: 'room', message: 'hi' }),
      'ForbiddenError',
      'ROOM_ARCHIVED',
    );
  });

  test('typed errors: not a member, no room, bad body and type, sending as someone else', async () => {
    const w = await world();
    expectError(
      await w.as.outsider('sendMessage', { roomId: 'room', message: 'hi' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(
      await w.as.alice('sendMessage', { roomId: 'nope', message: 'hi' }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
    expect(
      expectError(
        await w.as.alice('sendMessage', { roomId: 'room', message: 'x'.repeat(70_000) }),
        'InvalidInputError',
      ).field,
    ).toBe('message');
    expect(
      expectError(
        await w.as.alice('sendMessage', { roomId: 'room', message: 'x', messageType: 'bad type!' }),
        'InvalidInputError',
      ).field,
    ).toBe('messageType');
    expect(
      expectError(
        await w.as.alice('sendMessage', { roomId: 'room', message: 'x', clientMessageId: '' }),
        'InvalidInputError',
      ).field,
    ).toBe('clientMessageId');
    expectError(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'x', senderId: 'bob' }),
      'ForbiddenError',
    );
    expect(
      expectError(await w.admin('sendMessage', { roomId: 'room', message: 'x' }), 'InvalidInputError').field,
    ).toBe('senderId');
    expectError(
      await w.admin('sendMessage', { roomId: 'room', message: 'x', senderId: 'outsider' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
  });
});

describe('editMessage and deleteMessage', () => {
  test('the sender edits; others may not; deleted messages cannot be edited', async () => {
    const w = await world();
    const { messageId } = messageOf(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'tpyo' }, MESSAGE),
    );
    const edited = await w.as.alice(
      'editMessage',
      { messageId, message: 'typo', messageType: 'text' },
      MESSAGE,
    );
    expect(messageOf(edited)).toMatchObject({ messageId, message: 'typo' });
    expectError(
      await w.as.bob('editMessage', { messageId, message: 'mine now' }),
      'ForbiddenError',
      'NOT_MESSAGE_SENDER',
    );
    expectError(
      await w.as.mod('editMessage', { messageId, message: 'moderated' }),
      'ForbiddenError',
      'NOT_MESSAGE_SENDER',
    );
    expect((await w.admin('editMessage', { messageId, message: 'by the app' })).__typename).toBe(
      'EditMessagePayload',
    );
    expectError(
      await w.as.alice('editMessage', { messageId: 'ffffffffffffffffffffffff', message: 'x' }),
      'NotFoundError',
      'MESSAGE_NOT_FOUND',
    );
    await w.as.alice('deleteMessage', { messageId, scope: 'FOR_EVERYONE' });
    expect(
      expectError(await w.as.alice('editMessage', { messageId, message: 'again' }), 'InvalidInputError')
        .field,
    ).toBe('messageId');
  });

  test('FOR_EVERYONE: sender, moderators, API key; the message becomes a tombstone', async () => {
    const w = await world();
    const send = async () =>
      messageOf(await w.as.alice('sendMessage', { roomId: 'room', message: 'oops' }, MESSAGE)).messageId;
    const a = await send();
    expectError(
      await w.as.bob('deleteMessage', { messageId: a, scope: 'FOR_EVERYONE' }),
      'ForbiddenError',
      'NOT_MESSAGE_SENDER',
    );
    expect(
      messageOf(await w.as.alice('deleteMessage', { messageId: a, scope: 'FOR_EVERYONE' }, MESSAGE)),
    ).toMatchObject({
      isDeleted: true,
      message: '',
    });
    const b = await send();
    expect(
      messageOf(await w.as.mod('deleteMessage', { messageId: b, scope: 'FOR_EVERYONE' }, MESSAGE)).isDeleted,
    ).toBe(true);
    const c = await send();
    expect(
      messageOf(await w.admin('deleteMessage', { messageId: c, scope: 'FOR_EVERYONE' }, MESSAGE)).isDeleted,
    ).toBe(true);
  });

  test("FOR_ME: any member hides it for themselves only (the room's userDeletedIds)", async () => {
    const w = await world();
    const { messageId } = messageOf(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'meh' }, MESSAGE),
    );
    const hidden = messageOf(await w.as.bob('deleteMessage', { messageId, scope: 'FOR_ME' }, MESSAGE));
    expect(hidden).toMatchObject({ isDeleted: false, deletedForViewer: true });
    const read = async (user: string) =>
      (
        await h.request<{ room: { messages: { userDeletedIds: string[] } } }>(
          '{ room(id: "room") { messages(last: 10) { userDeletedIds } } }',
          { headers: await w.headers(user) },
        )
      ).body.data?.room.messages.userDeletedIds;
    expect(await read('bob')).toEqual([messageId]);
    expect(await read('alice')).toEqual([]);
    expectError(
      await w.as.outsider('deleteMessage', { messageId, scope: 'FOR_ME' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(
      await w.admin('deleteMessage', { messageId, scope: 'FOR_ME' }),
      'ForbiddenError',
      'USER_REQUIRED',
    );
  });
});

describe('addReaction and removeReaction', () => {
  test('members react once per key; removing takes it back', async () => {
    const w = await world();
    const { messageId } = messageOf(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'party' }, MESSAGE),
    );
    await w.as.bob('addReaction', { messageId, key: '🎉' });
    await w.as.bob('addReaction', { messageId, key: '🎉' }); // twice changes nothing
    const both = messageOf(await w.as.alice('addReaction', { messageId, key: '🎉' }, MESSAGE));
    expect(both).toMatchObject({
      reactionCount: 2,
      reactions: [{ key: '🎉', count: 2, viewerReacted: true }],
    });
    const removed = messageOf(await w.as.bob('removeReaction', { messageId, key: '🎉' }, MESSAGE));
    expect(removed).toMatchObject({
      reactionCount: 1,
      reactions: [{ key: '🎉', count: 1, viewerReacted: false }],
    });
  });

  test('typed errors: outsiders, bad keys, deleted messages, the API key', async () => {
    const w = await world();
    const { messageId } = messageOf(
      await w.as.alice('sendMessage', { roomId: 'room', message: 'x' }, MESSAGE),
    );
    expectError(
      await w.as.outsider('addReaction', { messageId, key: '👍' }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expect(
      expectError(await w.as.bob('addReaction', { messageId, key: 'two words' }), 'InvalidInputError').field,
    ).toBe('key');
    expectError(await w.admin('addReaction', { messageId, key: '👍' }), 'ForbiddenError', 'USER_REQUIRED');
    await w.as.alice('deleteMessage', { messageId, scope: 'FOR_EVERYONE' });
    expectError(await w.as.bob('addReaction', { messageId, key: '👍' }), 'InvalidInputError');
  });
});
