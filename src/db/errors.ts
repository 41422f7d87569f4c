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

/*
 * Faults outside the process: the database is down, restarting, frozen past a timeout,
 * out of connections, or the request's deadline passed. Each is a 503 for the request it
 * touches (clients and load balancers retry), never a 500 and never a crash. pg reports
 * them as SQLSTATEs, as socket errors (errno codes) or as plain messages; PGlite as
 * "closed"; Kysely once destroyed (shutdown). The whole `cause` chain is looked at.
 */

/** SQLSTATE classes and codes that mean "the server cannot serve now", not "the statement is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4]|57014|58)/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'DEADLINE_EXCEEDED',
]);
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end|driver has already been destroyed|PGlite is clos(ed|ing))/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
      return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    current = cause;
  }
  return false;
}
