import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDeadTokens, scheduleTokenPurge } from '../../src/domain/tokens/token-purge.service.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, testDriver, type TestDatabase } from '../support/database.js';
import { issueTokensInEveryState, storedTokens } from '../support/dead-tokens.js';
import { createTestApp } from '../support/factories.js';

/*
 * Revoked and expired tokens are deleted once dead for longer than the grace; live ones
 * and those dead for less stay. Each statement deletes a bounded batch, oldest first.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

const DAY_SECONDS = 86400;

describe(`token purge (${testDriver()})`, () => {
  it('deletes tokens revoked or expired more than the grace ago; keeps the others', async () => {
    const app = await createTestApp(database.db, ['alice']);
    const tokens = await issueTokensInEveryState(database.db, app.appId, 'alice');
    const all = [...tokens.old, ...tokens.recent, ...tokens.live];
    expect(await storedTokens(database.db, all)).toEqual(all);

    const deleted = await purgeDeadTokens(database.db, { graceSeconds: DAY_SECONDS });
    expect(deleted).toBeGreaterThanOrEqual(tokens.old.length); // other tests' dead tokens too
    expect(await storedTokens(database.db, all)).toEqual([...tokens.recent, ...tokens.live]);
    expect(await purgeDeadTokens(database.db, { graceSeconds: DAY_SECONDS })).toBe(0);
  });

  it('deletes at most batchSize rows a statement and maxBatches batches a run, oldest first', async () => {
    const app = await createTestApp(database.db, ['bob']);
    const tokens = await issueTokensInEveryState(database.db, app.appId, 'bob');
    // Dead since 10 days, 3 days, 2 days (old, in issue order): the oldest two go first.
    const twoDays = tokens.old[1];
    expect(
      await purgeDeadTokens(database.db, { graceSeconds: DAY_SECONDS, batchSize: 2, maxBatches: 1 }),
    ).toBe(2);
    expect(await storedTokens(database.db, tokens.old)).toEqual([twoDays]);
    expect(await purgeDeadTokens(database.db, { graceSeconds: DAY_SECONDS, batchSize: 2 })).toBe(1);
    expect(await storedTokens(database.db, tokens.old)).toEqual([]);
  });

  it('finds the dead tokens through the auth_tokens_dead_since index', async () => {
    // The planner would scan this small table; forbidding that shows the index can serve the query.
    const plan = await database.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain
        delete from auth_tokens where token_hash in (
          select token_hash from auth_tokens where least(revoked_at, expires_at) < ${new Date()}
          order by least(revoked_at, expires_at) limit 1000)`.execute(trx);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/auth_tokens_dead_since/);
  });

  it('runs on an interval, and a failure is logged, not thrown', async () => {
    const app = await createTestApp(database.db, ['carol']);
    const tokens = await issueTokensInEveryState(database.db, app.appId, 'carol');
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    const schedule = scheduleTokenPurge(database.db, log, {
      intervalSeconds: 0.05,
      graceSeconds: DAY_SECONDS,
    });
    await expect.poll(() => storedTokens(database.db, tokens.old), { timeout: 5000 }).toEqual([]);
    await schedule.stop();
    expect(await storedTokens(database.db, [...tokens.recent, ...tokens.live])).toHaveLength(4);
    expect(lines.some((line) => line.includes('purged revoked and expired tokens'))).toBe(true);

    const broken = {
      deleteFrom: () => {
        throw new Error('database down');
      },
    } as unknown as typeof database.db;
    const failing = scheduleTokenPurge(broken, log, { intervalSeconds: 0.05, graceSeconds: DAY_SECONDS });
    await expect
      .poll(() => lines.some((line) => line.includes('token purge failed')), { timeout: 5000 })
      .toBe(true);
    await failing.stop();
    expect(lines.find((line) => line.includes('token purge failed'))).toMatch(/"level":50/);
  });
});
