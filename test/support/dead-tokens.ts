import { sql } from 'kysely';
import type { Db } from '../../src/db/create-database.js';
import { hashSecret } from '../../src/domain/secrets.js';
import { issueToken, revokeToken } from '../../src/domain/tokens/token.service.js';

/*
 * Tokens in every state the purge tells apart, for a user of an app, dated relative to
 * `now`: dead for longer than a day (expired or revoked), dead for an hour, and live.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface TokenStates {
  /** Dead (revoked or expired) for more than a day: purged with the default grace. */
  old: string[];
  /** Dead for about an hour: kept through the grace. */
  recent: string[];
  /** Live: expiring later, or never. */
  live: string[];
}

export async function issueTokensInEveryState(
  db: Db,
  appId: string,
  userId: string,
  now = new Date(),
): Promise<TokenStates> {
  const issue = async (issuedAgo: number, ttlSeconds: number | null) =>
    (
      await issueToken(db, {
        appId,
        userId,
        kind: 'client',
        ttlSeconds,
        now: new Date(now.getTime() - issuedAgo),
      })
    ).token;
  const revoked = async (revokedAgo: number) => {
    const token = await issue(revokedAgo + HOUR, null);
    await revokeToken(db, token, new Date(now.getTime() - revokedAgo));
    return token;
  };
  return {
    old: [await issue(3 * DAY, 3600), await revoked(2 * DAY), await issue(10 * DAY, 60)],
    recent: [await issue(2 * HOUR, 3600), await revoked(HOUR)],
    live: [await issue(HOUR, 3600 * 24), await issue(10 * DAY, null)],
  };
}

/** Which of `tokens` still have a row (by the stored hash). */
export async function storedTokens(db: Db, tokens: string[]): Promise<string[]> {
  const { rows } = await sql<{ token_hash: string }>`
    select token_hash from auth_tokens where token_hash in (${sql.join(tokens.map(hashSecret))})`.execute(db);
  const stored = new Set(rows.map((row) => row.token_hash));
  return tokens.filter((token) => stored.has(hashSecret(token)));
}
