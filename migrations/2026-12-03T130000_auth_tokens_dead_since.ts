import { sql, type Kysely } from 'kysely';

/*
 * The token purge (src/domain/tokens/token-purge.repository.ts) deletes tokens dead
 * for longer than a grace period. A token is dead from the first of its revocation and
 * its expiry: least() ignores a null, and is null only for a live token that never
 * expires. This index makes "the oldest dead tokens, at most n" a range scan from the
 * start, whatever the size of the table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index auth_tokens_dead_since on auth_tokens ((least(revoked_at, expires_at)))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists auth_tokens_dead_since`.execute(db);
}
