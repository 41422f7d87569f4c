import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteMessage,
  editMessage,
  setReaction,
} from '../../../src/domain/messages/message-edit.service.js';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { createRoom } from '../../../src/domain/rooms/room.service.js';
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

const t = (seconds: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, seconds));

describe('IMKit GET /rooms/{id}/messages/v3', () => {
  it('answers the documented example field for field', async () => {
    const app = await createTestApp(database.db, ['viewer']);
    await createUser(database.db, app.appId, 'sss', {
      nickname: 'Elsa',
      description: 'description la la #1583637224106',
      avatarUrl: 'https://lumiere-a.akamaihd.net/v1/images/f_frozen2_header_mobile_18432_d258f93f.jpeg',
    });
    await createRoom(app.as('sss'), { roomId: 'demo-room', roomType: 'group', memberIds: ['viewer'] });
    const sent = await sendMessage(app.as('sss'), {
      roomId: 'demo-room',
      body: 'Helloこんにちは SIKTMLNP 11:01:07',
    });
    await deleteMessage(app.as('sss'), sent.id, 'FOR_EVERYONE');
    await deleteMessage(app.as('viewer'), sent.id, 'FOR_ME');

    const { status, body } = await client.json<Body>(
      '/rooms/demo-room/messages/v3?limit=50&afterTime=2020-10-15T03:50:04Z&timeRangeField=messageTime',
      {
        headers: imkitHeaders(app.clientKey, await app.tokenFor('viewer')),
      },
    );
    expect(status).toBe(200);
    expectSameShape(body, fixture('imkit-messages.json'));
    expect(body.result.totalCount).toBe(1);
    expect(body.result.userDeletedIDs).toEqual([sent.id]);
    expect(body.result.data[0]).toMatchObject({
      _id: sent.id,
      id: sent.id,
      room: 'demo-room',
      messageType: 'text',
      isDeleted: true,
      reactions: [],
      reactionCount: 0,
      sender: { _id: 'sss', id: 'sss', nickname: 'Elsa', description: 'description la la #1583637224106' },
    });
    expect(body.result.inspect.query).toEqual({
      appID: app.appId,
      room: 'demo-room',
      messageTime: { $gt: '2020-10-15T03:50:04.000Z' },
    });
  });

  describe('paging and order', () => {
    let app: TestApp;
    let headers: Record<string, string>;
    let ids: string[];

    beforeAll(async () => {
      app = await createTestApp(database.db, ['a', 'b']);
      await createRoom(app.as('a', t(0)), {
        roomId: 'history',
        roomType: 'group',
        memberIds: ['b'],
        createdAt: t(0),
      });
      ids = [];
      for (let i = 1; i <= 45; i++) {
        const sender = i % 2 === 0 ? 'a' : 'b';
        ids.push((await sendMessage(app.as(sender, t(i)), { roomId: 'history', body: `m${i}` })).id);
      }
      headers = imkitHeaders(app.clientKey, await app.tokenFor('a'));
    });

    async function page(query: string): Promise<Body> {
      const { status, body } = await client.json<Body>(`/rooms/history/messages/v3?${query}`, { headers });
      expect(status, JSON.stringify(body)).toBe(200);
      return body.result;
    }

    it('answers the newest 20 by default, in ascending order, with the total', async () => {
      const result = await page('');
      expect(result.data.map((m: Body) => m.message)).toEqual(ids.slice(25).map((_, i) => `m${26 + i}`));
      expect(result.totalCount).toBe(45);
    });

    it('pages back with beforeMessage without gaps or repeats', async () => {
      const seen: string[] = [];
      let result = await page('limit=10');
      seen.unshift(...result.data.map((m: Body) => m._id));
      while (result.data.length > 0) {
        result = await page(`limit=10&beforeMessage=${result.data[0]._id}`);
        seen.unshift(...result.data.map((m: Body) => m._id));
      }
      expect(seen).toEqual(ids);
    });

    it('pages forward with afterMessage without gaps or repeats', async () => {
      const seen: string[] = [];
      let after = ids[0]!;
      seen.push(after);
      for (;;) {
        const result = await page(`limit=7&afterMessage=${after}`);
        if (result.data.length === 0) break;
        seen.push(...result.data.map((m: Body) => m._id));
        after = result.data.at(-1)._id;
      }
      expect(seen).toEqual(ids);
    });

    it('filters with afterTime (ISO or epoch ms) on the timeRangeField and pages forward from it', async () => {
      const iso = await page(`afterTime=${t(40).toISOString()}&timeRangeField=messageTime`);
      expect(iso.data.map((m: Body) => m.message)).toEqual(['m41', 'm42', 'm43', 'm44', 'm45']);
      const ms = await page(`afterTime=${t(40).getTime()}&timeRangeField=createdAt&limit=2`);
      expect(ms.data.map((m: Body) => m.message)).toEqual(['m41', 'm42']);
      expect(ms.totalCount).toBe(45);
    });

    it('orders by updatedAt: an edited or reacted message comes again at the end (the v3 sync order)', async () => {
      const own = await createTestApp(database.db, ['a', 'b']);
      await createRoom(own.as('a', t(0)), {
        roomId: 'sync',
        roomType: 'group',
        memberIds: ['b'],
        createdAt: t(0),
      });
      const first = await sendMessage(own.as('a', t(1)), { roomId: 'sync', body: 'first' });
      await sendMessage(own.as('a', t(2)), { roomId: 'sync', body: 'second' });
      await editMessage(own.as('a', t(3)), first.id, { body: 'first, edited' });
      await setReaction(own.as('b', t(4)), first.id, '👍', true);
      const ownHeaders = imkitHeaders(own.clientKey, await own.tokenFor('b'));
      const { body } = await client.json<Body>('/rooms/sync/messages/v3', { headers: ownHeaders });
      expect(body.result.data.map((m: Body) => m.message)).toEqual(['second', 'first, edited']);
      expect(body.result.data[1]).toMatchObject({
        reactionCount: 1,
        reactions: [{ key: '👍', count: 1, clients: ['b'] }],
      });
      const byTime = await client.json<Body>('/rooms/sync/messages/v3?timeRangeField=messageTime', {
        headers: ownHeaders,
      });
      expect(byTime.body.result.data.map((m: Body) => m.message)).toEqual(['first, edited', 'second']);

      // beforeMessage finds its message's place in the order asked for.
      const beforeFirst = (query: string) =>
        client.json<Body>(`/rooms/sync/messages/v3?beforeMessage=${first.id}${query}`, {
          headers: ownHeaders,
        });
      expect((await beforeFirst('')).body.result.data.map((m: Body) => m.message)).toEqual(['second']);
      const oldest = await beforeFirst('&timeRangeField=messageTime');
      expect([oldest.status, oldest.body.result.data]).toEqual([200, []]);

      // A message of another room is no place in this one.
      await createRoom(own.as('a', t(5)), { roomId: 'elsewhere', roomType: 'group', memberIds: ['b'] });
      const elsewhere = await sendMessage(own.as('a', t(6)), { roomId: 'elsewhere', body: 'there' });
      for (const param of ['beforeMessage', 'afterMessage']) {
        const { status, body } = await client.json<Body>(`/rooms/sync/messages/v3?${param}=${elsewhere.id}`, {
          headers: ownHeaders,
        });
        expect([status, body.error?.code], param).toEqual([400, 'MESSAGE_NOT_FOUND']);
        expect(body.error.message).toContain(elsewhere.id);
      }
    });

    it.each([
      ['limit=-1', 'limit'],
      ['limit=abc', 'limit'],
      ['afterTime=not-a-time', 'afterTime'],
      ['timeRangeField=sentAt', 'timeRangeField'],
      ['beforeMessage=xyz', 'beforeMessage'],
      ['afterMessage=5f890cf37d980e06f6aaf34', 'afterMessage'],
      ['beforeMessage=5f890cf37d980e06f6aaf349&afterMessage=5f890cf37d980e06f6aaf349', 'afterMessage'],
    ])('rejects %s with a 400 naming the parameter', async (query, param) => {
      const { status, body } = await client.json<Body>(`/rooms/history/messages/v3?${query}`, { headers });
      expect(status).toBe(400);
      expect(body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_PARAMETER' } });
      expect(body.error.message).toContain(param);
    });

    it('rejects a beforeMessage that is not in the room', async () => {
      const { status, body } = await client.json<Body>(
        '/rooms/history/messages/v3?beforeMessage=5f890cf37d980e06f6aaf349',
        {
          headers,
        },
      );
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    });

    it('clamps a limit above the maximum', async () => {
      expect((await page('limit=5000')).data).toHaveLength(45);
    });
  });

  it('answers the documented 401, 403 and 404 bodies', async () => {
    const app = await createTestApp(database.db, ['a', 'b', 'outsider']);
    await createRoom(app.as('a'), { roomId: 'private', roomType: 'group', memberIds: ['b'] });
    const noToken = await client.json<Body>('/rooms/private/messages/v3', {
      headers: imkitHeaders(app.clientKey, 'ct_expired-or-invalid'),
    });
    expect([noToken.status, noToken.body]).toEqual([401, fixture('imkit-messages-401.json')]);
    const outsider = await client.json<Body>('/rooms/private/messages/v3', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('outsider')),
    });
    expect([outsider.status, outsider.body]).toEqual([403, fixture('imkit-messages-403.json')]);
    const missing = await client.json<Body>('/rooms/nowhere/messages/v3', {
      headers: imkitHeaders(app.clientKey, await app.tokenFor('a')),
    });
    expect([missing.status, missing.body]).toEqual([404, fixture('imkit-messages-404.json')]);
  });
});
