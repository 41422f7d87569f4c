import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

type Executor = Kysely<Database>;

/**
 * Deletes at most `limit` tokens dead (revoked or expired) before `cutoff`, oldest first;
 * returns how many went. By primary key from a bounded subquery (PGlite and pg alike), the
 * subquery a range scan of auth_tokens_dead_since (its expression must match the index's).
 */
export async function deleteDeadTokens(db: Executor, cutoff: Date, limit: number): Promise<number> {
  const deadSince = sql<Date>`least(revoked_at, expires_at)`;
  const result = await db
    .deleteFrom('auth_tokens')
    .where('token_hash', 'in', (eb) =>
      eb
        .selectFrom('auth_tokens')
        .select('token_hash')
        .where(deadSince, '<', cutoff)
        .orderBy(deadSince)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
