import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { updateRoom, createRoom } from '../../../src/domain/rooms/room.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { createRestClient, imkitHeaders, type RestClient } from '../support/rest-client.js';
import { fixture } from '../support/seed-examples.js';
import { expectSameShape } from '../support/shape.js';

/*
 * IMKit's write calls: PUT /rooms/{id}/lastRead and POST /rooms/{id}/message, their
 * documented shapes, and every way to call them wrong (never a 500).
 */

let database: TestDatabase;
let client: RestClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

/** IMKit's documented answer to PUT /rooms/:id/lastRead (docs.imkit.io, "Update Last Read"). */
const LAST_READ_EXAMPLE = {
  RC: 0,
  RM: 'OK',
  result: { client: '1485248560558', lastRead: '58b7b79b0acc250b377357ab', badge: 48 },
};

const INVALID_TOKEN = fixture('imkit-messages-401.json');
const NOT_ROOM_MEMBER = fixture('imkit-messages-403.json');
const ROOM_NOT_FOUND = fixture('imkit-room-404.json');

interface World {
  app: TestApp;
  headers: (user: string) => Promise<Record<string, string>>;
  /** The ids of the messages alice sent into "talk", oldest first. */
  talk: string[];
}

/** alice and bob in "talk" (3 messages from alice) and "side" (2 from alice); eve in neither. */
async function world(): Promise<World> {
  const app = await createTestApp(database.db, ['alice', 'bob', 'eve']);
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: ['bob'] });
  await createRoom(app.as('alice'), { roomId: 'side', roomType: 'group', memberIds: ['bob'] });
  await createRoom(app.as('eve'), { roomId: 'eve-only', roomType: 'group', memberIds: [] });
  const talk: string[] = [];
  for (const text of ['one', 'two', 'three'])
    talk.push((await sendMessage(app.as('alice'), { roomId: 'talk', body: text })).id);
  for (const text of ['x', 'y']) await sendMessage(app.as('alice'), { roomId: 'side', body: text });
  return {
    app,
    headers: async (user) => ({
      ...imkitHeaders(app.clientKey, await app.tokenFor(user)),
      'content-type': 'application/json; charset=utf-8',
    }),
    talk,
  };
}

function put(path: string, headers: Record<string, string>, body: unknown) {
  return client.json<Body>(path, {
    method: 'PUT',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function post(path: string, headers: Record<string, string>, body: unknown) {
  return client.json<Body>(path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('IMKit PUT /rooms/{id}/lastRead', () => {
  it('moves the read position and answers the documented shape with the total badge', async () => {
    const w = await world();
    const bob = await w.headers('bob');
    const [m1, m2, m3] = w.talk as [string, string, string];

    const first = await put('/rooms/talk/lastRead', bob, { message: m2 });
    expect(first.status).toBe(200);
    expectSameShape(first.body, LAST_READ_EXAMPLE);
    // talk: 1 unread left (m3); side: 2 unread.
    expect(first.body).toEqual({ RC: 0, RM: 'OK', result: { client: 'bob', lastRead: m2, badge: 3 } });

    const detail = await client.json<Body>('/rooms/talk', { headers: bob });
    expect(detail.body.result.unread).toBe(1);
    expect(detail.body.result.memberProperties).toContainEqual({ client: 'bob', badge: 1, lastRead: m2 });

    // Read positions only move forward: an older message changes nothing.
    const older = await put('/rooms/talk/lastRead', bob, { message: m1 });
    expect(older.body.result).toEqual({ client: 'bob', lastRead: m2, badge: 3 });

    const latest = await put('/rooms/talk/lastRead', bob, { message: m3 });
    expect(latest.body.result).toEqual({ client: 'bob', lastRead: m3, badge: 2 });
    const list = await client.json<Body>('/rooms', { headers: bob });
    const unread = Object.fromEntries(list.body.result.data.map((r: Body) => [r._id, r.unread]));
    expect(unread).toEqual({ talk: 0, side: 2 });
  });

  it('answers IMKit errors: 401, 403 for non-members and the API key, 404, 400 for every bad body', async () => {
    const w = await world();
    const bob = await w.headers('bob');
    const eve = await w.headers('eve');
    const m1 = w.talk[0] as string;

    const wrongToken = await put(
      '/rooms/talk/lastRead',
      { ...bob, 'IM-Authorization': 'nope' },
      { message: m1 },
    );
    expect([wrongToken.status, wrongToken.body]).toEqual([401, INVALID_TOKEN]);
    for (const [headers, code] of [
      [{ 'content-type': 'application/json' }, 'MISSING_CREDENTIALS'],
      [{ ...bob, 'IM-CLIENT-KEY': 'ck_wrong' }, 'INVALID_TOKEN'],
    ] as const) {
      const { status, body } = await put('/rooms/talk/lastRead', headers, { message: m1 });
      expect(status).toBe(401);
      expectSameShape(body, INVALID_TOKEN);
      expect(body).toMatchObject({ RC: 401, RM: 'Unauthorized', error: { code } });
    }
    expect(await put('/rooms/talk/lastRead', eve, { message: m1 })).toMatchObject({
      status: 403,
      body: NOT_ROOM_MEMBER,
    });
    const apiKey = await put(
      '/rooms/talk/lastRead',
      { 'IM-API-KEY': w.app.apiKey, 'content-type': 'application/json' },
      { message: m1 },
    );
    expect([apiKey.status, apiKey.body.error.code]).toEqual([403, 'USER_REQUIRED']);
    expect(await put('/rooms/no-such-room/lastRead', bob, { message: m1 })).toMatchObject({
      status: 404,
      body: ROOM_NOT_FOUND,
    });

    const bad: [unknown, string][] = [
      ['{"message": ', 'body'],
      ['[1, 2]', 'JSON object'],
      ['"just a string"', 'JSON object'],
      [{}, 'message: required'],
      [{ message: 5 }, 'message'],
      [{ message: null }, 'message'],
      [{ message: 'zzz' }, '24 hex digits'],
    ];
    for (const [body, words] of bad) {
      const response = await put('/rooms/talk/lastRead', bob, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toMatchObject({
        RC: 400,
        RM: 'Bad Request',
        error: { code: 'INVALID_PARAMETER' },
      });
      expect(response.body.error.message).toContain(words);
    }
    // A well-formed id of no message, or of a message in another room: 404 MESSAGE_NOT_FOUND.
    const sideMessage = await sendMessage(w.app.as('alice'), { roomId: 'side', body: 'z' });
    for (const message of ['0123456789abcdef01234567', sideMessage.id]) {
      const { status, body } = await put('/rooms/talk/lastRead', bob, { message });
      expect([status, body.RM, body.error.code]).toEqual([404, 'Message not found', 'MESSAGE_NOT_FOUND']);
    }
    const badRoom = await put('/rooms/%20bad/lastRead', bob, { message: m1 });
    expect([badRoom.status, badRoom.body.error.code]).toEqual([400, 'INVALID_PARAMETER']);
  });

  it("keeps apps apart: app B's credentials never reach app A's rooms", async () => {
    const a = await world();
    const b = await createTestApp(database.db, ['bob']);
    await createRoom(b.as('bob'), { roomId: 'b-room', roomType: 'group', memberIds: [] });
    const m1 = a.talk[0] as string;
    const bInB = {
      ...imkitHeaders(b.clientKey, await b.tokenFor('bob')),
      'content-type': 'application/json',
    };
    // The same room id and user id exist in app A only: for app B it is no room at all.
    expect((await put('/rooms/talk/lastRead', bInB, { message: m1 })).status).toBe(404);
    // App B's token with app A's client key is no login.
    const mixed = {
      ...imkitHeaders(a.app.clientKey, await b.tokenFor('bob')),
      'content-type': 'application/json',
    };
    expect((await put('/rooms/talk/lastRead', mixed, { message: m1 })).status).toBe(401);
    // A message of app A is unknown in app B's room.
    const other = await put('/rooms/b-room/lastRead', bInB, { message: m1 });
    expect([other.status, other.body.error.code]).toEqual([404, 'MESSAGE_NOT_FOUND']);
  });
});

describe('IMKit POST /rooms/{id}/message', () => {
  it('stores the message and answers it exactly as GET .../messages/v3 shows it', async () => {
    const w = await world();
    const bob = await w.headers('bob');
    const content = { text: 'rich', attachments: [{ url: 'https://x.test/a.png' }] };
    const { status, body } = await post('/rooms/talk/message', bob, {
      message: content,
      messageType: 'card',
      mentions: ['alice'],
      push: false,
      skipTotalBadge: true,
      someFutureField: 1,
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['RC', 'RM', 'result']);
    expect([body.RC, body.RM]).toEqual([0, 'OK']);
    const documented = fixture<Body>('imkit-messages.json').result.data[0];
    expectSameShape(body.result, documented, ['$.message']); // the example's message is text; this one is JSON
    expect(body.result).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      message: content,
      messageType: 'card',
      room: 'talk',
      appID: w.app.appId,
      isDeleted: false,
      reactions: [],
      reactionCount: 0,
      sender: { _id: 'bob', id: 'bob', nickname: 'BOB' },
    });
    expect(body.result.id).toBe(body.result._id);
    expect(Number.isInteger(body.result.messageTimeMS)).toBe(true);
    expect(body.result.messageTime).toBe(new Date(body.result.messageTimeMS).toISOString());

    const page = await client.json<Body>('/rooms/talk/messages/v3', { headers: bob });
    expect(page.body.result.data.at(-1)).toEqual(body.result);
    expect(page.body.result.totalCount).toBe(4);

    // The room list shows it at once: alice's unread, the last message for both.
    const alice = await w.headers('alice');
    const rooms = await client.json<Body>('/rooms', { headers: alice });
    const talk = rooms.body.result.data.find((r: Body) => r._id === 'talk');
    expect(talk.unread).toBe(1);
    expect(talk.lastMessage).toEqual(body.result);
  });

  it('is idempotent on clientMessageId (per sender) and takes messageTime as ISO or epoch ms', async () => {
    const w = await world();
    const bob = await w.headers('bob');
    const alice = await w.headers('alice');
    const send = { message: 'only once', messageType: 'text', clientMessageId: 'client-1' };
    const first = await post('/rooms/talk/message', bob, send);
    const retry = await post('/rooms/talk/message', bob, { ...send, message: 'changed my mind' });
    expect(first.status).toBe(200);
    expect(retry).toMatchObject({ status: 200, body: first.body });
    const again = await Promise.all([1, 2, 3].map(() => post('/rooms/talk/message', bob, send)));
    for (const r of again) expect(r.body.result._id).toBe(first.body.result._id);
    const count = await client.json<Body>('/rooms/talk/messages/v3', { headers: bob });
    expect(count.body.result.totalCount).toBe(4);
    // The same client id from another sender is another message.
    const fromAlice = await post('/rooms/talk/message', alice, send);
    expect(fromAlice.body.result._id).not.toBe(first.body.result._id);

    const iso = await post('/rooms/talk/message', bob, {
      message: 'imported',
      messageType: 'text',
      messageTime: '2020-10-16T03:01:07.923Z',
    });
    expect(iso.body.result.messageTimeMS).toBe(1602817267923);
    const ms = await post('/rooms/talk/message', bob, {
      message: 'imported too',
      messageType: 'text',
      messageTime: 1602817267000,
    });
    expect(ms.body.result.messageTime).toBe('2020-10-16T03:01:07.000Z');
  });

  it('lets the app API key send as a member (sender) and nobody else', async () => {
    const w = await world();
    const key = { 'IM-API-KEY': w.app.apiKey, 'content-type': 'application/json' };
    const asAlice = await post('/rooms/talk/message', key, {
      message: 'from the server',
      messageType: 'announcement',
      sender: 'alice',
    });
    expect(asAlice.status).toBe(200);
    expect(asAlice.body.result.sender._id).toBe('alice');
    const noSender = await post('/rooms/talk/message', key, { message: 'who?', messageType: 'text' });
    expect([noSender.status, noSender.body.error.code]).toEqual([400, 'INVALID_PARAMETER']);
    const outsider = await post('/rooms/talk/message', key, {
      message: 'eve is not in talk',
      messageType: 'text',
      sender: 'eve',
    });
    expect([outsider.status, outsider.body.error.code]).toEqual([403, 'NOT_ROOM_MEMBER']);
    // A user may not send as someone else.
    const bob = await w.headers('bob');
    const spoof = await post('/rooms/talk/message', bob, {
      message: 'hi',
      messageType: 'text',
      sender: 'alice',
    });
    expect(spoof.status).toBe(403);
  });

  it('answers IMKit errors: 401, 403 (non-member, read-only), 404 and 400 for every bad body', async () => {
    const w = await world();
    const bob = await w.headers('bob');
    const eve = await w.headers('eve');
    const ok = { message: 'hello', messageType: 'text' };

    const noAuth = await post('/rooms/talk/message', { ...bob, 'IM-Authorization': 'ct_expired' }, ok);
    expect([noAuth.status, noAuth.body]).toEqual([401, INVALID_TOKEN]);
    const none = await post('/rooms/talk/message', { 'content-type': 'application/json' }, ok);
    expect([none.status, none.body.error.code]).toEqual([401, 'MISSING_CREDENTIALS']);
    expect(await post('/rooms/talk/message', eve, ok)).toMatchObject({ status: 403, body: NOT_ROOM_MEMBER });
    expect(await post('/rooms/no-such-room/message', bob, ok)).toMatchObject({
      status: 404,
      body: ROOM_NOT_FOUND,
    });
    await updateRoom(w.app.as('alice'), 'talk', { readOnly: true });
    const readOnly = await post('/rooms/talk/message', bob, ok);
    expect([readOnly.status, readOnly.body.error.code]).toEqual([403, 'ROOM_READ_ONLY']);
    expect((await post('/rooms/talk/message', await w.headers('alice'), ok)).status).toBe(200);

    const bad: [unknown, string][] = [
      ['{"message": "unterminated', 'not valid JSON'],
      ['[]', 'JSON object'],
      [{}, 'message: required; messageType: required'],
      [{ messageType: 'text' }, 'message: required'],
      [{ message: null, messageType: 'text' }, 'A message needs a body'],
      [{ message: 'hi' }, 'messageType: required'],
      [{ message: 'hi', messageType: 7 }, 'messageType'],
      [{ message: 'hi', messageType: 'has spaces' }, 'messageType'],
      [{ message: 'hi', messageType: 'text', clientMessageId: '' }, 'clientMessageId'],
      [{ message: 'hi', messageType: 'text', clientMessageId: 'x'.repeat(129) }, 'clientMessageId'],
      [{ message: 'hi', messageType: 'text', clientMessageId: 12 }, 'clientMessageId'],
      [{ message: 'hi', messageType: 'text', messageTime: 'yesterday' }, 'messageTime'],
      [{ message: 'hi', messageType: 'text', messageTime: true }, 'messageTime'],
      [{ message: 'hi', messageType: 'text', mentions: 'alice' }, 'mentions'],
      [{ message: 'x'.repeat(70 * 1024), messageType: 'text' }, 'at most'],
    ];
    const side = await w.headers('alice');
    for (const [body, words] of bad) {
      const response = await post('/rooms/side/message', side, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body).toMatchObject({
        RC: 400,
        RM: 'Bad Request',
        error: { code: 'INVALID_PARAMETER' },
      });
      expect(response.body.error.message).toContain(words);
    }
    const list = await client.json<Body>('/rooms/side/messages/v3', { headers: side });
    expect(list.body.result.totalCount).toBe(2);
  });

  it("keeps apps apart: app B's users cannot post into app A's room of the same id", async () => {
    const a = await world();
    const b = await createTestApp(database.db);
    await createUser(database.db, b.appId, 'bob');
    const bInB = {
      ...imkitHeaders(b.clientKey, await b.tokenFor('bob')),
      'content-type': 'application/json',
    };
    const { status, body } = await post('/rooms/talk/message', bInB, { message: 'x', messageType: 'text' });
    expect([status, body]).toEqual([404, ROOM_NOT_FOUND]);
    const bKey = { 'IM-API-KEY': b.apiKey, 'content-type': 'application/json' };
    const viaKey = await post('/rooms/talk/message', bKey, {
      message: 'x',
      messageType: 'text',
      sender: 'bob',
    });
    expect(viaKey.status).toBe(404);
    const page = await client.json<Body>('/rooms/talk/messages/v3', { headers: await a.headers('alice') });
    expect(page.body.result.totalCount).toBe(3);
  });
});
