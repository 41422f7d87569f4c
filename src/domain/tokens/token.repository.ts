import type { Kysely } from 'kysely';
import type { Database, TokenKind } from '../../db/schema.js';

type Executor = Kysely<Database>;

export async function insertToken(
  db: Executor,
  row: { tokenHash: string; appId: string; userId: string; kind: TokenKind; expiresAt: Date | null },
): Promise<void> {
  await db
    .insertInto('auth_tokens')
    .values({
      token_hash: row.tokenHash,
      app_id: row.appId,
      user_id: row.userId,
      kind: row.kind,
      expires_at: row.expiresAt,
    })
    .execute();
}

/** The live token with this hash: not revoked, not expired at `now`. */
export async function findLiveToken(
  db: Executor,
  tokenHash: string,
  now: Date,
): Promise<{ appId: string; userId: string; kind: TokenKind; expiresAt: Date | null } | undefined> {
  const row = await db
    .selectFrom('auth_tokens')
    .select(['app_id', 'user_id', 'kind', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return row && { appId: row.app_id, userId: row.user_id, kind: row.kind, expiresAt: row.expires_at };
}

export async function revokeTokenByHash(db: Executor, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('auth_tokens')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function revokeTokensOfUser(
  db: Executor,
  appId: string,
  userId: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('auth_tokens')
    .set({ revoked_at: now })
    .where('app_id', '=', appId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
