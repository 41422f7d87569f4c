import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { createRoom, deleteRoom } from '../../../src/domain/rooms/room.service.js';
import { removeMember } from '../../../src/domain/rooms/membership.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
import { rocketchatLogin } from '../support/logins.js';
import { createRestClient, type RestClient } from '../support/rest-client.js';
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

const PASSWORD = 'secret-password';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const INSTAGRAM_TEXT =
  'Any existing authentication between Rocket.Chat and Instagram has been revoked by @test.test. As a result, no new messages can be sent out nor will any be received. If this is a mistake, please run `/instagram authorize` command to reauthorize.';

describe('Rocket.Chat GET /api/v1/rooms.get', () => {
  it('answers the documented example field for field, md as Rocket.Chat parses it', async () => {
    const example = fixture<Body>('rocketchat-rooms-get.json');
    const app = await createTestApp(database.db);
    const roxie = 'rbAXPnMktTFbNpwtJ';
    await createUser(database.db, app.appId, roxie, {
      username: 'roxie',
      nickname: 'test test',
      password: PASSWORD,
    });
    await createUser(database.db, app.appId, '5fRTXMt7DMJbpPJfh', {
      username: 'test.test',
      nickname: 'test test',
    });
    await createUser(database.db, app.appId, 'J7oi3eBcRYFRnb8x3', {
      username: 'instagram.bot',
      nickname: 'Instagram Direct',
    });
    const before = new Date(Date.now() - 1000);

    await createRoom(app.as(roxie), {
      roomId: '5fRTXMt7DMJbpPJfhrbAXPnMktTFbNpwtJ',
      roomType: 'direct',
      memberIds: ['5fRTXMt7DMJbpPJfh'],
    });
    await sendMessage(app.as('5fRTXMt7DMJbpPJfh'), {
      roomId: '5fRTXMt7DMJbpPJfhrbAXPnMktTFbNpwtJ',
      body: 'call me',
    });
    await createRoom(app.as(roxie), {
      roomId: 'bfeqKDqQRxYM2tGXz',
      roomType: 'group',
      visibility: 'private',
      name: 'Testing-Teams-Bridge',
      memberIds: [],
    });
    await sendMessage(app.as(roxie), {
      roomId: 'bfeqKDqQRxYM2tGXz',
      body: 'Clipboard - March 13, 2023 1:03 AM.png',
    });
    await createRoom(app.as(roxie), {
      roomId: 'G8KgwWSRLua9bZETT',
      roomType: 'group',
      visibility: 'private',
      name: 'Omnichannel Instagram Setup',
      memberIds: ['J7oi3eBcRYFRnb8x3'],
    });
    await sendMessage(app.as('J7oi3eBcRYFRnb8x3'), { roomId: 'G8KgwWSRLua9bZETT', body: INSTAGRAM_TEXT });
    await createRoom(app.as(roxie), {
      roomId: '6514d34ea2f73c7460e18cb4',
      roomType: 'group',
      visibility: 'public',
      name: 'test-discussion',
      topic: 'general',
      parentId: 'GENERAL',
      memberIds: [],
    });
    await sendMessage(app.as(roxie), {
      roomId: '6514d34ea2f73c7460e18cb4',
      body: 'Hi guys , this is for SWE team',
    });
    await createRoom(app.as(roxie), { roomId: '6512153aa2f73c7460e18c5e', roomType: 'group', memberIds: [] });
    await deleteRoom(app.as(roxie), '6512153aa2f73c7460e18c5e');

    const headers = await rocketchatLogin(client, app.appId, 'roxie', PASSWORD);
    const { status, body } = await client.json<Body>(
      `/api/v1/rooms.get?updatedSince=${before.toISOString()}`,
      {
        headers,
      },
    );
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(Object.keys(example).sort());
    expect(body.success).toBe(true);
    expect(body.update.map((r: Body) => r._id).sort()).toEqual(example.update.map((r: Body) => r._id).sort());
    const byId = new Map(body.update.map((r: Body) => [r._id, r]));
    // What these rooms' last messages were in the document (a video call, a file upload) and
    // end-to-end keys are features chat-bff does not have; everything else is compared.
    const notModelled = [
      '$.e2eKeyId',
      '$.lastMessage.t',
      '$.lastMessage.blocks',
      '$.lastMessage.groupable',
      '$.lastMessage.file',
      '$.lastMessage.files',
      '$.lastMessage.attachments',
    ];
    for (const room of example.update) expectSameShape(byId.get(room._id), room, notModelled);
    expectSameShape(body.remove, example.remove);
    expect(body.remove).toEqual([{ _id: '6512153aa2f73c7460e18c5e', _deletedAt: expect.any(String) }]);

    const direct = byId.get('5fRTXMt7DMJbpPJfhrbAXPnMktTFbNpwtJ') as Body;
    expect(direct).toMatchObject({ t: 'd', usersCount: 2, msgs: 1, usernames: ['roxie', 'test.test'] });
    expect(direct.uids.sort()).toEqual(['5fRTXMt7DMJbpPJfh', roxie].sort());
    expect(direct).not.toHaveProperty('name');
    const instagram = byId.get('G8KgwWSRLua9bZETT') as Body;
    expect(instagram).toMatchObject({
      t: 'p',
      fname: 'Omnichannel Instagram Setup',
      u: { _id: roxie, username: 'roxie' },
    });
    expect(instagram.lastMessage.msg).toBe(INSTAGRAM_TEXT);
    expect(instagram.lastMessage.u).toEqual({
      _id: 'J7oi3eBcRYFRnb8x3',
      username: 'instagram.bot',
      name: 'Instagram Direct',
    });
    expect(instagram.lastMessage.md).toEqual(example.update[2].lastMessage.md);
    const discussion = byId.get('6514d34ea2f73c7460e18cb4') as Body;
    expect(discussion).toMatchObject({ t: 'c', prid: 'GENERAL', topic: 'general', name: 'test-discussion' });
    expect(discussion.lastMessage.md).toEqual(example.update[3].lastMessage.md);
    expect(discussion.lm).toBe(discussion.lastMessage.ts);
  });

  it('syncs incrementally: created, messaged, left and deleted rooms since the previous call', async () => {
    const app = await createTestApp(database.db);
    for (const id of ['me', 'owner']) await createUser(database.db, app.appId, id, { password: PASSWORD });
    await createRoom(app.as('owner'), {
      roomId: 'alpha',
      name: 'Alpha',
      roomType: 'group',
      memberIds: ['me'],
    });
    await createRoom(app.as('owner'), { roomId: 'beta', name: 'Beta', roomType: 'group', memberIds: ['me'] });
    await createRoom(app.as('owner'), { roomId: 'not-mine', roomType: 'group', memberIds: [] });
    const headers = await rocketchatLogin(client, app.appId, 'me', PASSWORD);
    const sync = async (since?: Date) => {
      const query = since ? `?updatedSince=${encodeURIComponent(since.toISOString())}` : '';
      const { status, body } = await client.json<Body>(`/api/v1/rooms.get${query}`, { headers });
      expect(status, JSON.stringify(body)).toBe(200);
      return {
        update: (body.update as Body[]).map((r) => r._id).sort(),
        remove: (body.remove as Body[]).map((r) => r._id).sort(),
        body,
      };
    };

    const full = await sync();
    expect([full.update, full.remove]).toEqual([['alpha', 'beta'], []]);

    await sleep(5);
    const since1 = new Date();
    await sleep(5);
    await createRoom(app.as('owner'), {
      roomId: 'gamma',
      name: 'Gamma',
      roomType: 'group',
      memberIds: ['me'],
    });
    await sendMessage(app.as('owner'), { roomId: 'alpha', body: 'news' });
    const step1 = await sync(since1);
    expect([step1.update, step1.remove]).toEqual([['alpha', 'gamma'], []]);
    expect(step1.body.update.find((r: Body) => r._id === 'alpha').lastMessage.msg).toBe('news');

    await sleep(5);
    const since2 = new Date();
    await sleep(5);
    await removeMember(app.as('me'), 'beta', 'me');
    await deleteRoom(app.as('owner'), 'gamma');
    const step2 = await sync(since2);
    expect([step2.update, step2.remove]).toEqual([[], ['beta', 'gamma']]);
    for (const removed of step2.body.remove)
      expect(Date.parse(removed._deletedAt)).toBeGreaterThanOrEqual(since2.getTime());

    await sleep(5);
    const since3 = new Date();
    expect(await sync(since3)).toMatchObject({ update: [], remove: [] });
    expect((await sync()).update).toEqual(['alpha']);
  });

  it('answers Rocket.Chat errors: 401 when not logged in, 400 for a bad updatedSince', async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'me', { password: PASSWORD });
    const other = await createTestApp(database.db);
    await createUser(database.db, other.appId, 'me', { password: PASSWORD });
    const headers = await rocketchatLogin(client, app.appId, 'me', PASSWORD);
    const otherHeaders = await rocketchatLogin(client, other.appId, 'me', PASSWORD);
    const notLoggedIn = { status: 'error', message: 'You must be logged in to do this.' };
    for (const h of [
      {},
      { 'X-User-Id': 'me' },
      { 'X-User-Id': 'me', 'X-Auth-Token': 'lt_wrong' },
      { 'X-User-Id': 'someone-else', 'X-Auth-Token': headers['X-Auth-Token']! },
      { 'IM-CLIENT-KEY': app.clientKey, 'IM-Authorization': await app.tokenFor('me') },
    ]) {
      const { status, body } = await client.json('/api/v1/rooms.get', { headers: h });
      // error: MISSING_CREDENTIALS or INVALID_TOKEN (test/rest/missing-credentials.test.ts)
      expect([status, body], JSON.stringify(h)).toEqual([401, { ...notLoggedIn, error: expect.any(String) }]);
    }
    // Same user id in another app: its token is that app's, and sees only that app's rooms.
    await createRoom(app.as('me'), { roomId: 'app-a-room', roomType: 'group', memberIds: [] });
    const otherRooms = await client.json<Body>('/api/v1/rooms.get', { headers: otherHeaders });
    expect(otherRooms.body.update).toEqual([]);

    for (const bad of ['yesterday', '2023-02-30T10:00:00Zx', 'abc123']) {
      const { status, body } = await client.json(`/api/v1/rooms.get?updatedSince=${bad}`, { headers });
      expect(status).toBe(400);
      expect(body).toEqual({
        success: false,
        error: 'The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]',
        errorType: 'error-updatedSince-param-invalid',
      });
    }
  });
});
