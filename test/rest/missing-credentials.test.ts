import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * Each dialect tells "no credentials: log in" from "wrong, expired or revoked: renew"
 * in its own shape: IMKit by error.code (MISSING_CREDENTIALS; the documented INVALID_TOKEN
 * body stays for a bad token), Rocket.Chat by `error` next to its usual message, Virola by
 * errorText (its documented "Wrong Bearer" text stays for a bad session).
 */

let database: TestDatabase;
let client: RestClient;
let app: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'u1', { password: 'u1-password' });
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

describe('IMKit', () => {
  it("none (or only another dialect's): MISSING_CREDENTIALS; a wrong token: the documented INVALID_TOKEN", async () => {
    for (const headers of [
      {},
      { 'IM-CLIENT-KEY': app.clientKey },
      { 'X-User-Id': 'u1', 'X-Auth-Token': 'lt_x' },
    ]) {
      const { status, body } = await client.json<Body>('/rooms', { headers });
      expect(status).toBe(401);
      expect(body).toMatchObject({ RC: 401, RM: 'Unauthorized', error: { code: 'MISSING_CREDENTIALS' } });
    }
    const wrong = await client.json<Body>('/rooms', { headers: imkitHeaders(app.clientKey, 'ct_wrong') });
    expect([wrong.status, wrong.body]).toEqual([
      401,
      { RC: 401, RM: 'Unauthorized', error: { code: 'INVALID_TOKEN', message: 'Invalid or expired token' } },
    ]);
  });
});

describe('Rocket.Chat', () => {
  const message = 'You must be logged in to do this.';
  it('none: error MISSING_CREDENTIALS; a wrong token: error INVALID_TOKEN; the same message', async () => {
    for (const path of ['/api/v1/rooms.get', '/api/v1/me']) {
      for (const headers of [{}, { 'X-User-Id': 'u1' }]) {
        const none = await client.json<Body>(path, { headers });
        expect([none.status, none.body], path).toEqual([
          401,
          { status: 'error', message, error: 'MISSING_CREDENTIALS' },
        ]);
      }
      const wrong = await client.json<Body>(path, {
        headers: { 'X-User-Id': 'u1', 'X-Auth-Token': 'lt_wrong' },
      });
      expect([wrong.status, wrong.body], path).toEqual([
        401,
        { status: 'error', message, error: 'INVALID_TOKEN' },
      ]);
    }
  });
});

describe('Virola', () => {
  it('none: "No Bearer, please log in"; a wrong session: the documented "Wrong Bearer"', async () => {
    for (const path of ['/api/v1/rooms', '/api/v1/status']) {
      const none = await client.json<Body>(path);
      expect([none.status, none.body], path).toEqual([
        401,
        { errorText: 'No Bearer, please log in to get a Web API Access Token', httpStatusCode: 401 },
      ]);
      const wrong = await client.json<Body>(path, { headers: { cookie: 'chat_bff_session=st_forged' } });
      expect([wrong.status, wrong.body], path).toEqual([
        401,
        { errorText: 'Wrong Bearer, please renew Web API Access Token', httpStatusCode: 401 },
      ]);
    }
  });
});
