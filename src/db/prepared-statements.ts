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

/** Names SQL texts for pg's named prepared statements: the same text, the same name. */
export function createStatementNamer(): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `k${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
}
