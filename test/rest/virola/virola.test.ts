import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { updateRoom, createRoom } from '../../../src/domain/rooms/room.service.js';
import { addMembers } from '../../../src/domain/rooms/membership.service.js';
import { updateRoomPref } from '../../../src/domain/rooms/pref.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { DEFAULT_AVATAR } from '../../../src/rest/virola/default-avatar.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { png as pngImage } from '../../support/images.js';
import { virolaLogin } from '../support/logins.js';
import { createRestClient, type RestClient } from '../support/rest-client.js';
import { fixture } from '../support/seed-examples.js';
import { expectSameShape } from '../support/shape.js';

let database: TestDatabase;
let client: RestClient;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'admin', { nickname: 'Admin', password: 'admin-pass' });
  await createUser(database.db, app.appId, 'guest', { nickname: 'Guest', password: 'guest-pass' });
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const wrongBearer = fixture('virola-error.json');

describe('Virola login, status, logout', () => {
  it('logs in with userName/password: userId (integer), userSessionId and an HttpOnly session cookie', async () => {
    const session = await virolaLogin(client, app.appId, 'admin', 'admin-pass');
    expect(Number.isInteger(session.userId)).toBe(true);
    expect(session.setCookie).toMatch(
      /^chat_bff_session=st_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    );
    expect(session.setCookie).not.toContain('Secure');
    const status = await client.json<Body>('/api/v1/status', { headers: { cookie: session.cookie } });
    expect(status).toMatchObject({
      status: 200,
      body: { httpStatusCode: 200, userId: session.userId, userName: 'admin', displayName: 'Admin' },
    });
    // The session id works as a bearer token for single requests.
    const bearer = await client.json('/api/v1/status', {
      headers: { Authorization: `Bearer ${session.userSessionId}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('marks the cookie Secure when configured or when the request came over TLS', async () => {
    const login = (c: RestClient, headers: Record<string, string> = {}, base?: string) =>
      c.fetch('/api/v1/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-App-Id': app.appId, ...headers },
        body: JSON.stringify({ userName: 'admin', password: 'admin-pass' }),
        ...(base ? { base } : {}),
      });
    const secureClient = createRestClient(database.db, { COOKIE_SECURE: 'true' });
    for (const response of [
      await login(secureClient),
      await login(client, { 'X-Forwarded-Proto': 'https' }),
      await login(client, {}, 'https://chat.test'),
    ]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure$/);
    }
  });

  it('answers wrong logins with 401 and bad bodies with 400, in its shape', async () => {
    const post = (body: string) =>
      client.json('/api/v1/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-App-Id': app.appId },
        body,
      });
    expect(await post(JSON.stringify({ userName: 'admin', password: 'nope' }))).toMatchObject({
      status: 401,
      body: { errorText: 'Wrong user name or password', httpStatusCode: 401 },
    });
    for (const raw of [
      JSON.stringify({ userName: 'admin' }),
      JSON.stringify({ userName: 5, password: 'x' }),
    ]) {
      const res = await post(raw);
      expect(res.status, raw).toBe(400);
      expect(res.body).toEqual({ errorText: expect.any(String), httpStatusCode: 400 });
    }
    // Unreadable JSON says nothing of its dialect: on the shared path Rocket.Chat answers it
    // (shared-paths.test.ts); under its own prefix, Virola does.
    const prefixed = createRestClient(database.db, { VIROLA_PREFIX: '/virola' });
    const broken = await prefixed.json('/virola/api/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(broken).toMatchObject({
      status: 400,
      body: { httpStatusCode: 400, errorText: expect.stringContaining('JSON') },
    });
  });

  // Only POST: a GET is a 405 and changes nothing (test/server/cross-site.test.ts).
  it('logs out: the session ends and the cookie is cleared', async () => {
    const session = await virolaLogin(client, app.appId, 'admin', 'admin-pass');
    const response = await client.fetch('/api/v1/logout', {
      method: 'POST',
      headers: { cookie: session.cookie },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ httpStatusCode: 200 });
    expect(response.headers.get('set-cookie')).toMatch(
      /^chat_bff_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/,
    );
    const after = await client.json('/api/v1/status', { headers: { cookie: session.cookie } });
    expect([after.status, after.body]).toEqual([401, wrongBearer]);
  });

  it('answers the documented 401 without a valid session', async () => {
    for (const path of ['/api/v1/status', '/api/v1/rooms', '/api/v1/rooms/1/avatar.jpg']) {
      const res = await client.json(path);
      expect([res.status, res.body], path).toEqual([
        401,
        { errorText: 'No Bearer, please log in to get a Web API Access Token', httpStatusCode: 401 },
      ]);
    }
    for (const headers of [{ cookie: 'chat_bff_session=st_forged' }, { Authorization: 'Bearer st_forged' }]) {
      for (const path of ['/api/v1/status', '/api/v1/rooms', '/api/v1/rooms/1/avatar.jpg']) {
        const res = await client.json(path, { headers });
        expect([res.status, res.body], path).toEqual([401, wrongBearer]);
      }
    }
  });
});

describe('Virola GET /api/v1/rooms', () => {
  it('answers the documented example field for field', async () => {
    const own = await createTestApp(database.db);
    await createUser(database.db, own.appId, 'me', { password: 'my-password' });
    await createUser(database.db, own.appId, 'host');
    await createRoom(own.as('me'), {
      roomId: 'admin',
      name: 'Admin',
      roomType: 'group',
      visibility: 'private',
      memberIds: [],
    });
    await sendMessage(own.as('me'), { roomId: 'admin', body: 'note to self' });
    await updateRoomPref(own.as('me'), 'admin', { sticky: true });
    await createRoom(own.as('host'), {
      roomId: 'welcome',
      name: 'Welcome!',
      roomType: 'group',
      visibility: 'public',
      memberIds: ['me'],
    });
    for (let i = 0; i < 3; i++) await sendMessage(own.as('host'), { roomId: 'welcome', body: `hello ${i}` });
    const session = await virolaLogin(client, own.appId, 'me', 'my-password');

    const { status, body } = await client.json<Body>('/api/v1/rooms', {
      headers: { cookie: session.cookie },
    });
    expect(status).toBe(200);
    const example = fixture<Body>('virola-rooms.json');
    expectSameShape(body, example);
    const [welcome, admin] = body.rooms;
    expect(admin).toMatchObject({
      displayName: 'Admin',
      roomType: 'Private',
      unreadMessageCount: 0,
      isArchived: false,
      isModerator: true,
      isPinned: true,
    });
    expect(welcome).toMatchObject({
      displayName: 'Welcome!',
      roomType: 'Public',
      unreadMessageCount: 3,
      isModerator: false,
      isPinned: false,
    });
    expect(Number.isInteger(admin.roomId) && Number.isInteger(admin.lastMessage.messageId)).toBe(true);
    expect(welcome.lastMessage.createdUtc).toBeGreaterThanOrEqual(admin.lastMessage.createdUtc);
  });

  it('shows a room without messages with lastMessage null', async () => {
    const own = await createTestApp(database.db);
    await createUser(database.db, own.appId, 'me', { password: 'my-password' });
    await createRoom(own.as('me'), { roomId: 'quiet', name: 'Quiet', roomType: 'group', memberIds: [] });
    const session = await virolaLogin(client, own.appId, 'me', 'my-password');
    const { body } = await client.json<Body>('/api/v1/rooms', { headers: { cookie: session.cookie } });
    expect(body.rooms).toEqual([
      expect.objectContaining({ displayName: 'Quiet', lastMessage: null, isModerator: true }),
    ]);
  });
});

describe('Virola GET /api/v1/rooms/{roomId}/avatar.jpg', () => {
  it("serves the room's avatar, a default image when it has none, 404/403/400 otherwise", async () => {
    const own = await createTestApp(database.db);
    for (const id of ['me', 'outsider'])
      await createUser(database.db, own.appId, id, { password: 'my-password' });
    const room = await createRoom(own.as('me'), {
      roomId: 'pics',
      name: 'Pics',
      roomType: 'group',
      memberIds: [],
    });
    const session = await virolaLogin(client, own.appId, 'me', 'my-password');
    const headers = { cookie: session.cookie };

    const fallback = await client.fetch(`/api/v1/rooms/${room.numId}/avatar.jpg`, { headers });
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('content-type')).toBe('image/jpeg');
    const fallbackBytes = new Uint8Array(await fallback.arrayBuffer());
    expect(fallback.headers.get('content-length')).toBe(String(fallbackBytes.byteLength));
    expect(Buffer.from(fallbackBytes).equals(DEFAULT_AVATAR.bytes)).toBe(true);
    expect([fallbackBytes[0], fallbackBytes[1]]).toEqual([0xff, 0xd8]); // a JPEG
    expect(fallback.headers.get('content-disposition')).toContain('filename="avatar.jpg"');

    const png = pngImage();
    await updateRoom(own.as('me'), 'pics', {}, { content: new Blob([png]), filename: 'café.png' });
    const stored = await client.fetch(`/api/v1/rooms/${room.numId}/avatar.jpg`, { headers });
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(stored.headers.get('content-length')).toBe(String(png.byteLength));
    expect(stored.headers.get('content-disposition')).toBe(
      `inline; filename="caf_.png"; filename*=UTF-8''caf%C3%A9.png`,
    );
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(png);

    expect(await client.json('/api/v1/rooms/999999999/avatar.jpg', { headers })).toMatchObject({
      status: 404,
      body: { httpStatusCode: 404, errorText: expect.any(String) },
    });
    for (const bad of ['abc', '0', '-3', '1.5']) {
      expect(await client.json(`/api/v1/rooms/${bad}/avatar.jpg`, { headers })).toMatchObject({
        status: 400,
        body: { httpStatusCode: 400, errorText: expect.stringContaining('roomId') },
      });
    }
    const outsider = await virolaLogin(client, own.appId, 'outsider', 'my-password');
    expect(
      await client.json(`/api/v1/rooms/${room.numId}/avatar.jpg`, { headers: { cookie: outsider.cookie } }),
    ).toMatchObject({
      status: 403,
      body: { httpStatusCode: 403 },
    });
    await addMembers(own.as('me'), 'pics', ['outsider']);
    expect(
      (await client.fetch(`/api/v1/rooms/${room.numId}/avatar.jpg`, { headers: { cookie: outsider.cookie } }))
        .status,
    ).toBe(200);

    // Another app's session does not see this app's rooms, even by integer id.
    const other = await createTestApp(database.db);
    await createUser(database.db, other.appId, 'me', { password: 'my-password' });
    const otherSession = await virolaLogin(client, other.appId, 'me', 'my-password');
    expect(
      (
        await client.fetch(`/api/v1/rooms/${room.numId}/avatar.jpg`, {
          headers: { cookie: otherSession.cookie },
        })
      ).status,
    ).toBe(404);
    expect(
      (await client.json<Body>('/api/v1/rooms', { headers: { cookie: otherSession.cookie } })).body.rooms,
    ).toEqual([]);
  });
});
