import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { updateRoom, createRoom } from '../../../src/domain/rooms/room.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { rocketchatLogin } from '../support/logins.js';
import { createRestClient, type RestClient } from '../support/rest-client.js';
import { fixture } from '../support/seed-examples.js';
import { expectSameShape } from '../support/shape.js';

/*
 * Rocket.Chat's write calls: POST /api/v1/subscriptions.read and
 * POST /api/v1/chat.sendMessage, in its shapes and with its errors.
 */

let database: TestDatabase;
let client: RestClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const PASSWORD = 'secret-password';
const NOT_LOGGED_IN = { status: 'error', message: 'You must be logged in to do this.' };

interface World {
  app: TestApp;
  me: Record<string, string>;
  eve: Record<string, string>;
}

/** "me" (roxie) and "owner" in "talk" with two unread messages for me; eve in nothing. */
async function world(): Promise<World> {
  const app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'rbAXPnMktTFbNpwtJ', {
    username: 'roxie',
    nickname: 'test test',
    password: PASSWORD,
  });
  await createUser(database.db, app.appId, 'owner', { password: PASSWORD });
  await createUser(database.db, app.appId, 'eve', { password: PASSWORD });
  await createRoom(app.as('owner'), { roomId: 'talk', roomType: 'group', memberIds: ['rbAXPnMktTFbNpwtJ'] });
  await createRoom(app.as('eve'), { roomId: 'eve-only', roomType: 'group', memberIds: [] });
  for (const text of ['one', 'two']) await sendMessage(app.as('owner'), { roomId: 'talk', body: text });
  return {
    app,
    me: {
      ...(await rocketchatLogin(client, app.appId, 'roxie', PASSWORD)),
      'content-type': 'application/json',
    },
    eve: {
      ...(await rocketchatLogin(client, app.appId, 'eve', PASSWORD)),
      'content-type': 'application/json',
    },
  };
}

function post(path: string, headers: Record<string, string>, body: unknown) {
  return client.json<Body>(path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function subscription(headers: Record<string, string>, rid: string): Promise<Body | undefined> {
  const { body } = await client.json<Body>('/api/v1/subscriptions.get', { headers });
  return (body.update as Body[]).find((s) => s.rid === rid);
}

describe('Rocket.Chat POST /api/v1/subscriptions.read', () => {
  it('marks the room read, by rid or by roomId', async () => {
    const w = await world();
    expect(await subscription(w.me, 'talk')).toMatchObject({ unread: 2, alert: true });
    expect(await post('/api/v1/subscriptions.read', w.me, { rid: 'talk' })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await subscription(w.me, 'talk')).toMatchObject({ unread: 0, alert: false });

    await sendMessage(w.app.as('owner'), { roomId: 'talk', body: 'three' });
    expect(await subscription(w.me, 'talk')).toMatchObject({ unread: 1, alert: true });
    const byRoomId = await post('/api/v1/subscriptions.read', w.me, { roomId: 'talk', readThreads: true });
    expect([byRoomId.status, byRoomId.body]).toEqual([200, { success: true }]);
    expect(await subscription(w.me, 'talk')).toMatchObject({ unread: 0 });
    // Reading again changes nothing and still succeeds.
    expect((await post('/api/v1/subscriptions.read', w.me, { rid: 'talk' })).body).toEqual({ success: true });
  });

  it("answers Rocket.Chat's errors: 401, invalid-params, error-invalid-subscription", async () => {
    const w = await world();
    for (const headers of [{ 'content-type': 'application/json' }, { ...w.me, 'X-Auth-Token': 'lt_nope' }]) {
      expect(await post('/api/v1/subscriptions.read', headers, { rid: 'talk' })).toMatchObject({
        status: 401,
        body: NOT_LOGGED_IN,
      });
    }
    const missing =
      "must have required property 'rid'\n must have required property 'roomId'\n must match a schema in anyOf [invalid-params]";
    const bad: [unknown, string][] = [
      [{}, missing],
      ['', missing],
      [{ rid: '' }, missing],
      [{ rid: 5 }, '/rid must be string [invalid-params]'],
      [{ rid: 'talk', readThreads: 'yes' }, '/readThreads must be boolean [invalid-params]'],
      ['{"rid": ', 'The request body is not valid JSON [invalid-params]'],
      ['["talk"]', 'The request body must be a JSON object [invalid-params]'],
    ];
    for (const [body, error] of bad) {
      const response = await post('/api/v1/subscriptions.read', w.me, body);
      expect([response.status, response.body], JSON.stringify(body)).toEqual([
        400,
        { success: false, error, errorType: 'invalid-params' },
      ]);
    }
    // Not a member, or no such room: no subscription to mark.
    for (const rid of ['eve-only', 'no-such-room']) {
      const response = await post('/api/v1/subscriptions.read', w.me, { rid });
      expect([response.status, response.body]).toEqual([
        400,
        { success: false, error: 'error-invalid-subscription' },
      ]);
    }
    expect(await subscription(w.eve, 'eve-only')).toMatchObject({ unread: 0 });
  });
});

describe('Rocket.Chat POST /api/v1/chat.sendMessage', () => {
  it('sends and answers the message as Rocket.Chat does, md included', async () => {
    const w = await world();
    const documented = fixture<Body>('rocketchat-rooms-get.json').update[3].lastMessage;
    const text = 'Hi guys , this is for SWE team';
    const { status, body } = await post('/api/v1/chat.sendMessage', w.me, {
      message: { rid: 'talk', msg: text, alias: 'ignored', emoji: ':smile:' },
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['message', 'success']);
    expect(body.success).toBe(true);
    expectSameShape(body.message, documented);
    expect(body.message).toMatchObject({
      rid: 'talk',
      msg: text,
      u: { _id: 'rbAXPnMktTFbNpwtJ', username: 'roxie', name: 'test test' },
      urls: [],
      mentions: [],
      channels: [],
    });
    expect(body.message.md).toEqual(documented.md);
    expect(body.message._updatedAt).toBe(body.message.ts);

    // rooms.get shows it as the room's last message, the same object.
    const rooms = await client.json<Body>('/api/v1/rooms.get', { headers: w.me });
    const talk = (rooms.body.update as Body[]).find((r) => r._id === 'talk') as Body;
    expect(talk.lastMessage).toEqual(body.message);
    expect(talk.msgs).toBe(3);
    // Sending reads the room up to the sent message; the owner has it unread.
    expect(await subscription(w.me, 'talk')).toMatchObject({ unread: 0, lr: body.message.ts });
    const owner = await rocketchatLogin(client, w.app.appId, 'owner', PASSWORD);
    expect(await subscription(owner, 'talk')).toMatchObject({ unread: 1, alert: true });
  });

  it('is idempotent on a client-chosen _id (per sender)', async () => {
    const w = await world();
    const send = { message: { rid: 'talk', msg: 'only once', _id: 'CgTn4YdSVT3ZyjrMd' } };
    const first = await post('/api/v1/chat.sendMessage', w.me, send);
    expect(first.status).toBe(200);
    const retries = await Promise.all(
      [1, 2, 3].map(() =>
        post('/api/v1/chat.sendMessage', w.me, { message: { ...send.message, msg: 'again?' } }),
      ),
    );
    for (const retry of retries) expect(retry).toMatchObject({ status: 200, body: first.body });
    const rooms = await client.json<Body>('/api/v1/rooms.get', { headers: w.me });
    expect((rooms.body.update as Body[]).find((r) => r._id === 'talk')?.msgs).toBe(3);
    // Another sender's message with the same client id is another message.
    const owner = {
      ...(await rocketchatLogin(client, w.app.appId, 'owner', PASSWORD)),
      'content-type': 'application/json',
    };
    const theirs = await post('/api/v1/chat.sendMessage', owner, send);
    expect(theirs.body.message._id).not.toBe(first.body.message._id);
  });

  it("answers Rocket.Chat's errors: 401, invalid-params, invalid room, not allowed, read-only, archived", async () => {
    const w = await world();
    const ok = { message: { rid: 'talk', msg: 'hello' } };
    for (const headers of [{ 'content-type': 'application/json' }, { ...w.me, 'X-User-Id': 'owner' }]) {
      expect(await post('/api/v1/chat.sendMessage', headers, ok)).toMatchObject({
        status: 401,
        body: NOT_LOGGED_IN,
      });
    }
    const bad: [unknown, string][] = [
      [{}, "must have required property 'message'"],
      [{ message: 'hello' }, '/message must be object'],
      [{ message: { msg: 'hello' } }, "must have required property 'rid'"],
      [{ message: { rid: 'talk' } }, "must have required property 'msg'"],
      [{ message: { rid: 'talk', msg: 5 } }, '/message/msg must be string'],
      [{ message: { rid: 'talk', msg: '' } }, '/message/msg Too small'],
      [{ message: { rid: 'talk', msg: 'x', _id: 7 } }, '/message/_id must be string'],
      [{ message: { rid: 'talk', msg: 'x', _id: 'x'.repeat(129) } }, '/message/_id clientMessageId must be'],
      [
        { message: { rid: 'talk', msg: 'x'.repeat(70 * 1024) } },
        '/message/msg A message body may be at most',
      ],
      ['{"message": {', 'The request body is not valid JSON'],
    ];
    for (const [body, words] of bad) {
      const response = await post('/api/v1/chat.sendMessage', w.me, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body).toMatchObject({ success: false, errorType: 'invalid-params' });
      expect(response.body.error).toContain(words);
      expect(response.body.error).toMatch(/ \[invalid-params\]$/);
    }
    const refused: [string, Record<string, string>, Body][] = [
      [
        'no-such-room',
        w.me,
        { success: false, error: 'Invalid room [error-invalid-room]', errorType: 'error-invalid-room' },
      ],
      [
        'eve-only',
        w.me,
        { success: false, error: 'Not allowed [error-not-allowed]', errorType: 'error-not-allowed' },
      ],
    ];
    for (const [rid, headers, expected] of refused) {
      const response = await post('/api/v1/chat.sendMessage', headers, { message: { rid, msg: 'hi' } });
      expect([response.status, response.body]).toEqual([400, expected]);
    }
    await updateRoom(w.app.as('owner'), 'talk', { readOnly: true });
    expect(await post('/api/v1/chat.sendMessage', w.me, ok)).toMatchObject({
      status: 400,
      body: { success: false, error: "You can't send messages because the room is readonly." },
    });
    await updateRoom(w.app.as('owner'), 'talk', { readOnly: false, archived: true });
    expect(await post('/api/v1/chat.sendMessage', w.me, ok)).toMatchObject({
      status: 400,
      body: { success: false, errorType: 'error-room-archived' },
    });
    const rooms = await client.json<Body>('/api/v1/rooms.get', { headers: w.me });
    expect((rooms.body.update as Body[]).find((r) => r._id === 'talk')?.msgs).toBe(2);
  });

  it("keeps apps apart: a login of app B cannot post into app A's room of the same id", async () => {
    const a = await world();
    const b = await createTestApp(database.db);
    await createUser(database.db, b.appId, 'rbAXPnMktTFbNpwtJ', { username: 'roxie', password: PASSWORD });
    const inB = {
      ...(await rocketchatLogin(client, b.appId, 'roxie', PASSWORD)),
      'content-type': 'application/json',
    };
    const { status, body } = await post('/api/v1/chat.sendMessage', inB, {
      message: { rid: 'talk', msg: 'x' },
    });
    expect([status, body.errorType]).toEqual([400, 'error-invalid-room']);
    const read = await post('/api/v1/subscriptions.read', inB, { rid: 'talk' });
    expect(read.body).toEqual({ success: false, error: 'error-invalid-subscription' });
    expect(await subscription(a.me, 'talk')).toMatchObject({ unread: 2 });
  });
});
