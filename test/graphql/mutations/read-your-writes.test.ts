import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp, type FetchHandler } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createMemoryEventBus } from '../../../src/realtime/event-bus.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { bearer } from '../../support/graphql-client.js';
import { silentLog } from '../../support/in-process-app.js';

/*
 * A write through a GraphQL mutation shows at once in every read: GraphQL's room list,
 * IMKit's /rooms, Rocket.Chat's rooms.get since the previous sync, Virola's rooms.
 */

let database: TestDatabase;
let fetch: FetchHandler;
beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: ':memory:' });
  const events = createMemoryEventBus({ log: silentLog });
  fetch = createApp({
    db: database.db,
    config,
    log: silentLog,
    events,
  });
});
afterAll(() => database?.close());

async function get(path: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(new Request(`http://chat-bff.test${path}`, { headers }));
  expect(response.status, path).toBe(200);
  return response.json();
}

async function gql<T>(
  app: TestApp,
  user: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(
    new Request('http://chat-bff.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(await app.tokenFor(user)) },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

test('a message sent and a read marked through GraphQL show in GraphQL, IMKit, Rocket.Chat and Virola reads', async () => {
  const app = await createTestApp(database.db, ['alice', 'bob']);
  await gql(
    app,
    'alice',
    'mutation { createRoom(input: { roomId: "news", name: "News", memberIds: ["bob"] }) { __typename } }',
  );
  const syncedAt = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const sent = await gql<{ sendMessage: { chatMessage: { messageId: string } } }>(
    app,
    'alice',
    'mutation { sendMessage(input: { roomId: "news", message: "extra!" }) { ... on SendMessagePayload { chatMessage { messageId } } } }',
  );
  const messageId = sent.sendMessage.chatMessage.messageId;
  const bobToken = await app.tokenFor('bob');

  const graphql = await gql<{
    viewer: {
      rooms: {
        edges: {
          node: { unread: number; numericId: number; lastMessage: { messageId: string; numericId: number } };
        }[];
      };
    };
  }>(
    app,
    'bob',
    '{ viewer { rooms(first: 5) { edges { node { unread numericId lastMessage { messageId numericId } } } } } }',
  );
  const room = graphql.viewer.rooms.edges[0]!.node;
  expect(room).toMatchObject({ unread: 1, lastMessage: { messageId } });

  const imkit = (await get('/rooms?limit=10', {
    'IM-CLIENT-KEY': app.clientKey,
    'IM-Authorization': bobToken,
  })) as {
    result: { data: { _id: string; unread: number; lastMessage?: { _id: string } }[] };
  };
  expect(imkit.result.data.map((r) => [r._id, r.unread, r.lastMessage?._id])).toEqual([
    ['news', 1, messageId],
  ]);

  const rocket = (await get(`/api/v1/rooms.get?updatedSince=${encodeURIComponent(syncedAt)}`, {
    'X-User-Id': 'bob',
    'X-Auth-Token': bobToken,
  })) as { update: { _id: string; lastMessage?: { _id: string } }[]; remove: unknown[] };
  expect(rocket.update.map((r) => [r._id, r.lastMessage?._id])).toEqual([['news', messageId]]);

  const virola = (await get('/api/v1/rooms', bearer(bobToken))) as {
    rooms: { roomId: number; unreadMessageCount: number; lastMessage: { messageId: number } | null }[];
  };
  expect(virola.rooms.map((r) => [r.roomId, r.unreadMessageCount, r.lastMessage?.messageId])).toEqual([
    [room.numericId, 1, room.lastMessage.numericId],
  ]);

  await gql(app, 'bob', 'mutation { markRoomRead(input: { roomId: "news" }) { __typename } }');
  const after = (await get('/rooms?limit=10', {
    'IM-CLIENT-KEY': app.clientKey,
    'IM-Authorization': bobToken,
  })) as {
    result: { data: { unread: number }[] };
  };
  expect(after.result.data.map((r) => r.unread)).toEqual([0]);
  const virolaAfter = (await get('/api/v1/rooms', bearer(bobToken))) as {
    rooms: { unreadMessageCount: number }[];
  };
  expect(virolaAfter.rooms.map((r) => r.unreadMessageCount)).toEqual([0]);

  await gql(app, 'alice', 'mutation { deleteRoom(input: { roomId: "news" }) { __typename } }');
  const removed = (await get(`/api/v1/rooms.get?updatedSince=${encodeURIComponent(syncedAt)}`, {
    'X-User-Id': 'bob',
    'X-Auth-Token': bobToken,
  })) as { update: unknown[]; remove: { _id: string }[] };
  expect(removed.update).toEqual([]);
  expect(removed.remove.map((r) => r._id)).toEqual(['news']);
});
