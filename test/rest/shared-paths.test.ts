import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { rocketchatLogin, virolaLogin } from './support/logins.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * Rocket.Chat and Virola share POST /api/v1/login and /api/v1/logout; the request tells
 * which it is. Any dialect can also be mounted under a prefix.
 */

let database: TestDatabase;
let client: RestClient;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'kim', { password: 'kim-password' });
  await createRoom(app.as('kim'), { roomId: 'r1', name: 'R1', roomType: 'group', memberIds: [] });
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

function login(body: unknown, c: RestClient = client, path = '/api/v1/login') {
  return c.json<Body>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-App-Id': app.appId },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /api/v1/login and /api/v1/logout, shared by Rocket.Chat and Virola', () => {
  it('is Virola for a body with userName, Rocket.Chat for user/username/email', async () => {
    const virola = await login({ userName: 'kim', password: 'kim-password' });
    expect(virola.body).toMatchObject({ httpStatusCode: 200, userSessionId: expect.any(String) });
    expect(virola.response.headers.get('set-cookie')).toContain('HttpOnly');
    for (const key of ['user', 'username']) {
      const rc = await login({ [key]: 'kim', password: 'kim-password' });
      expect(rc.body).toMatchObject({ status: 'success', data: { userId: 'kim' } });
      expect(rc.response.headers.get('set-cookie')).toBeNull();
    }
    // Wrong passwords fail in the shape of the dialect that was asked.
    expect((await login({ userName: 'kim', password: 'x' })).body).toEqual({
      errorText: 'Wrong user name or password',
      httpStatusCode: 401,
    });
    expect((await login({ user: 'kim', password: 'x' })).body).toMatchObject({
      status: 'error',
      message: 'Unauthorized',
    });
    // Nothing says which: Rocket.Chat answers.
    expect(await login('{broken')).toMatchObject({ status: 400, body: { status: 'error' } });
    expect(await login({ password: 'x' })).toMatchObject({ status: 400, body: { status: 'error' } });
  });

  it('logs out the Rocket.Chat token for X-Auth-Token, the Virola session for its cookie or bearer', async () => {
    const rcHeaders = await rocketchatLogin(client, app.appId, 'kim', 'kim-password');
    const rc = await client.json<Body>('/api/v1/logout', { method: 'POST', headers: rcHeaders });
    expect(rc.body).toEqual({ status: 'success', data: { message: "You've been logged out!" } });

    const session = await virolaLogin(client, app.appId, 'kim', 'kim-password');
    const byCookie = await client.json<Body>('/api/v1/logout', {
      method: 'POST',
      headers: { cookie: session.cookie },
    });
    expect(byCookie.body).toEqual({ httpStatusCode: 200 });

    const second = await virolaLogin(client, app.appId, 'kim', 'kim-password');
    const byBearer = await client.json<Body>('/api/v1/logout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${second.userSessionId}` },
    });
    expect(byBearer.body).toEqual({ httpStatusCode: 200 });
    expect((await client.json('/api/v1/status', { headers: { cookie: second.cookie } })).status).toBe(401);

    const nothing = await client.json<Body>('/api/v1/logout', { method: 'POST' });
    expect(nothing).toMatchObject({
      status: 401,
      body: { status: 'error', message: 'You must be logged in to do this.' },
    });
  });
});

describe('prefixes', () => {
  it('mounts each dialect under its configured prefix, and only there', async () => {
    const prefixed = createRestClient(database.db, {
      IMKIT_PREFIX: '/imkit',
      ROCKETCHAT_PREFIX: '/rc',
      VIROLA_PREFIX: '/virola',
    });
    const headers = imkitHeaders(app.clientKey, await app.tokenFor('kim'));
    expect((await prefixed.json<Body>('/imkit/rooms', { headers })).body.result.data[0]._id).toBe('r1');
    expect((await prefixed.fetch('/rooms', { headers })).status).toBe(404);

    const virola = await login(
      { userName: 'kim', password: 'kim-password' },
      prefixed,
      '/virola/api/v1/login',
    );
    expect(virola.body.httpStatusCode).toBe(200);
    const cookie = virola.response.headers.get('set-cookie')!.split(';')[0]!;
    expect(
      (await prefixed.json<Body>('/virola/api/v1/rooms', { headers: { cookie } })).body.rooms,
    ).toHaveLength(1);
    expect((await prefixed.fetch('/api/v1/rooms', { headers: { cookie } })).status).toBe(404);

    // Now only Rocket.Chat is at its prefix: no disambiguation needed, even for a Virola-looking body.
    const rc = await login({ userName: 'kim', password: 'kim-password' }, prefixed, '/rc/api/v1/login');
    expect(rc).toMatchObject({ status: 400, body: { status: 'error' } });
    const rcOk = await login({ user: 'kim', password: 'kim-password' }, prefixed, '/rc/api/v1/login');
    expect(rcOk.body.status).toBe('success');
    expect((await prefixed.fetch('/api/v1/login', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
