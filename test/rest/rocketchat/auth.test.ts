import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { rocketchatLogin } from '../support/logins.js';
import { createRestClient, type RestClient } from '../support/rest-client.js';

let database: TestDatabase;
let client: RestClient;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'u-roxie', {
    username: 'roxie',
    nickname: 'Roxie',
    avatarUrl: 'https://example.com/r.png',
    password: 'correct horse',
  });
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return client.json<Body>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-App-Id': app.appId, ...headers },
    body,
  });
}

const notLoggedIn = { status: 'error', message: 'You must be logged in to do this.' };

describe('Rocket.Chat login, me, logout', () => {
  it('logs in with user or username (JSON or form) and answers status/data/me', async () => {
    for (const body of [{ user: 'roxie' }, { username: 'roxie' }, { user: 'u-roxie' }]) {
      const { status, body: res } = await post(
        '/api/v1/login',
        JSON.stringify({ ...body, password: 'correct horse' }),
      );
      expect(status).toBe(200);
      expect(res).toEqual({
        status: 'success',
        data: {
          userId: 'u-roxie',
          authToken: expect.stringMatching(/^lt_/),
          me: expect.objectContaining({
            _id: 'u-roxie',
            username: 'roxie',
            name: 'Roxie',
            avatarUrl: 'https://example.com/r.png',
          }),
        },
      });
    }
    const form = await client.json<Body>('/api/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-App-Id': app.appId },
      body: 'username=roxie&password=correct+horse',
    });
    expect(form.status).toBe(200);
  });

  it('answers 401 Unauthorized for a wrong password or an unknown user, the same for both', async () => {
    for (const body of [
      { user: 'roxie', password: 'wrong' },
      { user: 'nobody', password: 'correct horse' },
    ]) {
      const res = await post('/api/v1/login', JSON.stringify(body));
      expect([res.status, res.body]).toEqual([
        401,
        { status: 'error', error: 'Unauthorized', message: 'Unauthorized' },
      ]);
    }
  });

  it('answers 400 for a malformed login', async () => {
    for (const raw of [
      '{not json',
      JSON.stringify({ user: 'roxie' }),
      JSON.stringify({ password: 'x' }),
      '[]',
    ]) {
      const res = await post('/api/v1/login', raw);
      expect(res.status, raw).toBe(400);
      expect(res.body).toEqual({ status: 'error', message: expect.stringMatching(/login|JSON/) });
    }
  });

  it('answers me for the token, and logout revokes it', async () => {
    const headers = await rocketchatLogin(client, app.appId, 'roxie', 'correct horse');
    const me = await client.json<Body>('/api/v1/me', { headers });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      _id: 'u-roxie',
      username: 'roxie',
      name: 'Roxie',
      active: true,
      success: true,
    });
    const out = await client.json<Body>('/api/v1/logout', { method: 'POST', headers });
    expect([out.status, out.body]).toEqual([
      200,
      { status: 'success', data: { message: "You've been logged out!" } },
    ]);
    expect(await client.json('/api/v1/me', { headers })).toMatchObject({ status: 401, body: notLoggedIn });
    expect(await client.json('/api/v1/logout', { method: 'POST', headers })).toMatchObject({
      status: 401,
      body: notLoggedIn,
    });
  });

  it('answers 401 "You must be logged in" for missing or wrong credentials on me', async () => {
    const headers = await rocketchatLogin(client, app.appId, 'roxie', 'correct horse');
    for (const h of [
      {},
      { 'X-User-Id': 'u-roxie', 'X-Auth-Token': 'nope' },
      { 'X-User-Id': 'other', 'X-Auth-Token': headers['X-Auth-Token']! },
    ]) {
      expect(await client.json('/api/v1/me', { headers: h })).toMatchObject({
        status: 401,
        body: notLoggedIn,
      });
    }
  });
});
