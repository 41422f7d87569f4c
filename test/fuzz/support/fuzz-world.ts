import type fc from 'fast-check';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { sendMessage } from '../../../src/domain/messages/message.service.js';
import { createRoom, getRoomForViewer } from '../../../src/domain/rooms/room.service.js';
import { createUser } from '../../../src/domain/users/user.service.js';
import { createLogger } from '../../../src/logger.js';
import { createMemoryEventBus } from '../../../src/realtime/event-bus.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestApp, type TestApp } from '../../support/factories.js';
import { createAppClient, type AppClient } from '../../rest/support/app-client.js';

/*
 * The world a fuzz run attacks: an app with users alice (password "secret1"), bob and
 * eve, rooms "talk" (alice, bob; a few messages) and "side", credentials of every
 * dialect, and the checks every answer must pass. Settings: FUZZ_RUNS cases per
 * property (default a small CI budget), FUZZ_SEED to replay a run (default: a fixed seed
 * in the test suite, a fresh one under `npm run fuzz`, always printed).
 */

export const PASSWORD = 'secret1';

export interface FuzzWorld {
  database: TestDatabase;
  client: AppClient;
  app: TestApp;
  aliceToken: string;
  talkNumId: number;
  /** Credentials headers by kind. */
  credentials: {
    imkit: Record<string, string>;
    rocketchat: Record<string, string>;
    bearer: Record<string, string>;
    apiKey: Record<string, string>;
  };
  close(): Promise<void>;
}

export async function createFuzzWorld(): Promise<FuzzWorld> {
  const database = await createTestDatabase();
  const client = createAppClient(database.db, {}, createMemoryEventBus({ log: createLogger('silent') }));
  const app = await createTestApp(database.db, ['bob', 'eve']);
  await createUser(database.db, app.appId, 'alice', { nickname: 'Alice', password: PASSWORD });
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', name: 'Talk', memberIds: ['bob'] });
  await createRoom(app.as('alice'), { roomId: 'side', roomType: 'group', name: 'Side', memberIds: [] });
  for (const text of ['one', 'two', 'three'])
    await sendMessage(app.as('alice'), { roomId: 'talk', body: text });
  const aliceToken = await app.tokenFor('alice');
  const talk = await getRoomForViewer(app.as('alice'), 'talk');
  return {
    database,
    client,
    app,
    aliceToken,
    talkNumId: talk.room.numId,
    credentials: {
      imkit: { 'IM-CLIENT-KEY': app.clientKey, 'IM-Authorization': aliceToken },
      rocketchat: { 'X-User-Id': 'alice', 'X-Auth-Token': aliceToken },
      bearer: { authorization: `Bearer ${aliceToken}` },
      apiKey: { 'IM-API-KEY': app.apiKey },
    },
    close: () => database.close(),
  };
}

/** Runs per property: FUZZ_RUNS, or the suite's small budget. */
export function fuzzRuns(ciBudget: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(runs) && runs > 0 ? runs : ciBudget;
}

/** A test's time limit for its runs: the suite's 30 s, or about 200 ms a case under FUZZ_RUNS. */
export function fuzzTimeout(ciBudget: number): number {
  return Math.max(30_000, fuzzRuns(ciBudget) * 200);
}

/**
 * fast-check's options for a run: its report names the seed, the replay path and the
 * failure, without printing a counterexample that may be a megabyte long.
 */
export function fuzzOptions(name: string, ciBudget: number): fc.Parameters<[unknown]> {
  return {
    seed: fuzzSeed(name),
    numRuns: fuzzRuns(ciBudget),
    endOnFailure: true,
    asyncReporter: async (details) => {
      if (!details.failed) return;
      const cause =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance);
      throw new Error(
        `${name} fuzz failed after ${details.numRuns} cases (FUZZ_SEED=${details.seed}, path ${details.counterexamplePath ?? '?'}):\n${cause.slice(0, 4000)}`,
      );
    },
  };
}

/** The seed of this run, printed so that any run can be replayed with FUZZ_SEED. */
export function fuzzSeed(name: string): number {
  const given = Number(process.env.FUZZ_SEED);
  const seed = Number.isSafeInteger(given)
    ? given
    : process.env.FUZZ_RUNS
      ? Math.floor(Math.random() * 2 ** 31)
      : 20261203;
  console.log(`[fuzz] ${name}: seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
}

/**
 * Everything the app's rows hold, as one hash per table: a rejected request must leave it
 * as it was. Tables are found by their app_id column, so new ones are covered too.
 */
export async function databaseFingerprint(world: FuzzWorld): Promise<Record<string, string>> {
  const { db } = world.database;
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.columns
    where column_name = 'app_id' and table_schema = current_schema() order by table_name`.execute(db);
  const out: Record<string, string> = {};
  for (const { table_name: table } of tables.rows) {
    const row = await sql<{ hash: string | null }>`
      select md5(string_agg(t::text, '|' order by t::text)) as hash
      from ${sql.table(table)} t where t.app_id = ${world.app.appId}`.execute(db);
    out[table] = row.rows[0]?.hash ?? '';
  }
  return out;
}

// What must never reach a client: SQL, PostgreSQL's error texts, stack frames, table names.
const LEAKS: [string, RegExp][] = [
  ['SQL', /\b(select\s+[\w*"]+.*\bfrom|insert\s+into|update\s+\w+\s+set|delete\s+from)\b/i],
  [
    'a PostgreSQL error',
    /invalid input syntax|violates|SQLSTATE|syntax error at|relation "|column "|duplicate key|out of range for type|unsupported Unicode escape/i,
  ],
  ['a stack trace', /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|node:internal|file:\/\//],
  ['a table name', /\b(auth_tokens|memberships|message_reactions|message_user_deletions|user_room_prefs)\b/],
  ['an internal error', /INTERNAL_SERVER_ERROR|Internal server error|Unexpected error/i],
];

/** The leak an answer's text shows, if any. */
export function leakIn(text: string): string | undefined {
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) return `${what}: ${JSON.stringify(match[0])}`;
  }
  return undefined;
}

/** Asserts what every answer to hostile input must be: no 5xx, one of the documented statuses, no leak. */
export function expectSafeAnswer(
  request: string,
  status: number,
  text: string,
  documented: readonly number[],
): void {
  const excerpt = text.length > 600 ? `${text.slice(0, 600)}...` : text;
  expect(status, `${request} answered ${status}: ${excerpt}`).toBeLessThan(500);
  expect(documented, `${request} answered an undocumented ${status}: ${excerpt}`).toContain(status);
  expect(leakIn(text), `${request} leaked in: ${excerpt}`).toBeUndefined();
}
