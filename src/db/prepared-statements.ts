import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/*
 * Kysely's pg dialect sends every statement unnamed, so PostgreSQL parses and plans it
 * on every call; for the room list planning costs as much as running it (1-2 ms). Named
 * statements are parsed once per connection, and after five runs PostgreSQL keeps a
 * generic plan when it is no worse than the custom ones (plan_cache_mode = auto).
 *
 * Every distinct SQL text gets a name, up to MAX_NAMED texts per process: the
 * repositories build a fixed text per query shape (batches pass arrays, `= any($1)`,
 * not IN lists of varying length), so the set is small; past the cap (an unforeseen
 * source of distinct texts) statements go unnamed again, which bounds what each
 * connection keeps prepared on the server.
 *
 * Off with DB_PREPARED_STATEMENTS=false, e.g. behind PgBouncer in transaction mode
 * before 1.21 (a named statement lives on one server connection).
 */

const MAX_NAMED = 500;

export function withNamedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `k${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      function query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
      function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
      function query(textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]): unknown {
        // Kysely streams through a cursor object (never used here, but passed on untouched).
        if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
        const name = nameOf(textOrCursor);
        return client.query({
          text: textOrCursor,
          values: [...(values ?? [])],
          ...(name !== undefined && { name }),
        });
      }
      return { query, release: () => client.release() };
    },
    end: () => pool.end(),
  };
}
