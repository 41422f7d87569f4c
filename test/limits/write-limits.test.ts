import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { apiKey, bearer } from '../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { rocketchatLogin } from '../rest/support/logins.js';
import { imkitHeaders, type RestClient } from '../rest/support/rest-client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * Write rate limits, over HTTP through the app's fetch handler: GraphQL mutations and
 * the REST dialects' writes count against one budget per user (and one per app), a
 * refused write is a 429 / RATE_LIMITED with Retry-After and does nothing, and the
 * budget comes back as time passes. Time moves with a fake Date (rate-limiter-flexible
 * reads Date.now()), never by sleeping.
 *
 * The rules here are slow ones (1 per 60 s steady), so the library's own expiry timers
 * (real time) cannot reset a window while a test runs.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());
afterEach(() => {
  vi.useRealTimers();
});

const PASSWORD = 'correct horse battery';

/** 5 per 300 s spread (1 per 60 s) plus a burst of 3: 4 sends at once, then one a minute. */
const SEND_RULE = 'sendMessage=5/300s+3';

function appWith(env: Record<string, string>): InProcessApp {
  return createInProcessApp(database.db, { env });
}

const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { __typename ... on SendMessagePayload { chatMessage { messageId } } }
}`;

async function world(h: InProcessApp) {
  const app = await createTestApp(database.db, ['alice', 'bob']);
  await createUser(database.db, app.appId, 'carol', { password: PASSWORD });
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: ['bob', 'carol'] });
  const alice = bearer(await app.tokenFor('alice'));
  const send = (headers: Record<string, string>, text = 'hi', extra: Record<string, unknown> = {}) =>
    h.request<{ sendMessage: { __typename: string } | null }>(SEND, {
      variables: { input: { roomId: 'talk', message: text, ...extra } },
      headers,
    });
  const count = async () =>
    Number(
      (
        await database.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('app_id', '=', app.appId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { app, alice, send, count };
}

function restClient(h: InProcessApp): RestClient {
  const client: RestClient = {
    config: loadConfig({ DATA_DIR: ':memory:' }),
    fetch: (path, init = {}) => h.fetch(new Request(new URL(path, 'http://chat-bff.test'), init)),
    async json(path, init) {
      const response = await client.fetch(path, init);
      return { status: response.status, body: JSON.parse(await response.text()), response };
    },
  };
  return client;
}

function imkitSend(h: InProcessApp, app: TestApp, token: string, text: string) {
  return h.fetch(
    new Request('http://chat-bff.test/rooms/talk/message', {
      method: 'POST',
      headers: { ...imkitHeaders(app.clientKey, token), 'content-type': 'application/json' },
      body: JSON.stringify({ message: text, messageType: 'text' }),
    }),
  );
}

describe('sendMessage over GraphQL', () => {
  test('a burst, then RATE_LIMITED (HTTP 429, Retry-After, nothing sent); time passing gives the budget back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-03T12:00:00Z');
    vi.setSystemTime(start);
    const h = appWith({ RATE_LIMITS: SEND_RULE });
    const w = await world(h);

    for (let i = 0; i < 4; i += 1) {
      const ok = await w.send(w.alice, `m${i}`);
      expect(ok.status).toBe(200);
      expect(ok.body.data?.sendMessage?.__typename).toBe('SendMessagePayload');
    }
    const before = await w.count();
    const refused = await w.send(w.alice, 'one too many');
    expect(refused.status).toBe(429);
    expect(refused.body.data?.sendMessage ?? null).toBeNull();
    const error = refused.body.errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 60,
      rateLimit: { policy: 'sendMessage', limit: 5, window: 300 },
    });
    expect(await w.count()).toBe(before);

    // Other users have budgets of their own.
    const bob = await w.send(bearer(await w.app.tokenFor('bob')), 'bob too');
    expect(bob.body.data?.sendMessage?.__typename).toBe('SendMessagePayload');

    vi.setSystemTime(new Date(start.getTime() + 59_000));
    expect((await w.send(w.alice, 'still too early')).status).toBe(429);
    vi.setSystemTime(new Date(start.getTime() + 60_000));
    const again = await w.send(w.alice, 'a minute later');
    expect(again.status).toBe(200);
    expect(again.body.data?.sendMessage?.__typename).toBe('SendMessagePayload');
    expect((await w.send(w.alice, 'but only one')).status).toBe(429);
  });

  test('the default allows a burst of 10 and refuses a script looping on one token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T12:00:00Z'));
    const h = appWith({});
    const w = await world(h);
    const statuses: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 30; i += 1) statuses.push((await w.send(w.alice, `m${i}`)).status);
    // The steady 60 a minute is 1 a second (the fake clock stands still) plus the burst of 10. The
    // library forgets a window on a real timer too, so a slow machine may see one more per real second.
    const sent = statuses.filter((s) => s === 200).length;
    expect(sent).toBeGreaterThanOrEqual(11);
    expect(sent).toBeLessThanOrEqual(11 + Math.floor((performance.now() - started) / 1000));
    expect(statuses.slice(0, 11).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - sent);
    expect(await w.count()).toBe(sent);
  });

  test('other writes have limits of their own: createRoom', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T12:00:00Z'));
    const h = appWith({ RATE_LIMITS: 'createRoom=2/120s' });
    const w = await world(h);
    const create = (roomId: string) =>
      h.request<{ createRoom: { __typename: string } | null }>(
        'mutation($input: CreateRoomInput!) { createRoom(input: $input) { __typename } }',
        { variables: { input: { roomId, memberIds: ['bob'] } }, headers: w.alice },
      );
    expect((await create('r1')).body.data?.createRoom?.__typename).toBe('CreateRoomPayload');
    expect((await create('r2')).body.data?.createRoom?.__typename).toBe('CreateRoomPayload');
    const refused = await create('r3');
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 120 });
    // Sending is another budget.
    expect((await w.send(w.alice, 'hi')).status).toBe(200);
  });

  test("the API key is limited per app only, apart from the users' budget", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T12:00:00Z'));
    const h = appWith({ RATE_LIMITS: 'sendMessage=100/60s,sendMessage@app=3/60s' });
    const w = await world(h);
    const key = apiKey(w.app.apiKey);
    for (let i = 0; i < 3; i += 1)
      expect((await w.send(key, `bot ${i}`, { senderId: 'bob' })).status).toBe(200);
    expect((await w.send(key, 'bot 3', { senderId: 'bob' })).status).toBe(429);
    // The users of the app share another per-app budget of the same size.
    for (let i = 0; i < 3; i += 1) expect((await w.send(w.alice, `m${i}`)).status).toBe(200);
    const refused = await w.send(bearer(await w.app.tokenFor('bob')), 'the app is over');
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      rateLimit: { policy: 'sendMessage@app', limit: 3 },
    });
  });

  test('RATE_LIMITS_ENABLED=false: no limit', async () => {
    const h = appWith({ RATE_LIMITS: 'sendMessage=1/60s', RATE_LIMITS_ENABLED: 'false' });
    const w = await world(h);
    for (let i = 0; i < 5; i += 1) expect((await w.send(w.alice, `m${i}`)).status).toBe(200);
  });

  test('the domain without limits (CLI, seeding) is never limited', async () => {
    const h = appWith({ RATE_LIMITS: 'sendMessage=1/60s' });
    const w = await world(h);
    for (let i = 0; i < 5; i += 1) await sendMessage(w.app.as('alice'), { roomId: 'talk', body: `m${i}` });
    expect((await w.send(w.alice, 'over HTTP')).status).toBe(200);
    expect((await w.send(w.alice, 'over HTTP')).status).toBe(429);
  });
});

describe('the REST dialects share the budget', () => {
  test('IMKit POST /rooms/{id}/message: 429 in its envelope, with Retry-After and RateLimit headers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-03T12:00:00Z');
    vi.setSystemTime(start);
    const h = appWith({ RATE_LIMITS: SEND_RULE });
    const w = await world(h);
    const token = await w.app.tokenFor('alice');
    // Two over GraphQL, two over IMKit: the fifth (either way) is refused.
    for (let i = 0; i < 2; i += 1) expect((await w.send(w.alice, `gql ${i}`)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await imkitSend(h, w.app, token, `imkit ${i}`)).status).toBe(200);
    const before = await w.count();
    const refused = await imkitSend(h, w.app, token, 'one too many');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('ratelimit-policy')).toBe('"sendMessage";q=5;w=300');
    expect(refused.headers.get('ratelimit')).toBe('"sendMessage";r=0;t=60');
    expect(await refused.json()).toMatchObject({ RC: 429, error: { code: 'RATE_LIMITED' } });
    expect((await w.send(w.alice, 'nor over GraphQL')).status).toBe(429);
    expect(await w.count()).toBe(before);

    vi.setSystemTime(new Date(start.getTime() + 60_000));
    expect((await imkitSend(h, w.app, token, 'a minute later')).status).toBe(200);
  });

  test('Rocket.Chat POST /api/v1/chat.sendMessage: 429 {success:false}, with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-03T12:00:00Z');
    vi.setSystemTime(start);
    const h = appWith({ RATE_LIMITS: 'sendMessage=2/120s' });
    const w = await world(h);
    const carol = {
      ...(await rocketchatLogin(restClient(h), w.app.appId, 'carol', PASSWORD)),
      'content-type': 'application/json',
    };
    const post = (text: string) =>
      h.fetch(
        new Request('http://chat-bff.test/api/v1/chat.sendMessage', {
          method: 'POST',
          headers: carol,
          body: JSON.stringify({ message: { rid: 'talk', msg: text } }),
        }),
      );
    expect((await post('one')).status).toBe(200);
    expect((await post('two')).status).toBe(200);
    const refused = await post('three');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('120');
    expect(await refused.json()).toMatchObject({ success: false });

    vi.setSystemTime(new Date(start.getTime() + 120_000));
    expect((await post('later')).status).toBe(200);
  });
});

describe('RATE_LIMITS', () => {
  test('is checked when the process starts', () => {
    expect(() => loadConfig({ RATE_LIMITS: 'sendMessage=lots' })).toThrow(/RATE_LIMITS/);
    expect(() => loadConfig({ RATE_LIMITS: 'sendMesage=1/1s' })).toThrow(/names no limit/);
    expect(loadConfig({ RATE_LIMITS: 'sendMessage=60/1m+10, markRoomRead=off' }).RATE_LIMITS).toEqual(
      new Map([
        ['sendMessage', { points: 60, durationSeconds: 60, burst: 10 }],
        ['markRoomRead', null],
      ]),
    );
  });
});
