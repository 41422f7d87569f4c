import type { Kysely } from 'kysely';
import type { Database, TokenKind } from '../../db/schema.js';
import type { User } from '../users/user.js';
import { toUser, userColumns } from '../users/user.repository.js';

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

const tokenUserColumns = userColumns.map((column) => `u.${column}` as const);

/** The live token with this hash (not revoked, not expired at `now`) and its user's row. */
export async function findLiveToken(
  db: Executor,
  tokenHash: string,
  now: Date,
): Promise<{ kind: TokenKind; expiresAt: Date | null; user: User } | undefined> {
  const row = await db
    .selectFrom('auth_tokens as t')
    .innerJoin('users as u', (join) =>
      join.onRef('u.app_id', '=', 't.app_id').onRef('u.id', '=', 't.user_id'),
    )
    .select(['t.kind', 't.expires_at', ...tokenUserColumns])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)]))
    .executeTakeFirst();
  return row && { kind: row.kind, expiresAt: row.expires_at, user: toUser(row) };
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

/** Revokes a user's live tokens: every kind, or only those of `kinds`. */
export async function revokeTokensOfUser(
  db: Executor,
  appId: string,
  userId: string,
  now: Date,
  kinds?: readonly TokenKind[],
): Promise<number> {
  let query = db
    .updateTable('auth_tokens')
    .set({ revoked_at: now })
    .where('app_id', '=', appId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (kinds) query = query.where('kind', 'in', kinds);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
