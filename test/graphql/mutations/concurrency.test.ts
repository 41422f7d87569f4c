import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp } from '../../support/factories.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { mutatorFor } from '../../support/mutate.js';

/*
 * Correctness under concurrency, over GraphQL: 200 sendMessage calls at once from 20
 * users into one room, and a clientMessageId retried concurrently. What is checked is
 * read back two ways: the rows (SQL) and what clients read (GraphQL).
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const USERS = Array.from({ length: 20 }, (_, i) => `user-${i}`);

async function messageRows(appId: string, roomId: string) {
  const { rows } = await sql<{ id: string; seq: number; sender_id: string }>`
    select id, seq::int as seq, sender_id from messages where app_id = ${appId} and room_id = ${roomId} order by seq`.execute(
    database.db,
  );
  return rows;
}

describe('sendMessage under concurrency', () => {
  test('200 concurrent sends from 20 users: gapless sequence, exact unread per member, newest lastMessage', async () => {
    const app = await createTestApp(database.db, USERS);
    const tokens = new Map<string, Record<string, string>>();
    for (const user of USERS) tokens.set(user, bearer(await app.tokenFor(user)));
    const owner = mutatorFor(h, tokens.get('user-0')!);
    await owner('createRoom', { roomId: 'busy', memberIds: USERS.slice(1) });

    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        mutatorFor(h, tokens.get(USERS[i % 20]!)!)(
          'sendMessage',
          { roomId: 'busy', message: { n: i } },
          'chatMessage { messageId }',
        ),
      ),
    );
    expect(results.map((r) => r.__typename)).toEqual(Array(200).fill('SendMessagePayload'));
    const sentIds = new Set(results.map((r) => (r['chatMessage'] as { messageId: string }).messageId));
    expect(sentIds.size).toBe(200);

    const rows = await messageRows(app.appId, 'busy');
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.id))).toEqual(sentIds);
    const newest = rows.at(-1)!;

    // Each member has read up to their own last message (sending reads), nothing after it.
    const expectedUnread = new Map(
      USERS.map((u) => [u, 200 - Math.max(...rows.filter((r) => r.sender_id === u).map((r) => r.seq))]),
    );
    for (const user of USERS) {
      const res = await h.request<{
        viewer: {
          rooms: {
            edges: { node: { roomId: string; unread: number; lastMessage: { messageId: string } } }[];
          };
        };
      }>('{ viewer { rooms(first: 5) { edges { node { roomId unread lastMessage { messageId } } } } } }', {
        headers: tokens.get(user),
      });
      expect(
        res.body.data?.viewer.rooms.edges.map((e) => e.node),
        user,
      ).toEqual([
        { roomId: 'busy', unread: expectedUnread.get(user), lastMessage: { messageId: newest.id } },
      ]);
    }
    // The members list (badges) says the same, in one read.
    const members = await h.request<{
      room: { members: { edges: { node: { userId: string; badge: number } }[] } };
    }>('{ room(id: "busy") { members(first: 20) { edges { node { userId badge } } } } }', {
      headers: tokens.get('user-7'),
    });
    const badges = new Map(members.body.data?.room.members.edges.map((e) => [e.node.userId, e.node.badge]));
    expect(badges).toEqual(expectedUnread);
  }, 120_000); // 200 sends + 20 reads: ~15 s on PGlite with two idle cores, more when the machine is busy

  test('a clientMessageId retried 10 times at once is one message', async () => {
    const app = await createTestApp(database.db, ['a', 'b']);
    const a = mutatorFor(h, bearer(await app.tokenFor('a')));
    await a('createRoom', { roomId: 'dm', roomType: 'GROUP', memberIds: ['b'] });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        a(
          'sendMessage',
          { roomId: 'dm', message: 'once', clientMessageId: 'retry-1' },
          'chatMessage { messageId } room { unread }',
        ),
      ),
    );
    const ids = new Set(results.map((r) => (r['chatMessage'] as { messageId: string }).messageId));
    expect(ids.size).toBe(1);
    const rows = await messageRows(app.appId, 'dm');
    expect(rows.map((r) => [r.id, r.seq])).toEqual([[[...ids][0], 1]]);
    const b = await h.request<{ room: { unread: number } }>('{ room(id: "dm") { unread } }', {
      headers: bearer(await app.tokenFor('b')),
    });
    expect(b.body.data?.room.unread).toBe(1);
  });
});
