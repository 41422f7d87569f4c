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
  const json = { 'content-type': 'application/json' };
  const page = await client.json<{ result: { data: { _id: string }[] } }>(
    '/rooms/room-1/messages/v3?limit=1',
    {
      headers: imkit,
    },
  );
  const lastOfRoom1 = page.body.result.data[0]?._id;
  const room0 = await client.json<{ result: { data: { _id: string }[] } }>(
    '/rooms/room-0/messages/v3?limit=1',
    {
      headers: imkit,
    },
  );
  const lastOfRoom0 = room0.body.result.data[0]?._id;
  const calls: Record<string, [string, RequestInit]> = {
    'imkit rooms': ['/rooms', { headers: imkit }],
    'imkit room': ['/rooms/room-0', { headers: imkit }],
    'imkit messages': ['/rooms/room-0/messages/v3?limit=1000', { headers: imkit }],
    // The page's own statement finds where beforeMessage is.
    'imkit messages before': [
      `/rooms/room-0/messages/v3?limit=1000&beforeMessage=${lastOfRoom0}`,
      { headers: imkit },
    ],
    'rocketchat rooms.get': ['/api/v1/rooms.get', { headers: rc }],
    'rocketchat subscriptions.get': ['/api/v1/subscriptions.get', { headers: rc }],
    'virola rooms': ['/api/v1/rooms', { headers: { cookie: virola.cookie } }],
    // Writes: O(1) statements whatever the number of rooms, members and messages.
    'imkit post message': [
      '/rooms/room-0/message',
      { method: 'POST', headers: { ...imkit, ...json }, body: '{"message":"hi","messageType":"text"}' },
    ],
    'imkit lastRead': [
      '/rooms/room-1/lastRead',
      { method: 'PUT', headers: { ...imkit, ...json }, body: JSON.stringify({ message: lastOfRoom1 }) },
    ],
    'rocketchat chat.sendMessage': [
      '/api/v1/chat.sendMessage',
      { method: 'POST', headers: { ...rc, ...json }, body: '{"message":{"rid":"room-0","msg":"hi"}}' },
    ],
    'rocketchat subscriptions.read': [
      '/api/v1/subscriptions.read',
      { method: 'POST', headers: { ...rc, ...json }, body: '{"rid":"room-1"}' },
    ],
  };
  const counts: Record<string, number> = {};
  for (const [name, [path, init]] of Object.entries(calls)) {
    const { result, count } = await counter.measure(() => client.fetch(path, init));
    expect(result.status, `${name}: ${await result.clone().text()}`).toBe(200);
    counts[name] = count;
  }
  return counts;
}

describe('SQL statements per REST request', () => {
  it('do not grow with the number of rooms, members or messages listed', async () => {
    const small = await statementsFor(await appWithRooms(3));
    const large = await statementsFor(await appWithRooms(24));
    expect(large).toEqual(small);
    console.info('SQL statements per request:', small);
    // Budgets as measured (authentication included): a change that adds a statement fails here.
    const budget: Record<string, number> = {
      'imkit rooms': 3,
      'imkit room': 4,
      'imkit messages': 2,
      'imkit messages before': 2,
      'rocketchat rooms.get': 3,
      'rocketchat subscriptions.get': 3,
      'virola rooms': 2,
      'imkit post message': 2,
      'imkit lastRead': 4,
      'rocketchat chat.sendMessage': 2,
      'rocketchat subscriptions.read': 2,
    };
    for (const [name, count] of Object.entries(small))
      expect(count, name).toBeLessThanOrEqual(budget[name] ?? 0);
  });
});

describe('SQL statements of the IMKit room detail', () => {
  it('list every member of a room in one statement, however many pages of members it has', async () => {
    async function detailStatements(members: number): Promise<number> {
      const ids = Array.from({ length: members }, (_, i) => `m${String(i).padStart(3, '0')}`);
      const app = await createTestApp(database.db, ['owner', ...ids]);
      await createRoom(app.as('owner'), { roomId: 'big', roomType: 'group', memberIds: ids });
      const headers = imkitHeaders(app.clientKey, await app.tokenFor('owner'));
      const { result, count } = await counter.measure(() => client.fetch('/rooms/big', { headers }));
      const body = (await result.json()) as { result: { memberProperties: unknown[] } };
      expect(body.result.memberProperties).toHaveLength(members + 1);
      return count;
    }
    expect(await detailStatements(250)).toBe(await detailStatements(2));
  });
});
