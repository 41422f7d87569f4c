import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createStatementCounter, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { rocketchatLogin, virolaLogin } from './support/logins.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * Relations are read through the request's loaders: a list of 24 rooms or 40 messages
 * costs the same number of SQL statements as a list of 3.
 */

const counter = createStatementCounter();
let database: TestDatabase;
let client: RestClient;

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: counter.onQuery });
  client = createRestClient(database.db);
});
afterAll(() => database?.close());

/** An app whose user "me" has `rooms` rooms, each with two other members and a message. */
async function appWithRooms(rooms: number): Promise<TestApp> {
  const app = await createTestApp(database.db, ['other', 'third']);
  await createUser(database.db, app.appId, 'me', { password: 'me-password' });
  for (let i = 0; i < rooms; i++) {
    await createRoom(app.as('me'), { roomId: `room-${i}`, roomType: 'group', memberIds: ['other', 'third'] });
    await sendMessage(app.as(i % 2 ? 'other' : 'third'), { roomId: `room-${i}`, body: `hello ${i}` });
  }
  for (let i = 0; i < rooms * 2; i++) {
    await sendMessage(app.as(i % 2 ? 'other' : 'me'), { roomId: 'room-0', body: `more ${i}` });
  }
  await createRoom(app.as('me'), { roomId: 'dm', roomType: 'direct', memberIds: ['other'] });
  return app;
}

async function statementsFor(app: TestApp): Promise<Record<string, number>> {
  const imkit = imkitHeaders(app.clientKey, await app.tokenFor('me'));
  const rc = await rocketchatLogin(client, app.appId, 'me', 'me-password');
  const virola = await virolaLogin(client, app.appId, 'me', 'me-password');
  const calls: Record<string, [string, Record<string, string>]> = {
    'imkit rooms': ['/rooms', imkit],
    'imkit room': ['/rooms/room-0', imkit],
    'imkit messages': ['/rooms/room-0/messages/v3?limit=1000', imkit],
    'rocketchat rooms.get': ['/api/v1/rooms.get', rc],
    'virola rooms': ['/api/v1/rooms', { cookie: virola.cookie }],
  };
  const counts: Record<string, number> = {};
  for (const [name, [path, headers]] of Object.entries(calls)) {
    const { result, count } = await counter.measure(() => client.fetch(path, { headers }));
    expect(result.status, name).toBe(200);
    counts[name] = count;
  }
  return counts;
}

describe('SQL statements per REST request', () => {
  it('do not grow with the number of rooms, members or messages listed', async () => {
    const small = await statementsFor(await appWithRooms(3));
    const large = await statementsFor(await appWithRooms(24));
    expect(large).toEqual(small);
    for (const [name, count] of Object.entries(small)) expect(count, name).toBeLessThanOrEqual(10);
  });
});
