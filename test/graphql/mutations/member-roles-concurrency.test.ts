import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setMemberRole } from '../../../src/domain/rooms/membership.service.js';
import { createRoom } from '../../../src/domain/rooms/room.service.js';
import { createTestDatabase, uniqueId, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { bearer } from '../../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../../support/in-process-app.js';
import { mutatorFor, type Mutate, type MutationResult } from '../../support/mutate.js';

/*
 * The last-owner rule under concurrency: two owners of a room act against each other at
 * the same moment (Promise.all over the app's HTTP handler). Both requests pass their
 * first checks before either writes; only the room's row lock, taken before the roles
 * are read, makes the second see the first's change. Exactly one succeeds, and the room
 * keeps exactly one owner. Meant for PostgreSQL (TEST_DATABASE_URL), where the two run
 * on separate connections; on PGlite they are serialized anyway and must agree.
 */

let database: TestDatabase;
let h: InProcessApp;
const ROUNDS = 10;

beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

interface Round {
  app: TestApp;
  roomId: string;
  a: Mutate;
  b: Mutate;
}

/**
 * A group room owned by "a" and "b", with "c" as a member, in an app of its own (so the
 * rounds' writes never add up to a per-user write limit).
 */
async function twoOwnerRoom(): Promise<Round> {
  const app = await createTestApp(database.db, ['a', 'b', 'c']);
  const room = await createRoom(app.as('a'), {
    roomId: uniqueId('room'),
    roomType: 'group',
    memberIds: ['b', 'c'],
  });
  await setMemberRole(app.as('a'), room.id, 'b', 'owner');
  return {
    app,
    roomId: room.id,
    a: mutatorFor(h, bearer(await app.tokenFor('a'))),
    b: mutatorFor(h, bearer(await app.tokenFor('b'))),
  };
}

async function owners({ app, roomId }: Round): Promise<string[]> {
  const rows = await database.db
    .selectFrom('memberships')
    .select('user_id')
    .where('app_id', '=', app.appId)
    .where('room_id', '=', roomId)
    .where('left_at', 'is', null)
    .where('role', '=', 'owner')
    .execute();
  return rows.map((row) => row.user_id);
}

function outcomes(results: MutationResult[]): { succeeded: number; refusals: string[] } {
  const refusals = results.filter((r) => !r.__typename.endsWith('Payload'));
  return {
    succeeded: results.length - refusals.length,
    refusals: refusals.map((r) => `${r.__typename}:${String(r.reason)}`),
  };
}

const REFUSED = /^(ConflictError:LAST_OWNER|ForbiddenError:NOT_ROOM_(MODERATOR|OWNER|MEMBER))$/;

describe.each([
  [
    'demote each other to MEMBER',
    (m: Mutate, roomId: string, other: string) =>
      m('setMemberRole', { roomId, userId: other, role: 'MEMBER' }),
  ],
  [
    'demote each other to MODERATOR',
    (m: Mutate, roomId: string, other: string) =>
      m('setMemberRole', { roomId, userId: other, role: 'MODERATOR' }),
  ],
  [
    'remove each other',
    (m: Mutate, roomId: string, other: string) => m('removeMember', { roomId, userId: other }),
  ],
  ['both leave', (m: Mutate, roomId: string) => m('leaveRoom', { roomId })],
] as const)('two owners %s at once', (_name, act) => {
  test(`exactly one succeeds and one owner is left (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const round = await twoOwnerRoom();
      const { a, b, roomId } = round;
      const results = await Promise.all([act(a, roomId, 'b'), act(b, roomId, 'a')]);
      const { succeeded, refusals } = outcomes(results);
      expect(succeeded, JSON.stringify(results)).toBe(1);
      expect(refusals[0]).toMatch(REFUSED);
      expect(await owners(round)).toHaveLength(1);
    }
  });
});
