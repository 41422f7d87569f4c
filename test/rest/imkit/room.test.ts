import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { createRoom, deleteRoom } from '../../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../../src/domain/rooms/read-state.service.js';
import { removeMember } from '../../../src/domain/rooms/membership.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { createRestClient, imkitHeaders, type RestClient } from '../support/rest-client.js';
import { fixture } from '../support/seed-examples.js';
import { expectSameShape } from '../support/shape.js';

let database: TestDatabase;
let client: RestClient;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
});
afterAll(() => database?.close());

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

/** The documented room: Alice has read the last message, Bob has 5 unread. */
async function buildDocumentedRoom(): Promise<{ app: TestApp; lastId: string }> {
  const app = await createTestApp(database.db);
  await createUser(database.db, app.appId, 'user-a', {
    nickname: 'Alice',
    avatarUrl: 'https://example.com/alice.jpg',
  });
  await createUser(database.db, app.appId, 'user-b', {
    nickname: 'Bob',
    avatarUrl: 'https://example.com/bob.jpg',
  });
  await createRoom(app.as('user-a'), {
    roomId: 'project-room-001',
    roomType: 'group',
    description: '專案討論群',
    memberIds: ['user-b'],
  });
  let lastId = '';
  for (let i = 0; i < 5; i++) {
    lastId = (
      await sendMessage(app.as('user-a'), { roomId: 'project-room-001', body: `最新的訊息內容 ${i}` })
    ).id;
  }
  await markRoomRead(app.as('user-a'), 'project-room-001');
  return { app, lastId };
}

describe('IMKit GET /rooms/{id}', () => {
  it('answers the documented example field for field', async () => {
    const { app, lastId } = await buildDocumentedRoom();
    const { status, body } = await client.json<Body>('/rooms/project-room-001', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('user-b')),
    });
    expect(status).toBe(200);
    expectSameShape(body, fixture('imkit-room.json'));
    expect(body.result).toMatchObject({
      _id: 'project-room-001',
      appID: app.appId,
      unread: 5,
      description: '專案討論群',
      isSuperuser: false,
      lastMessage: {
        _id: lastId,
        message: '最新的訊息內容 4',
        messageType: 'text',
        sender: { _id: 'user-a', nickname: 'Alice' },
      },
    });
    expect(body.result.memberProperties).toEqual([
      { client: 'user-a', badge: 0, lastRead: lastId },
      { client: 'user-b', badge: 5 },
    ]);
    expect(body.result.members.map((m: Body) => [m._id, m.nickname, m.avatarUrl])).toEqual([
      ['user-a', 'Alice', 'https://example.com/alice.jpg'],
      ['user-b', 'Bob', 'https://example.com/bob.jpg'],
    ]);
  });

  it('lets the app API key (platform admin) read any room of its app, as superuser', async () => {
    const { app } = await buildDocumentedRoom();
    const { status, body } = await client.json<Body>('/rooms/project-room-001', {
      headers: { 'IM-API-KEY': app.apiKey },
    });
    expect(status).toBe(200);
    expect(body.result).toMatchObject({ isSuperuser: true, unread: 0 });
    expect(body.result.memberProperties).toHaveLength(2);
  });

  it('lists every member, past one keyset page', async () => {
    const members = Array.from({ length: 130 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const app = await createTestApp(database.db, ['owner', ...members]);
    await createRoom(app.as('owner'), { roomId: 'big', roomType: 'group', memberIds: members });
    const { body } = await client.json<Body>('/rooms/big', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('owner')),
    });
    expect(body.result.members).toHaveLength(131);
    expect(new Set(body.result.memberProperties.map((p: Body) => p.client)).size).toBe(131);
  });

  it('answers the documented 404 for a room that does not exist or was deleted', async () => {
    const { app } = await buildDocumentedRoom();
    const headers = imkitHeaders(app.clientKey, await app.tokenFor('user-a'));
    const missing = await client.json<Body>('/rooms/no-such-room', { headers });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(fixture('imkit-room-404.json'));
    await deleteRoom(app.as('user-a'), 'project-room-001');
    const deleted = await client.json<Body>('/rooms/project-room-001', { headers });
    expect(deleted.status).toBe(404);
    expect(deleted.body).toEqual(fixture('imkit-room-404.json'));
  });

  it('answers 403 NOT_ROOM_MEMBER to a user who is not (or no longer) in the room', async () => {
    const { app } = await buildDocumentedRoom();
    await createUser(database.db, app.appId, 'stranger');
    const stranger = await client.json<Body>('/rooms/project-room-001', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('stranger')),
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toEqual(fixture('imkit-messages-403.json'));
    await removeMember(app.as('user-b'), 'project-room-001', 'user-b');
    const left = await client.json<Body>('/rooms/project-room-001', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('user-b')),
    });
    expect(left.status).toBe(403);
  });

  it('rejects an id of the wrong shape with a 400', async () => {
    const { app } = await buildDocumentedRoom();
    const headers = imkitHeaders(app.clientKey, await app.tokenFor('user-a'));
    for (const id of ['%20spaces%20', '-leading-dash', 'x'.repeat(200)]) {
      const { status, body } = await client.json<Body>(`/rooms/${id}`, { headers });
      expect(status, id).toBe(400);
      expect(body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_PARAMETER' } });
    }
  });

  it('answers 401 without credentials', async () => {
    const { status, body } = await client.json<Body>('/rooms/project-room-001');
    expect(status).toBe(401);
    expectSameShape(body, fixture('imkit-messages-401.json'));
  });
});
