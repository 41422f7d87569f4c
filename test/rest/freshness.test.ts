import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { bearer } from '../support/graphql-client.js';
import { createInProcessApp } from '../support/in-process-app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createAppClient, type AppClient } from './support/app-client.js';
import { rocketchatLogin, virolaLogin } from './support/logins.js';
import { imkitHeaders } from './support/rest-client.js';

/*
 * One app (createApp: /graphql and the REST dialects side by side) on one database:
 * whatever one transport writes, every other one reads at once, with the right unread
 * counts. Also: the app itself serves each dialect's read endpoints.
 */

let database: TestDatabase;
let client: AppClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createAppClient(database.db);
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const PASSWORD = 'secret-password';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SEND = `mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    __typename
    ... on SendMessagePayload { chatMessage { messageId numericId message } }
    ... on Error { code message }
  }
}`;

const MARK_READ = `mutation Read($input: MarkRoomReadInput!) {
  markRoomRead(input: $input) { __typename ... on MarkRoomReadPayload { unread } ... on Error { code message } }
}`;

const VIEWER_ROOMS = `{ viewer { rooms(first: 50) { edges { node { roomId unread lastMessage { messageId message } } } } } }`;

interface Sessions {
  graphql: Record<string, string>;
  imkit: Record<string, string>;
  rocketchat: Record<string, string>;
  virola: Record<string, string>;
}

interface World {
  app: TestApp;
  alice: Sessions;
  bob: Sessions;
}

async function sessionsFor(app: TestApp, user: string): Promise<Sessions> {
  const token = await app.tokenFor(user);
  return {
    graphql: { authorization: `Bearer ${token}` },
    imkit: { ...imkitHeaders(app.clientKey, token), 'content-type': 'application/json' },
    rocketchat: {
      ...(await rocketchatLogin(client, app.appId, user, PASSWORD)),
      'content-type': 'application/json',
    },
    virola: { cookie: (await virolaLogin(client, app.appId, user, PASSWORD)).cookie },
  };
}

/** alice and bob in the group "news" and a direct room "dm"; a third room only alice is in. */
async function world(): Promise<World> {
  const app = await createTestApp(database.db);
  for (const user of ['alice', 'bob'])
    await createUser(database.db, app.appId, user, { password: PASSWORD, nickname: user.toUpperCase() });
  await createRoom(app.as('alice'), { roomId: 'news', name: 'News', roomType: 'group', memberIds: ['bob'] });
  await createRoom(app.as('alice'), { roomId: 'dm', roomType: 'direct', memberIds: ['bob'] });
  await createRoom(app.as('alice'), { roomId: 'solo', name: 'Solo', roomType: 'group', memberIds: [] });
  await sendMessage(app.as('alice'), { roomId: 'solo', body: 'note to self' });
  return { app, alice: await sessionsFor(app, 'alice'), bob: await sessionsFor(app, 'bob') };
}

async function get(path: string, headers: Record<string, string>): Promise<Body> {
  const { status, body } = await client.json<Body>(path, { headers });
  expect(status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body;
}

async function post(path: string, headers: Record<string, string>, body: unknown): Promise<Body> {
  const response = await client.json<Body>(path, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body;
}

async function graphqlRooms(s: Sessions): Promise<Map<string, Body>> {
  const { data } = await client.expectData<Body>(VIEWER_ROOMS, { headers: s.graphql });
  return new Map((data.viewer.rooms.edges as Body[]).map((e) => [e.node.roomId, e.node]));
}

async function imkitRooms(s: Sessions): Promise<Map<string, Body>> {
  const body = await get('/rooms', s.imkit);
  return new Map((body.result.data as Body[]).map((r) => [r._id, r]));
}

/** A moment strictly between what happened before and what happens after. */
async function now(): Promise<string> {
  await sleep(5);
  const at = new Date().toISOString();
  await sleep(5);
  return at;
}

describe('every transport reads what any other wrote, at once', () => {
  it('a message sent through GraphQL shows in IMKit, Rocket.Chat and Virola with the right unread', async () => {
    const w = await world();
    // Bob's Rocket.Chat client has synced; this is its previous sync time.
    await get('/api/v1/rooms.get', w.bob.rocketchat);
    await get('/api/v1/subscriptions.get', w.bob.rocketchat);
    const previousSync = await now();

    const { data } = await client.expectData<Body>(SEND, {
      variables: { input: { roomId: 'news', message: 'breaking', clientMessageId: 'g-1' } },
      headers: w.alice.graphql,
    });
    expect(data.sendMessage.__typename).toBe('SendMessagePayload');
    const { messageId, numericId } = data.sendMessage.chatMessage;

    const imkit = await imkitRooms(w.bob);
    expect(imkit.get('news')).toMatchObject({
      unread: 1,
      lastMessage: { _id: messageId, message: 'breaking' },
    });
    const first = (await get('/rooms', w.bob.imkit)).result.data[0];
    expect(first._id).toBe('news'); // the most recently active room comes first
    const history = await get('/rooms/news/messages/v3', w.bob.imkit);
    expect(history.result.data.at(-1)._id).toBe(messageId);

    const rooms = await get(`/api/v1/rooms.get?updatedSince=${previousSync}`, w.bob.rocketchat);
    expect(rooms.update.map((r: Body) => r._id)).toEqual(['news']);
    expect(rooms.update[0].lastMessage).toMatchObject({ _id: messageId, msg: 'breaking' });
    expect(rooms.remove).toEqual([]);
    const subs = await get(`/api/v1/subscriptions.get?updatedSince=${previousSync}`, w.bob.rocketchat);
    expect(subs.update.map((s: Body) => [s.rid, s.unread, s.alert])).toEqual([['news', 1, true]]);

    const virola = await get('/api/v1/rooms', w.bob.virola);
    const news = (virola.rooms as Body[]).find((r) => r.displayName === 'News');
    expect(news).toMatchObject({ unreadMessageCount: 1, lastMessage: { messageId: numericId } });

    // The sender has nothing unread anywhere.
    expect((await imkitRooms(w.alice)).get('news')?.unread).toBe(0);
    const aliceSubs = await get('/api/v1/subscriptions.get', w.alice.rocketchat);
    expect((aliceSubs.update as Body[]).find((s) => s.rid === 'news')?.unread).toBe(0);
  });

  it('messages sent through IMKit and Rocket.Chat show in GraphQL and the other dialects', async () => {
    const w = await world();
    const imkitSent = await post('/rooms/news/message', w.bob.imkit, {
      message: 'reply',
      messageType: 'text',
    });
    const byGraphQL = await graphqlRooms(w.alice);
    expect(byGraphQL.get('news')).toMatchObject({
      unread: 1,
      lastMessage: { messageId: imkitSent.result._id, message: 'reply' },
    });

    const previousSync = await now();
    const rcSent = await post('/api/v1/chat.sendMessage', w.bob.rocketchat, {
      message: { rid: 'dm', msg: 'psst', _id: 'rc-client-1' },
    });
    const afterRc = await graphqlRooms(w.alice);
    expect(afterRc.get('dm')).toMatchObject({
      unread: 1,
      lastMessage: { messageId: rcSent.message._id, message: 'psst' },
    });
    expect((await imkitRooms(w.alice)).get('dm')).toMatchObject({
      unread: 1,
      lastMessage: { _id: rcSent.message._id },
    });
    const subs = await get(`/api/v1/subscriptions.get?updatedSince=${previousSync}`, w.alice.rocketchat);
    expect(subs.update.map((s: Body) => [s.rid, s.unread])).toEqual([['dm', 1]]);
    const virola = await get('/api/v1/rooms', w.alice.virola);
    expect((virola.rooms as Body[]).map((r) => r.unreadMessageCount).sort()).toEqual([0, 1, 1]);
  });

  it('reads through one transport clear the unread count in all the others', async () => {
    const w = await world();
    await sendMessage(w.app.as('bob'), { roomId: 'news', body: 'one' });
    const last = await sendMessage(w.app.as('bob'), { roomId: 'news', body: 'two' });
    await sendMessage(w.app.as('bob'), { roomId: 'dm', body: 'three' });
    expect((await graphqlRooms(w.alice)).get('news')?.unread).toBe(2);

    // Rocket.Chat read -> GraphQL, IMKit, Virola.
    await post('/api/v1/subscriptions.read', w.alice.rocketchat, { rid: 'news' });
    expect((await graphqlRooms(w.alice)).get('news')?.unread).toBe(0);
    expect((await imkitRooms(w.alice)).get('news')?.unread).toBe(0);
    const detail = await get('/rooms/news', w.alice.imkit);
    expect(detail.result.memberProperties).toContainEqual({ client: 'alice', badge: 0, lastRead: last.id });

    // GraphQL read -> Rocket.Chat subscriptions, Virola.
    const previousSync = await now();
    const { data } = await client.expectData<Body>(MARK_READ, {
      variables: { input: { roomId: 'dm' } },
      headers: w.alice.graphql,
    });
    expect(data.markRoomRead).toEqual({ __typename: 'MarkRoomReadPayload', unread: 0 });
    const subs = await get(`/api/v1/subscriptions.get?updatedSince=${previousSync}`, w.alice.rocketchat);
    expect(subs.update.map((s: Body) => [s.rid, s.unread, s.alert])).toEqual([['dm', 0, false]]);
    const virola = await get('/api/v1/rooms', w.alice.virola);
    expect((virola.rooms as Body[]).map((r) => r.unreadMessageCount)).toEqual([0, 0, 0]);

    // IMKit read -> GraphQL.
    const more = await sendMessage(w.app.as('bob'), { roomId: 'news', body: 'four' });
    await sendMessage(w.app.as('bob'), { roomId: 'news', body: 'five' });
    const put = await client.json<Body>('/rooms/news/lastRead', {
      method: 'PUT',
      headers: w.alice.imkit,
      body: JSON.stringify({ message: more.id }),
    });
    expect(put.body.result).toEqual({ client: 'alice', lastRead: more.id, badge: 1 });
    expect((await graphqlRooms(w.alice)).get('news')?.unread).toBe(1);
  });
});

describe('REST writes are announced like GraphQL ones', () => {
  it('a GraphQL viewerEvents subscriber hears an IMKit send and an IMKit read', async () => {
    const w = await world();
    const h = createInProcessApp(database.db);
    const events = await h.subscribe(
      'subscription { viewerEvents { type roomId room { unread lastMessage { messageId } } } }',
      { headers: bearer(await w.app.tokenFor('alice')) },
    );
    try {
      expect(events.status).toBe(200);
      const sent = await h.fetch(
        new Request('http://chat.test/rooms/news/message', {
          method: 'POST',
          headers: w.bob.imkit,
          body: JSON.stringify({ message: 'live', messageType: 'text' }),
        }),
      );
      const messageId = ((await sent.json()) as Body).result._id;
      expect((await events.next<Body>()).data?.viewerEvents).toEqual({
        type: 'MESSAGE_ADDED',
        roomId: 'news',
        room: { unread: 1, lastMessage: { messageId } },
      });
      await h.fetch(
        new Request('http://chat.test/rooms/news/lastRead', {
          method: 'PUT',
          headers: w.alice.imkit,
          body: JSON.stringify({ message: messageId }),
        }),
      );
      expect((await events.next<Body>()).data?.viewerEvents).toEqual({
        type: 'READ_UPDATED',
        roomId: 'news',
        room: { unread: 0, lastMessage: { messageId } },
      });
    } finally {
      await events.close();
    }
  });
});

describe('the app (createApp) serves every dialect', () => {
  it("answers each dialect's read endpoints with a request id, next to /graphql", async () => {
    const w = await world();
    await sendMessage(w.app.as('bob'), { roomId: 'news', body: 'hello' });
    const numId = (await get('/api/v1/rooms', w.alice.virola)).rooms[0].roomId as number;
    const reads: [string, Record<string, string>, (body: Body) => unknown][] = [
      ['/rooms', w.alice.imkit, (b) => [b.RC, b.result.totalCount]],
      ['/rooms/news', w.alice.imkit, (b) => [b.RC, b.result._id]],
      ['/rooms/news/messages/v3', w.alice.imkit, (b) => [b.RC, b.result.totalCount]],
      ['/api/v1/me', w.alice.rocketchat, (b) => [b.success, b._id]],
      ['/api/v1/rooms.get', w.alice.rocketchat, (b) => [b.success, b.update.length]],
      ['/api/v1/subscriptions.get', w.alice.rocketchat, (b) => [b.success, b.update.length]],
      ['/api/v1/status', w.alice.virola, (b) => [b.httpStatusCode, b.userName]],
      ['/api/v1/rooms', w.alice.virola, (b) => [b.httpStatusCode, b.rooms.length]],
    ];
    const expected = [
      [0, 3],
      [0, 'news'],
      [0, 1],
      [true, 'alice'],
      [true, 3],
      [true, 3],
      [200, 'alice'],
      [200, 3],
    ];
    const seen: unknown[] = [];
    for (const [path, headers, pick] of reads) {
      const response = await client.fetch(path, { headers });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('x-request-id'), path).toBeTruthy();
      seen.push(pick((await response.json()) as Body));
    }
    expect(seen).toEqual(expected);
    const avatar = await client.fetch(`/api/v1/rooms/${numId}/avatar.jpg`, { headers: w.alice.virola });
    expect([avatar.status, avatar.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    const openapi = await client.json<Body>('/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/rooms/{id}/message',
        '/api/v1/subscriptions.get',
        '/api/v1/chat.sendMessage',
      ]),
    );
    const graphql = await client.expectData<Body>('{ viewer { userId } }', { headers: w.alice.graphql });
    expect(graphql.data.viewer.userId).toBe('alice');
    const unknown = await client.json<Body>('/nowhere');
    expect([unknown.status, unknown.body.error]).toEqual([404, 'Not found']);
  });

  it('mounts a dialect under its configured prefix', async () => {
    const w = await world();
    const prefixed = createAppClient(database.db, { VIROLA_PREFIX: '/virola', IMKIT_PREFIX: '/imkit' });
    const virola = await prefixed.json<Body>('/virola/api/v1/rooms', { headers: w.alice.virola });
    expect([virola.status, virola.body.rooms.length]).toEqual([200, 3]);
    const imkit = await prefixed.json<Body>('/imkit/rooms/news/message', {
      method: 'POST',
      headers: w.alice.imkit,
      body: JSON.stringify({ message: 'via prefix', messageType: 'text' }),
    });
    expect([imkit.status, imkit.body.result.message]).toEqual([200, 'via prefix']);
    expect((await prefixed.fetch('/rooms', { headers: w.alice.imkit })).status).toBe(404);
  });
});
