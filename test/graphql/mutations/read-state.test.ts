import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { apiKey, bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { expectError, mutatorFor, type Mutate } from '../../support/mutate.js';

/*
 * markRoomRead and updateRoomPref over GraphQL, and that the room list reads them back.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

interface World {
  app: TestApp;
  alice: Mutate;
  bob: Mutate;
  outsider: Mutate;
  admin: Mutate;
  messageIds: string[];
}

/** alice sent 5 messages into "room"; bob has read none. */
async function world(): Promise<World> {
  const app = await createTestApp(database.db, ['alice', 'bob', 'outsider']);
  const alice = mutatorFor(h, bearer(await app.tokenFor('alice')));
  await alice('createRoom', { roomId: 'room', memberIds: ['bob'] });
  const messageIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const sent = await alice(
      'sendMessage',
      { roomId: 'room', message: `m${i}` },
      'chatMessage { messageId }',
    );
    messageIds.push((sent['chatMessage'] as { messageId: string }).messageId);
  }
  return {
    app,
    alice,
    bob: mutatorFor(h, bearer(await app.tokenFor('bob'))),
    outsider: mutatorFor(h, bearer(await app.tokenFor('outsider'))),
    admin: mutatorFor(h, apiKey(app.apiKey)),
    messageIds,
  };
}

async function bobsRoom(w: World) {
  const res = await h.request<{
    viewer: {
      rooms: {
        edges: {
          node: {
            roomId: string;
            unread: number;
            muted: boolean;
            viewerMembership: { lastRead: { messageId: string } | null };
          };
        }[];
      };
    };
  }>(
    '{ viewer { rooms(first: 5) { edges { node { roomId unread muted viewerMembership { lastRead { messageId } } } } } } }',
    { headers: bearer(await w.app.tokenFor('bob')) },
  );
  return res.body.data?.viewer.rooms.edges[0]?.node;
}

describe('markRoomRead', () => {
  test('up to a message, then to the newest; never backwards', async () => {
    const w = await world();
    expect((await bobsRoom(w))?.unread).toBe(5);
    const partly = await w.bob(
      'markRoomRead',
      { roomId: 'room', upToMessageId: w.messageIds[1] },
      'unread room { unread }',
    );
    expect(partly).toMatchObject({ unread: 3, room: { unread: 3 } });
    expect(await bobsRoom(w)).toMatchObject({
      unread: 3,
      viewerMembership: { lastRead: { messageId: w.messageIds[1] } },
    });
    expect(await w.bob('markRoomRead', { roomId: 'room' }, 'unread')).toMatchObject({ unread: 0 });
    expect(
      await w.bob('markRoomRead', { roomId: 'room', upToMessageId: w.messageIds[0] }, 'unread'),
    ).toMatchObject({ unread: 0 });
    expect(await bobsRoom(w)).toMatchObject({
      unread: 0,
      viewerMembership: { lastRead: { messageId: w.messageIds[4] } },
    });
  });

  test('typed errors: a message of another room, outsiders, the API key', async () => {
    const w = await world();
    await w.alice('createRoom', { roomId: 'other', memberIds: ['bob'] });
    const elsewhere = await w.alice(
      'sendMessage',
      { roomId: 'other', message: 'x' },
      'chatMessage { messageId }',
    );
    const otherId = (elsewhere['chatMessage'] as { messageId: string }).messageId;
    expectError(
      await w.bob('markRoomRead', { roomId: 'room', upToMessageId: otherId }),
      'NotFoundError',
      'MESSAGE_NOT_FOUND',
    );
    expectError(await w.outsider('markRoomRead', { roomId: 'room' }), 'ForbiddenError', 'NOT_ROOM_MEMBER');
    expectError(await w.admin('markRoomRead', { roomId: 'room' }), 'ForbiddenError', 'USER_REQUIRED');
  });
});

describe('updateRoomPref', () => {
  const PREF = 'pref { tags tagColors hidden sticky muted folder } room { muted pref { folder } }';

  test('a partial update: given fields change, the others stay; folder: null clears', async () => {
    const w = await world();
    const first = await w.bob(
      'updateRoomPref',
      {
        roomId: 'room',
        tags: ['work', 'work', 'urgent'],
        tagColors: { work: '#ffa01a' },
        muted: true,
        folder: 'Jobs',
      },
      PREF,
    );
    expect(first).toMatchObject({
      pref: {
        tags: ['work', 'urgent'],
        tagColors: { work: '#ffa01a' },
        hidden: false,
        sticky: false,
        muted: true,
        folder: 'Jobs',
      },
      room: { muted: true, pref: { folder: 'Jobs' } },
    });
    const second = await w.bob('updateRoomPref', { roomId: 'room', sticky: true }, PREF);
    expect(second['pref']).toEqual({
      tags: ['work', 'urgent'],
      tagColors: { work: '#ffa01a' },
      hidden: false,
      sticky: true,
      muted: true,
      folder: 'Jobs',
    });
    const cleared = await w.bob('updateRoomPref', { roomId: 'room', folder: null }, PREF);
    expect(cleared['pref']).toMatchObject({ folder: null, sticky: true, tags: ['work', 'urgent'] });

    // The room list filters by it at once.
    const tagged = await h.request<{ viewer: { rooms: { totalCount: number } } }>(
      '{ viewer { rooms(first: 5, filter: { tags: ["urgent"], sticky: true }) { totalCount } } }',
      { headers: bearer(await w.app.tokenFor('bob')) },
    );
    expect(tagged.body.data?.viewer.rooms.totalCount).toBe(1);
    // Only bob's pref changed.
    const alices = await h.request<{ room: { pref: { tags: string[] } } }>(
      '{ room(id: "room") { pref { tags } } }',
      { headers: bearer(await w.app.tokenFor('alice')) },
    );
    expect(alices.body.data?.room.pref.tags).toEqual([]);
  });

  test('typed errors: colors must be hex, tags 1-64 characters, members only', async () => {
    const w = await world();
    expect(
      expectError(
        await w.bob('updateRoomPref', { roomId: 'room', tagColors: { work: 'orange' } }),
        'InvalidInputError',
      ).field,
    ).toBe('tagColors');
    expect(
      expectError(await w.bob('updateRoomPref', { roomId: 'room', tagColors: ['#fff'] }), 'InvalidInputError')
        .field,
    ).toBe('tagColors');
    expect(
      expectError(
        await w.bob('updateRoomPref', { roomId: 'room', tagColors: { work: 1 } }),
        'InvalidInputError',
      ).field,
    ).toBe('tagColors');
    expect(
      expectError(await w.bob('updateRoomPref', { roomId: 'room', tags: [''] }), 'InvalidInputError').field,
    ).toBe('tags');
    expectError(
      await w.outsider('updateRoomPref', { roomId: 'room', muted: true }),
      'ForbiddenError',
      'NOT_ROOM_MEMBER',
    );
    expectError(
      await w.admin('updateRoomPref', { roomId: 'room', muted: true }),
      'ForbiddenError',
      'USER_REQUIRED',
    );
    expectError(
      await w.bob('updateRoomPref', { roomId: 'gone', muted: true }),
      'NotFoundError',
      'ROOM_NOT_FOUND',
    );
  });
});
