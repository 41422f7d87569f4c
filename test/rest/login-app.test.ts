import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { createRestClient } from './support/rest-client.js';

/*
 * Which app a password login signs in to: X-App-Id (or IM-CLIENT-KEY), else
 * DEFAULT_APP_ID, else the only app. This file's database starts with no app.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

function login(
  dialect: 'rocketchat' | 'virola',
  headers: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const body =
    dialect === 'rocketchat'
      ? { user: 'sam', password: 'pass-word' }
      : { userName: 'sam', password: 'pass-word' };
  return createRestClient(database.db, env).json<Record<string, unknown>>('/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the app of a password login', () => {
  it('is the only app when there is one, and must be named once there are several', async () => {
    const first = await createTestApp(database.db);
    await createUser(database.db, first.appId, 'sam', { password: 'pass-word' });
    expect((await login('rocketchat')).status).toBe(200);
    expect((await login('virola')).status).toBe(200);

    const second = await createTestApp(database.db);
    await createUser(database.db, second.appId, 'sam', { password: 'other-pass' });
    const rc = await login('rocketchat');
    expect(rc.status).toBe(400);
    expect(rc.body).toEqual({ status: 'error', message: expect.stringContaining('X-App-Id') });
    const virola = await login('virola');
    expect(virola).toMatchObject({
      status: 400,
      body: { httpStatusCode: 400, errorText: expect.stringContaining('X-App-Id') },
    });

    expect((await login('rocketchat', { 'X-App-Id': first.appId })).status).toBe(200);
    expect((await login('virola', { 'IM-CLIENT-KEY': first.clientKey })).status).toBe(200);
    // The right password for the other app's "sam" is the wrong one here.
    expect((await login('rocketchat', { 'X-App-Id': second.appId })).status).toBe(401);
    expect((await login('rocketchat', {}, { DEFAULT_APP_ID: first.appId })).status).toBe(200);
    expect((await login('rocketchat', { 'X-App-Id': 'no-such-app' })).status).toBe(401);
    expect((await login('virola', { 'X-App-Id': 'no-such-app' })).body).toEqual({
      errorText: 'Wrong user name or password',
      httpStatusCode: 401,
    });
  });
});
