import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { mutatorFor } from '../support/mutate.js';
import { bearer } from '../support/graphql-client.js';
import { createInProcessApp } from '../support/in-process-app.js';

/*
 * REQUEST_TIMEOUT_MS on both drivers: a request that outlives it is a 503 in its
 * transport's shape (GraphQL SERVICE_UNAVAILABLE, IMKit RC 503) with Retry-After, while
 * a subscription stream, whose answer is out long before its events, is not cut by it.
 * (A frozen and a crashed PostgreSQL are database-faults.test.ts.)
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

const silent = createLogger('silent');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds the room's row locked in a transaction of the test's own until release(): on
 * PostgreSQL a send waits for the lock, on PGlite (one connection) every statement waits.
 */
async function holdRoom(appId: string, roomId: string) {
  let release = () => {};
  let locked = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const held = database.db.transaction().execute(async (trx) => {
    await sql`select 1 from rooms where app_id = ${appId} and id = ${roomId} for update`.execute(trx);
    locked();
    await released;
  });
  await isLocked;
  return { release, held };
}

describe('the request deadline', () => {
  test("a send stuck past it is a 503 in its transport's shape with Retry-After, and is not applied", async () => {
    const app = await createTestApp(database.db, ['owner', 'bob']);
    await createRoom(app.as('owner'), { roomId: 'room', roomType: 'group', memberIds: ['bob'] });
    const fetch = createApp({
      db: database.db,
      config: loadConfig({ DATA_DIR: ':memory:', REQUEST_TIMEOUT_MS: '300' }),
      log: silent,
    });
    const token = await app.tokenFor('bob');
    // Warm: the token known, connections open, so the lock is the only thing that is slow.
    const warm = await fetch(
      new Request('http://chat-bff.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: '{ room(id: "room") { roomId } }' }),
      }),
    );
    expect(warm.status).toBe(200);
    const lock = await holdRoom(app.appId, 'room');
    try {
      const started = performance.now();
      const [graphql, imkit] = await Promise.all([
        fetch(
          new Request('http://chat-bff.test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...bearer(token) },
            body: JSON.stringify({
              query: 'mutation { sendMessage(input: { roomId: "room", message: "late" }) { __typename } }',
            }),
          }),
        ),
        fetch(
          new Request('http://chat-bff.test/rooms/room/message', {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'IM-CLIENT-KEY': app.clientKey,
              'IM-Authorization': token,
            },
            body: JSON.stringify({ message: 'late too', messageType: 'text' }),
          }),
        ),
      ]);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(graphql.status).toBe(503);
      expect(graphql.headers.get('retry-after')).toBe('1');
      const body = (await graphql.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(imkit.status).toBe(503);
      expect(imkit.headers.get('retry-after')).toBe('1');
      expect(await imkit.json()).toMatchObject({ RC: 503, error: { code: 'SERVICE_UNAVAILABLE' } });
      // The cancel request travels on a connection of its own: give it a moment before the lock goes.
      await sleep(300);
    } finally {
      lock.release();
      await lock.held;
    }
    // Given up on is given up: neither send happened, then or once the lock was gone.
    await sleep(200);
    const sent = await database.db
      .selectFrom('messages')
      .select('id')
      .where('app_id', '=', app.appId)
      .execute();
    expect(sent).toEqual([]);
  });
});

describe('subscriptions', () => {
  test('a stream outlives the deadline: events after it still arrive', async () => {
    const h = createInProcessApp(database.db, { env: { REQUEST_TIMEOUT_MS: '300' } });
    const app = await createTestApp(database.db, ['owner', 'bob']);
    const owner = mutatorFor(h, bearer(await app.tokenFor('owner')));
    await owner('createRoom', { roomId: 'room', memberIds: ['bob'] });
    const sub = await h.subscribe(
      'subscription { roomEvents(roomId: "room") { type message { message } } }',
      { headers: bearer(await app.tokenFor('bob')) },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await owner('sendMessage', { roomId: 'room', message: 'after the deadline' });
      const result = await sub.next<{ roomEvents: { type: string; message: { message: unknown } } }>();
      expect(result.errors).toBeUndefined();
      expect(result.data?.roomEvents.message.message).toBe('after the deadline');
    } finally {
      await sub.close();
    }
  });
});
