import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { createRoom } from '../../../src/domain/rooms/room.service.js';
import { updateRoomPref } from '../../../src/domain/rooms/pref.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
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

describe('IMKit GET /rooms', () => {
  it('answers the documented example field for field', async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'sss', {
      nickname: 'Elsa',
      avatarUrl: 'https://example.com/avatar.jpg',
    });
    const elsa = app.as('sss');
    await createRoom(elsa, {
      roomId: 'demo-room',
      roomType: 'group',
      name: 'Demo Demo',
      cover: 'http://loremflickr.com/240/240/style?demo',
      description: 'public demo room',
      webhook: 'meet-taipei-intro',
      botState: 'CONTACT',
      roomTags: ['demo', 'foo', 'bar'],
      memberIds: [],
    });
    await sendMessage(app.as('sss'), { roomId: 'demo-room', body: 'Hello SIKTMLNP 11:01:07' });
    await updateRoomPref(app.as('sss'), 'demo-room', {
      tags: ['demo', 'sample'],
      tagColors: { demo: '#f2d700', sample: '#ffa01a' },
      folder: 'Some-Folder',
    });
    const token = await app.tokenFor('sss');

    const { status, body } = await client.json<Body>(
      '/rooms?skip=0&limit=20&sort=-lastMessage&updatedAfter=2020-10-15T03:28:54Z',
      { headers: imkitHeaders(app.clientKey, token, 'sss') },
    );

    expect(status).toBe(200);
    expectSameShape(body, fixture('imkit-rooms.json'));
    const room = body.result.data[0];
    expect(body.result.totalCount).toBe(1);
    expect(room).toMatchObject({
      _id: 'demo-room',
      id: 'demo-room',
      name: 'Demo Demo',
      roomType: 'group',
      webhook: 'meet-taipei-intro',
      botState: 'CONTACT',
      roomTags: ['demo', 'foo', 'bar'],
      status: 1,
      unread: 0,
      muted: false,
      pref: {
        tags: ['demo', 'sample'],
        tagColors: { demo: '#f2d700', sample: '#ffa01a' },
        hidden: false,
        sticky: false,
        muted: false,
        folder: 'Some-Folder',
      },
      members: [
        {
          _id: 'sss',
          id: 'sss',
          nickname: 'Elsa',
          avatarUrl: 'https://example.com/avatar.jpg',
          isRobot: false,
        },
      ],
    });
    expect(room.lastMessage).toMatchObject({
      message: 'Hello SIKTMLNP 11:01:07',
      room: 'demo-room',
      messageType: 'text',
      appID: app.appId,
      sender: { _id: 'sss', nickname: 'Elsa' },
      reactionCount: 0,
    });
    expect(room.lastMessage._id).toMatch(/^[0-9a-f]{24}$/);
    expect(room.lastMessage.messageTimeMS).toBe(Date.parse(room.lastMessage.messageTime));
    expect(body.result.inspect.query).toMatchObject({ appID: app.appId, members: 'sss', status: 1 });
    expect(body.result.inspect.query.$or[1]).toEqual({ createdTime: { $gt: '2020-10-15T03:28:54.000Z' } });
  });

  describe('sorting, paging and filters', () => {
    let headers: Record<string, string>;
    const t = (minutes: number) => new Date(Date.UTC(2024, 0, 1, 0, minutes));

    beforeAll(async () => {
      const app = await createTestApp(database.db, ['me', 'other']);
      for (const [i, roomId] of ['r1', 'r2', 'r3', 'r4'].entries()) {
        await createRoom(app.as('me', t(i)), {
          roomId,
          name: `Room ${roomId}`,
          roomType: 'group',
          memberIds: ['other'],
          createdAt: t(i),
        });
      }
      await sendMessage(app.as('other', t(10)), { roomId: 'r1', body: 'unread for me' });
      await sendMessage(app.as('me', t(20)), { roomId: 'r3', body: 'mine' });
      await updateRoomPref(app.as('me'), 'r2', { tags: ['work', 'x'], folder: 'Work', sticky: true });
      await updateRoomPref(app.as('me'), 'r4', { tags: ['home'], hidden: true });
      headers = imkitHeaders(app.clientKey, await app.tokenFor('me'));
    });

    async function ids(query: string): Promise<{ ids: string[]; totalCount: number }> {
      const { status, body } = await client.json<Body>(`/rooms${query}`, { headers });
      expect(status, JSON.stringify(body)).toBe(200);
      return { ids: body.result.data.map((r: Body) => r._id), totalCount: body.result.totalCount };
    }

    it('sorts by the documented fields, "-" for descending, several combined', async () => {
      expect((await ids('')).ids).toEqual(['r3', 'r1', 'r4', 'r2']); // default: last activity, newest first
      expect((await ids('?sort=-lastMessage')).ids).toEqual(['r3', 'r1', 'r4', 'r2']);
      expect((await ids('?sort=createdTime')).ids).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect((await ids('?sort=-createdTime')).ids).toEqual(['r4', 'r3', 'r2', 'r1']);
      expect((await ids(`?sort=${encodeURIComponent('-lastMessage -createdTime')}`)).ids).toEqual([
        'r3',
        'r1',
        'r4',
        'r2',
      ]);
      expect((await ids('?sort=-unread+createdTime')).ids).toEqual(['r1', 'r2', 'r3', 'r4']);
    });

    it('pages with skip and limit (0 = no limit) and counts every match', async () => {
      expect(await ids('?skip=1&limit=2')).toEqual({ ids: ['r1', 'r4'], totalCount: 4 });
      expect(await ids('?skip=3&limit=0')).toEqual({ ids: ['r2'], totalCount: 4 });
      expect(await ids('?skip=10')).toEqual({ ids: [], totalCount: 4 });
    });

    it('puts rooms with unread messages first when sortUnreadFirst is non-zero', async () => {
      expect((await ids('?sort=createdTime&sortUnreadFirst=1')).ids).toEqual(['r1', 'r2', 'r3', 'r4']);
      expect((await ids('?sort=-createdTime&sortUnreadFirst=1')).ids).toEqual(['r1', 'r4', 'r3', 'r2']);
      expect((await ids('?sort=-createdTime&sortUnreadFirst=0')).ids).toEqual(['r4', 'r3', 'r2', 'r1']);
    });

    it('filters by the user prefs given as JSON', async () => {
      const pref = (value: unknown) => `?pref=${encodeURIComponent(JSON.stringify(value))}`;
      expect(await ids(pref({ tags: 'work' }))).toEqual({ ids: ['r2'], totalCount: 1 });
      expect((await ids(pref({ tags: ['home', 'work'] }))).ids).toEqual(['r4', 'r2']);
      expect((await ids(pref({ folder: 'Work' }))).ids).toEqual(['r2']);
      expect((await ids(pref({ hidden: true }))).ids).toEqual(['r4']);
      expect((await ids(pref({ hidden: false, sticky: false }))).ids).toEqual(['r3', 'r1']);
    });

    it('returns the rooms with a message or created after updatedAfter, ISO-8601 or epoch ms', async () => {
      expect((await ids(`?updatedAfter=${t(5).toISOString()}`)).ids).toEqual(['r3', 'r1']);
      expect(await ids(`?updatedAfter=${t(5).getTime()}`)).toEqual({ ids: ['r3', 'r1'], totalCount: 2 });
      expect((await ids(`?updatedAfter=${t(2).getTime()}`)).ids).toEqual(['r3', 'r1', 'r4']);
      expect((await ids(`?updatedAfter=${t(30).getTime()}`)).ids).toEqual([]);
    });

    it('answers unread, muted and pref per room for the viewer', async () => {
      const { body } = await client.json<Body>('/rooms?sort=createdTime', { headers });
      const [r1, r2] = body.result.data;
      expect(r1.unread).toBe(1);
      expect(r1.lastMessage.message).toBe('unread for me');
      expect(r1.members.map((m: Body) => m._id)).toEqual(['me', 'other']);
      expect(r2.unread).toBe(0);
      expect(r2.lastMessage).toBeUndefined();
      expect(r2.pref).toEqual({
        tags: ['work', 'x'],
        tagColors: {},
        hidden: false,
        sticky: true,
        muted: false,
        folder: 'Work',
      });
      expect(body.result.data[2].pref).not.toHaveProperty('folder');
    });

    it.each([
      ['sort=bogus', 'sort'],
      ['sort=-lastMessage%20-nope', 'sort'],
      ['sort=name%20name', 'sort'],
      ['skip=-1', 'skip'],
      ['skip=abc', 'skip'],
      ['limit=-5', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=ten', 'limit'],
      ['updatedAfter=yesterday', 'updatedAfter'],
      ['updatedAfter=2020-13-45T99:00:00Z', 'updatedAfter'],
      ['pref=%7Bbroken', 'pref'],
      ['pref=%5B1%2C2%5D', 'pref'],
      ['pref=%7B%22tags%22%3A1%7D', 'pref'],
      ['pref=%7B%22colour%22%3A%22red%22%7D', 'pref'],
      ['pref=%7B%22hidden%22%3A%22yes%22%7D', 'pref'],
      ['sortUnreadFirst=yes', 'sortUnreadFirst'],
    ])('rejects %s with a 400 naming the parameter', async (query, param) => {
      const { status, body } = await client.json<Body>(`/rooms?${query}`, { headers });
      expect(status).toBe(400);
      expect(body).toEqual({
        RC: 400,
        RM: 'Bad Request',
        error: { code: 'INVALID_PARAMETER', message: expect.any(String) },
      });
      expect(body.error.message).toContain(param);
    });
  });

  describe('authentication', () => {
    it('answers the documented 401 for wrong or mismatched credentials, MISSING_CREDENTIALS for none', async () => {
      const documented = fixture('imkit-messages-401.json');
      const app = await createTestApp(database.db, ['u1', 'u2']);
      const other = await createTestApp(database.db, ['u1']);
      const token = await app.tokenFor('u1');
      const none: Record<string, string>[] = [
        {},
        { 'IM-CLIENT-KEY': app.clientKey },
        { 'X-User-Id': 'u1', 'X-Auth-Token': token },
      ];
      for (const headers of none) {
        const { status, body } = await client.json<Body>('/rooms', { headers });
        expect(status, JSON.stringify(headers)).toBe(401);
        expectSameShape(body, documented);
        expect(body).toMatchObject({ RC: 401, RM: 'Unauthorized', error: { code: 'MISSING_CREDENTIALS' } });
      }
      const cases: Record<string, string>[] = [
        imkitHeaders(app.clientKey, 'ct_not-a-real-token'),
        imkitHeaders('ck_wrong', token),
        imkitHeaders(other.clientKey, token),
        imkitHeaders(other.clientKey, await other.tokenFor('u1'), 'u2'),
      ];
      for (const headers of cases) {
        const { status, body } = await client.json<Body>('/rooms', { headers });
        expect(status, JSON.stringify(headers)).toBe(401);
        expectSameShape(body, documented);
        expect(body).toMatchObject({ RC: 401, RM: 'Unauthorized', error: { code: 'INVALID_TOKEN' } });
      }
      const wrongToken = await client.json<Body>('/rooms', {
        headers: imkitHeaders(app.clientKey, 'ct_nope'),
      });
      expect(wrongToken.body).toEqual(documented);
    });

    it('accepts the token as Authorization (Bearer or bare) as well as IM-Authorization', async () => {
      const app = await createTestApp(database.db, ['u1']);
      const token = await app.tokenFor('u1');
      for (const authorization of [token, `Bearer ${token}`]) {
        const { status } = await client.json('/rooms', {
          headers: { 'IM-CLIENT-KEY': app.clientKey, Authorization: authorization },
        });
        expect(status).toBe(200);
      }
    });

    it("never shows one app's rooms to another app's key and tokens, even for the same ids", async () => {
      const a = await createTestApp(database.db, ['sss']);
      const b = await createTestApp(database.db, ['sss']);
      await createRoom(a.as('sss'), {
        roomId: 'demo-room',
        name: 'A secret',
        roomType: 'group',
        memberIds: [],
      });
      await createRoom(a.as('sss'), {
        roomId: 'only-in-a',
        name: 'A only',
        roomType: 'group',
        memberIds: [],
      });
      await createRoom(b.as('sss'), {
        roomId: 'demo-room',
        name: 'B room',
        roomType: 'group',
        memberIds: [],
      });
      const asB = imkitHeaders(b.clientKey, await b.tokenFor('sss'));
      const list = await client.json<Body>('/rooms', { headers: asB });
      expect(list.body.result.data.map((r: Body) => [r._id, r.name])).toEqual([['demo-room', 'B room']]);
      expect((await client.json('/rooms/only-in-a', { headers: asB })).status).toBe(404);
      expect((await client.json<Body>('/rooms/demo-room', { headers: asB })).body.result.description).toBe(
        '',
      );
      const apiKeyOfB = { 'IM-API-KEY': b.apiKey };
      expect((await client.json('/rooms/only-in-a', { headers: apiKeyOfB })).status).toBe(404);
    });
  });

  it('answers 405 in its shape for a wrong method', async () => {
    const response = await client.fetch('/rooms', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.json()).toMatchObject({ RC: 405, error: { code: 'METHOD_NOT_ALLOWED' } });
  });
});
