import { sql, type AliasedRawBuilder } from 'kysely';

/*
 * Another table's row carried inside a joined row under prefixed names (a room list row
 * with its last message as lm_*, a member with its user as u_*), and read back out.
 */

/** Row's columns renamed `<prefix><column>`; null where a left join found nothing. */
export type Prefixed<Row, P extends string> = { [K in keyof Row & string as `${P}${K}`]: Row[K] | null };

/** `table.column as <prefix>column` for each column. */
export function prefixedColumns<Row>(
  table: string,
  prefix: string,
  columns: readonly (keyof Row & string)[],
): AliasedRawBuilder<unknown, string>[] {
  return columns.map((column) => sql`${sql.ref(`${table}.${column}`)}`.as(`${prefix}${column}`));
}

/** The row back out of its prefixed columns; null when the join found none (its `key` column is null). */
export function unprefixed<Row, P extends string>(
  row: Prefixed<Row, P>,
  prefix: P,
  columns: readonly (keyof Row & string)[],
  key: keyof Row & string,
): Row | null {
  const source = row as Record<string, unknown>;
  if (source[`${prefix}${key}`] === null || source[`${prefix}${key}`] === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column] = source[`${prefix}${column}`];
  return out as Row;
}
