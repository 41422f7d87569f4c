import { sql, type RawBuilder } from 'kysely';

/*
 * Batch reads pass their keys as one array parameter, `id = any($2::text[])`, rather than
 * an IN list: the statement's text is then the same for 1 key as for 100, so it is
 * prepared once per connection (prepared-statements.ts) instead of once per batch size.
 */

/** `any($n::text[])`: compare a text column with `= anyText(values)`. */
export function anyText(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val([...values])}::text[])`;
}

/** `any($n::int8[])`: compare a bigint column with `= anyInt8(values)`. */
export function anyInt8(values: readonly number[]): RawBuilder<number> {
  return sql<number>`any(${sql.val([...values])}::int8[])`;
}

/** `(a, b) in (select * from unnest($n::text[], $m::text[]))`: pairs of text keys as two array parameters. */
export function pairsIn(
  columns: readonly [string, string],
  pairs: readonly (readonly [string, string])[],
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(columns[0])}, ${sql.ref(columns[1])}) in (select * from unnest(${sql.val(
    pairs.map((p) => p[0]),
  )}::text[], ${sql.val(pairs.map((p) => p[1]))}::text[]))`;
}
