import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { setMemberRole, removeMember } from '../../../src/domain/rooms/membership.service.js';
import { updateRoom, createRoom, deleteRoom } from '../../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../../src/domain/rooms/read-state.service.js';
import { updateRoomPref } from '../../../src/domain/rooms/pref.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
import { rocketchatLogin } from '../support/logins.js';
import { createRestClient, type RestClient } from '../support/rest-client.js';
import { expectSameShape } from '../support/shape.js';

/*
 * Rocket.Chat GET /api/v1/subscriptions.get: where its clients read unread counts,
 * alerts, favorites and last-seen times. Field for field against Rocket.Chat's own
 * documents, full and incremental syncs, errors and tenant isolation.
 */

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

/**
 * Rocket.Chat's documented answer (developer.rocket.chat, "Get All Subscriptions"), with
 * `ls` and `roles` as its realtime subscriptions/get example shows them. The document's
 * `fname` is null there ("string | null" in its schema): a string here.
 */
const EXAMPLE = {
  update: [
    {
      t: 'c',
      ts: '2017-11-25T15:08:17.249Z',
      name: 'general',
      fname: 'general',
      rid: 'GENERAL',
      u: { _id: 'EoyAmF4mxx5HxJHJB', username: 'rocket.cat', name: 'Rocket Cat' },
      open: true,
      alert: true,
      unread: 1,
      userMentions: 1,
      groupMentions: 0,
      _updatedAt: '2017-11-25T15:08:17.249Z',
      _id: '5ALsG3QhpJfdMpyc8',
      ls: '2017-11-25T15:08:17.249Z',
      roles: ['owner'],
    },
  ],
  remove: [],
  success: true,
};

async function get(headers: Record<string, string>, since?: Date | string) {
  const query =
    since === undefined
      ? ''
      : `?updatedSince=${encodeURIComponent(typeof since === 'string' ? since : since.toISOString())}`;
  return client.json<Body>(`/api/v1/subscriptions.get${query}`, { headers });
}

function byRoom(body: Body): Map<string, Body> {
  return new Map((body.update as Body[]).map((s) => [s.rid, s]));
}

describe('Rocket.Chat GET /api/v1/subscriptions.get', () => {
  it('answers the documented shape with unread, alert, open, f, ls, lr and roles', async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'me', {
      username: 'me.user',
      nickname: 'Me Myself',
      password: PASSWORD,
    });
    await createUser(database.db, app.appId, 'cat', { username: 'rocket.cat', nickname: 'Rocket Cat' });
    await createRoom(app.as('me'), {
      roomId: 'GENERAL',
      name: 'general',
      roomType: 'group',
      visibility: 'public',
      memberIds: ['cat'],
    });
    const mine = await sendMessage(app.as('me'), { roomId: 'GENERAL', body: 'hello all' });
    const news = await sendMessage(app.as('cat'), { roomId: 'GENERAL', body: 'news' });
    await updateRoomPref(app.as('me'), 'GENERAL', { sticky: true, muted: true });
    await createRoom(app.as('cat'), { roomId: 'dm', roomType: 'direct', memberIds: ['me'] });
    await sendMessage(app.as('cat'), { roomId: 'dm', body: 'psst' });
    await createRoom(app.as('cat'), { roomId: 'team', name: 'Team', roomType: 'group', memberIds: ['me'] });
    await setMemberRole(app.as('cat'), 'team', 'me', 'moderator');
    await updateRoomPref(app.as('me'), 'team', { hidden: true });
    await createRoom(app.as('cat'), {
      roomId: 'thread',
      name: 'Discussion',
      roomType: 'group',
      parentId: 'GENERAL',
      memberIds: ['me'],
    });
    await updateRoom(app.as('cat'), 'thread', { archived: true });

    const headers = await rocketchatLogin(client, app.appId, 'me.user', PASSWORD);
    const { status, body } = await get(headers);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['remove', 'success', 'update']);
    expect([body.success, body.remove]).toEqual([true, []]);
    const subs = byRoom(body);
    expect([...subs.keys()].sort()).toEqual(['GENERAL', 'dm', 'team', 'thread']);

    const general = subs.get('GENERAL') as Body;
    expectSameShape({ ...body, update: [general] }, EXAMPLE);
    expect(general).toMatchObject({
      rid: 'GENERAL',
      t: 'c',
      name: 'general',
      fname: 'general',
      u: { _id: 'me', username: 'me.user', name: 'Me Myself' },
      open: true,
      alert: true,
      unread: 1,
      userMentions: 0,
      groupMentions: 0,
      f: true,
      roles: ['owner'],
      disableNotifications: true,
      // my own message is the last I read: it is also my last reply; the news after it is unread
      ls: mine.messageTime.toISOString(),
      lr: mine.messageTime.toISOString(),
    });
    expect(Date.parse(general.ls)).toBeLessThan(news.messageTime.getTime());
    expect(general._id).toMatch(/^[23456789A-HJ-NP-TW-Za-km-z]{17}$/);

    const dm = subs.get('dm') as Body;
    expect(dm).toMatchObject({ t: 'd', name: 'rocket.cat', fname: 'Rocket Cat', unread: 1, alert: true });
    expect(dm).not.toHaveProperty('lr'); // I never wrote there
    expect(dm.roles).toEqual([]);
    const team = subs.get('team') as Body;
    expect(team).toMatchObject({ t: 'p', name: 'Team', roles: ['moderator'], open: false, unread: 0 });
    expect([team.alert, team.f, team.disableNotifications]).toEqual([false, false, false]);
    expect(Date.parse(team.ls)).toBe(Date.parse(team.ts)); // nothing read since joining
    const thread = subs.get('thread') as Body;
    expect(thread).toMatchObject({ prid: 'GENERAL', archived: true, open: false });

    // Ids are stable and distinct; a second call answers the same.
    expect(new Set(body.update.map((s: Body) => s._id)).size).toBe(4);
    expect((await get(headers)).body).toEqual(body);
  });

  it('syncs incrementally: new messages, reads, prefs and roles in update; leaves and deletes in remove', async () => {
    const app = await createTestApp(database.db);
    for (const id of ['me', 'owner']) await createUser(database.db, app.appId, id, { password: PASSWORD });
    for (const roomId of ['alpha', 'beta', 'quiet'])
      await createRoom(app.as('owner'), { roomId, roomType: 'group', memberIds: ['me'] });
    await createRoom(app.as('owner'), { roomId: 'not-mine', roomType: 'group', memberIds: [] });
    const headers = await rocketchatLogin(client, app.appId, 'me', PASSWORD);

    const full = (await get(headers)).body;
    expect([...byRoom(full).keys()].sort()).toEqual(['alpha', 'beta', 'quiet']);
    const ids = new Map([...byRoom(full)].map(([rid, s]) => [rid, s._id as string]));

    const mark = async () => {
      await sleep(5);
      const at = new Date();
      await sleep(5);
      return at;
    };

    const since1 = await mark();
    await createRoom(app.as('owner'), { roomId: 'gamma', roomType: 'group', memberIds: ['me'] });
    await sendMessage(app.as('owner'), { roomId: 'alpha', body: 'one' });
    await sendMessage(app.as('owner'), { roomId: 'alpha', body: 'two' });
    const step1 = (await get(headers, since1)).body;
    expect([...byRoom(step1).keys()].sort()).toEqual(['alpha', 'gamma']);
    expect(step1.remove).toEqual([]);
    expect(byRoom(step1).get('alpha')).toMatchObject({ _id: ids.get('alpha'), unread: 2, alert: true });
    for (const s of step1.update) expect(Date.parse(s._updatedAt)).toBeGreaterThan(since1.getTime());

    const since2 = await mark();
    await markRoomRead(app.as('me'), 'alpha');
    await updateRoomPref(app.as('me'), 'beta', { sticky: true });
    await setMemberRole(app.as('owner'), 'quiet', 'me', 'moderator');
    const step2 = (await get(headers, since2)).body;
    const changed = byRoom(step2);
    expect([...changed.keys()].sort()).toEqual(['alpha', 'beta', 'quiet']);
    expect(changed.get('alpha')).toMatchObject({ unread: 0, alert: false });
    expect(Date.parse(changed.get('alpha')?.ls)).toBeGreaterThan(since1.getTime());
    expect(changed.get('beta')).toMatchObject({ f: true });
    expect(changed.get('quiet')).toMatchObject({ roles: ['moderator'] });

    const since3 = await mark();
    await removeMember(app.as('me'), 'beta', 'me');
    await deleteRoom(app.as('owner'), 'gamma');
    const step3 = (await get(headers, since3)).body;
    expect(step3.update).toEqual([]);
    const gammaId = byRoom(step1).get('gamma')?._id;
    expect(step3.remove.map((r: Body) => r._id).sort()).toEqual([ids.get('beta'), gammaId].sort());
    for (const removed of step3.remove) {
      expect(Object.keys(removed).sort()).toEqual(['_deletedAt', '_id']);
      expect(Date.parse(removed._deletedAt)).toBeGreaterThan(since3.getTime());
    }

    const since4 = await mark();
    expect((await get(headers, since4)).body).toEqual({ update: [], remove: [], success: true });
    // Epoch milliseconds work too.
    expect((await get(headers, String(since4.getTime()))).status).toBe(200);
    expect([...byRoom((await get(headers)).body).keys()].sort()).toEqual(['alpha', 'quiet']);
  });

  it("answers Rocket.Chat's errors: 401 when not logged in, its own words for a bad updatedSince", async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'me', { password: PASSWORD });
    const headers = await rocketchatLogin(client, app.appId, 'me', PASSWORD);
    const notLoggedIn = { status: 'error', message: 'You must be logged in to do this.' };
    for (const h of [
      {},
      { 'X-User-Id': 'me' },
      { 'X-User-Id': 'me', 'X-Auth-Token': 'lt_wrong' },
      { 'X-User-Id': 'not-me', 'X-Auth-Token': headers['X-Auth-Token'] as string },
      { authorization: `Bearer ${await app.tokenFor('me')}` },
    ]) {
      const { status, body } = await get(h);
      // error: MISSING_CREDENTIALS or INVALID_TOKEN (test/rest/missing-credentials.test.ts)
      expect([status, body], JSON.stringify(h)).toEqual([401, { ...notLoggedIn, error: expect.any(String) }]);
    }
    for (const bad of ['yesterday', '2023-02-30T10:00:00Zx', '1.5']) {
      const { status, body } = await get(headers, bad);
      expect([status, body]).toEqual([
        400,
        {
          success: false,
          error: 'The "lastUpdate" query parameter must be a valid date. [error-roomId-param-invalid]',
          errorType: 'error-roomId-param-invalid',
        },
      ]);
    }
  });

  it("keeps apps apart: the same user id in another app sees only that app's subscriptions", async () => {
    const a = await createTestApp(database.db);
    const b = await createTestApp(database.db);
    for (const app of [a, b]) await createUser(database.db, app.appId, 'me', { password: PASSWORD });
    await createRoom(a.as('me'), { roomId: 'a-room', roomType: 'group', memberIds: [] });
    await createRoom(b.as('me'), { roomId: 'b-room', roomType: 'group', memberIds: [] });
    const inA = await rocketchatLogin(client, a.appId, 'me', PASSWORD);
    const inB = await rocketchatLogin(client, b.appId, 'me', PASSWORD);
    expect((await get(inA)).body.update.map((s: Body) => s.rid)).toEqual(['a-room']);
    expect((await get(inB)).body.update.map((s: Body) => s.rid)).toEqual(['b-room']);
    expect((await get(inB, new Date(0))).body.update.map((s: Body) => s.rid)).toEqual(['b-room']);
  });
});
