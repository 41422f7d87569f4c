/*
 * The two drivers throw different error classes; both carry the SQLSTATE in `code`
 * and the constraint name in `constraint`, so match on those.
 */

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as PgErrorFields;
  return fields.code === '23505' && (constraint === undefined || fields.constraint === constraint);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as PgErrorFields).code === '23503';
}
