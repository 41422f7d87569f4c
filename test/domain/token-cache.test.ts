import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  issueToken,
  resolveToken,
  revokeAllTokens,
  revokeToken,
  TOKEN_CACHE_MS,
} from '../../src/domain/tokens/token.service.js';
import { createStatementCounter, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';

/*
 * resolveToken remembers live tokens for TOKEN_CACHE_MS: a repeated lookup costs no SQL
 * statement, the token's own expiry still holds to the millisecond, and revoking in this
 * process takes effect at once.
 */

const counter = createStatementCounter();
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: counter.onQuery });
});
afterAll(() => database?.close());

describe('resolveToken cache', () => {
  it('answers a repeated lookup without a statement, until the cache time is up', async () => {
    const app = await createTestApp(database.db, ['alice']);
    const t0 = new Date();
    const { token } = await issueToken(database.db, {
      appId: app.appId,
      userId: 'alice',
      kind: 'client',
      ttlSeconds: 3600,
      now: t0,
    });
    const first = await counter.measure(() => resolveToken(database.db, token, t0));
    expect(first.result).toMatchObject({ appId: app.appId, userId: 'alice' });
    expect(first.count).toBe(1);
    const again = await counter.measure(() =>
      resolveToken(database.db, token, new Date(t0.getTime() + 1000)),
    );
    expect(again.result).toEqual(first.result);
    expect(again.count).toBe(0);
    const later = await counter.measure(() =>
      resolveToken(database.db, token, new Date(t0.getTime() + TOKEN_CACHE_MS + 1)),
    );
    expect(later.result).toEqual(first.result);
    expect(later.count).toBe(1);
  });

  it('never accepts a token after its own expiry', async () => {
    const app = await createTestApp(database.db, ['bob']);
    const t0 = new Date();
    const { token } = await issueToken(database.db, {
      appId: app.appId,
      userId: 'bob',
      kind: 'client',
      ttlSeconds: 60,
      now: t0,
    });
    expect(await resolveToken(database.db, token, t0)).toBeDefined();
    // Within the cache time of the first lookup, but past the token's expiry.
    const expired = new Date(t0.getTime() + 60_000);
    expect(TOKEN_CACHE_MS).toBeGreaterThan(0);
    expect(await resolveToken(database.db, token, expired)).toBeUndefined();
  });

  it('forgets a token revoked in this process at once, one by one or all of a user', async () => {
    const app = await createTestApp(database.db, ['carol']);
    const one = (
      await issueToken(database.db, { appId: app.appId, userId: 'carol', kind: 'client', ttlSeconds: 3600 })
    ).token;
    const two = (
      await issueToken(database.db, { appId: app.appId, userId: 'carol', kind: 'login', ttlSeconds: 3600 })
    ).token;
    expect(await resolveToken(database.db, one)).toBeDefined();
    expect(await resolveToken(database.db, two)).toBeDefined();
    expect(await revokeToken(database.db, one)).toBe(true);
    expect(await resolveToken(database.db, one)).toBeUndefined();
    expect(await resolveToken(database.db, two)).toBeDefined();
    expect(await revokeAllTokens(database.db, app.appId, 'carol')).toBe(1);
    expect(await resolveToken(database.db, two)).toBeUndefined();
  });
});
