import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { mutatorFor } from '../../support/mutate.js';

/*
 * A password change signs the user out of what their password gave them: Rocket.Chat
 * login tokens and Virola sessions stop working at once (the token cache included).
 * Client tokens, which the app's server issued with its API key, keep working.
 */

let database: TestDatabase;
let h: InProcessApp;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
  app = await createTestApp(database.db);
});
afterAll(() => database?.close());

async function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return h.fetch(
    new Request(`http://chat-bff.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-App-Id': app.appId },
      body: JSON.stringify(body),
    }),
  );
}

async function get(path: string, headers: Record<string, string>): Promise<number> {
  const response = await h.fetch(new Request(`http://chat-bff.test${path}`, { headers }));
  await response.body?.cancel();
  return response.status;
}

/** A Rocket.Chat login, a Virola session and a client token of one user, each checked to work. */
async function signIn(userId: string, password: string) {
  const rc = (await (await post('/api/v1/login', { user: userId, password })).json()) as {
    data: { userId: string; authToken: string };
  };
  const rocketchat = { 'X-User-Id': rc.data.userId, 'X-Auth-Token': rc.data.authToken };
  const login = await post('/api/v1/login', { userName: userId, password });
  expect(login.status).toBe(200);
  const virola = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
  const admin = mutatorFor(h, bearer(app.apiKey));
  const issued = await admin('issueClientToken', { userId }, 'token');
  const client = bearer(issued['token'] as string);
  // Each is used once before the change, so the token cache holds all three.
  expect(await get('/api/v1/me', rocketchat)).toBe(200);
  expect(await get('/api/v1/rooms', virola)).toBe(200);
  expect(await viewerStatus(client)).toBe(200);
  return { rocketchat, virola, client, admin };
}

async function viewerStatus(headers: Record<string, string>): Promise<number> {
  const res = await h.request('{ viewer { userId } }', { headers });
  return res.body.data?.viewer ? 200 : res.status;
}

describe('updateUser(password:)', () => {
  test("revokes the user's logins and sessions at once; client tokens keep working", async () => {
    await createUser(database.db, app.appId, 'pat', { password: 'old-password' });
    await createUser(database.db, app.appId, 'quinn', { password: 'quinn-password' });
    const other = await signIn('quinn', 'quinn-password');
    const { rocketchat, virola, client, admin } = await signIn('pat', 'old-password');

    const changed = await admin('updateUser', { userId: 'pat', password: 'new-password' }, 'user { userId }');
    expect(changed['__typename']).toBe('UpdateUserPayload');

    expect(await get('/api/v1/me', rocketchat)).toBe(401);
    expect(await get('/api/v1/rooms', virola)).toBe(401);
    expect(await viewerStatus(rocketchat)).toBe(401); // the same token through GraphQL
    expect(await viewerStatus(virola)).toBe(401);
    expect(await viewerStatus(client)).toBe(200); // the documented choice: the app's server manages these

    // The old password no longer logs in, the new one does.
    expect((await post('/api/v1/login', { user: 'pat', password: 'old-password' })).status).toBe(401);
    expect((await post('/api/v1/login', { user: 'pat', password: 'new-password' })).status).toBe(200);

    // Another user of the app is not signed out.
    expect(await get('/api/v1/me', other.rocketchat)).toBe(200);
    expect(await get('/api/v1/rooms', other.virola)).toBe(200);
  });

  test('a change that leaves the password alone signs no one out', async () => {
    await createUser(database.db, app.appId, 'ray', { password: 'ray-password' });
    const { rocketchat, virola, admin } = await signIn('ray', 'ray-password');
    await admin('updateUser', { userId: 'ray', nickname: 'Ray 2' }, 'user { userId }');
    expect(await get('/api/v1/me', rocketchat)).toBe(200);
    expect(await get('/api/v1/rooms', virola)).toBe(200);
  });

  test('a refused change (a taken username) revokes nothing', async () => {
    await createUser(database.db, app.appId, 'sam', { password: 'sam-password' });
    const { rocketchat, admin } = await signIn('sam', 'sam-password');
    const refused = await admin(
      'updateUser',
      { userId: 'sam', username: 'pat', password: 'another-one' },
      '',
    );
    expect(refused['__typename']).toBe('ConflictError');
    expect(await get('/api/v1/me', rocketchat)).toBe(200);
    expect((await post('/api/v1/login', { user: 'sam', password: 'sam-password' })).status).toBe(200);
  });
});
