import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up } from '../../migrations/2026-12-03T140000_per_app_numeric_ids.js';
import { createTestDatabase, testDriver, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { apiKey, bearer } from '../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../support/in-process-app.js';
import { mutatorFor, type Mutate } from '../support/mutate.js';

/*
 * Numeric ids (Virola's userId, roomId, messageId; GraphQL numericId) are numbered per
 * app: what another app does in between never shows in an app's own next ids.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

interface Tenant {
  app: TestApp;
  alice: Mutate;
  admin: Mutate;
}

async function tenant(): Promise<Tenant> {
  const app = await createTestApp(database.db, ['alice']);
  return {
    app,
    alice: mutatorFor(h, bearer(await app.tokenFor('alice'))),
    admin: mutatorFor(h, apiKey(app.apiKey)),
  };
}

async function send(t: Tenant, roomId: string): Promise<number> {
  const result = await t.alice('sendMessage', { roomId, message: 'hi' }, 'chatMessage { numericId }');
  return (result['chatMessage'] as { numericId: number }).numericId;
}

async function room(t: Tenant, roomId: string): Promise<number> {
  const result = await t.alice('createRoom', { roomId, memberIds: [] }, 'room { numericId }');
  return (result['room'] as { numericId: number }).numericId;
}

async function user(t: Tenant, userId: string): Promise<number> {
  const result = await t.admin('createUser', { userId }, 'user { numericId }');
  return (result['user'] as { numericId: number }).numericId;
}

describe(`numeric ids per app (${testDriver()})`, () => {
  it("another app's messages, rooms and users never move an app's own numbering", async () => {
    const [a, b] = [await tenant(), await tenant()];
    await room(a, 'a-room');
    const firstRoom = await room(b, 'b-room');
    const first = await send(b, 'b-room');
    const firstUser = await user(b, 'b1');

    for (let i = 0; i < 5; i++) await send(a, 'a-room');
    for (let i = 0; i < 3; i++) await room(a, `a-more-${i}`);
    for (let i = 0; i < 3; i++) await user(a, `a${i}`);

    expect(await send(b, 'b-room')).toBe(first + 1);
    expect(await room(b, 'b-second')).toBe(firstRoom + 1);
    expect(await user(b, 'b2')).toBe(firstUser + 1);
  });

  it('a new app numbers from 1', async () => {
    const t = await tenant(); // alice is user 1
    expect(await room(t, 'first')).toBe(1);
    expect(await send(t, 'first')).toBe(1);
    expect(await user(t, 'second-user')).toBe(2);
  });

  it("a new app's first rows, written at once, create its sequence once and take distinct ids", async () => {
    const t = await tenant();
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => user(t, `burst-${i}`)));
    expect([...ids].sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const rooms = await Promise.all(Array.from({ length: 8 }, (_, i) => room(t, `burst-${i}`)));
    expect([...rooms].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("migrating a database with rows: each app's numbering goes on after its highest id", async () => {
    const own = await createTestDatabase();
    try {
      const a = await createTestApp(own.db, ['alice']);
      const b = await createTestApp(own.db, ['alice']);
      await down(own.db); // back to one identity sequence for all apps
      const { rows } = await sql<{ app_id: string; num_id: number }>`
        insert into users (app_id, id, username) values
          (${a.appId}, 'x1', 'x1'), (${b.appId}, 'y1', 'y1'), (${a.appId}, 'x2', 'x2')
        returning app_id, num_id::int`.execute(own.db);
      expect(rows.map((r) => r.num_id)).toEqual([2, 3, 4]); // one sequence for both apps, after the highest id (1)
      await up(own.db);
      const next = async (appId: string, id: string) =>
        (
          await sql<{ num_id: number }>`
            insert into users (app_id, id, username) values (${appId}, ${id}, ${id}) returning num_id::int`.execute(
            own.db,
          )
        ).rows[0]?.num_id;
      expect(await next(a.appId, 'x3')).toBe(5); // after x2 (4)
      expect(await next(b.appId, 'y2')).toBe(4); // after y1 (3)
      expect(await next(b.appId, 'y3')).toBe(5);
    } finally {
      await own.close();
    }
  });
});
