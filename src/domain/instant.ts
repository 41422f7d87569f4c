import { InvalidInputError } from './errors.js';

/*
 * The one rule for a point in time sent by a client, on every transport (GraphQL's
 * DateTime, the REST dialects' updatedAfter, afterTime, updatedSince, messageTime):
 *
 *   - ISO-8601 with its zone: "2020-10-15T03:28:54Z", "2020-10-15T12:28:54+09:00"
 *     (seconds and fraction optional, "T" or a space, "+0900" too);
 *   - a bare date, "2020-10-15": midnight UTC (a date is not read in any local zone);
 *   - epoch milliseconds: a number, or a string of digits ("1602817267000").
 *
 * A date-time without a zone ("2020-10-15T03:28:54") is refused, not guessed: JavaScript
 * reads it in the server's zone, so its meaning depended on where the server ran, and
 * assuming UTC instead would silently shift a client that meant its own local time.
 * Every form the dialects' documents show (and what Date.toISOString sends) has a zone.
 * It lives in the domain, not in src/db/timestamps.ts: that module reads PostgreSQL's
 * own output; this is an input rule, like the other untrusted-input rules here.
 */

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
const EPOCH_MS = /^-?\d{1,15}$/;

/** What the rule accepts, as a refusal says it. */
export const INSTANT_FORMS =
  'an ISO-8601 time with its zone, like 2020-10-15T03:28:54Z, or epoch milliseconds';

/** The instant a client sent, or undefined when it breaks the rule above. */
export function readInstant(value: string | number): Date | undefined {
  let date: Date | undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) date = new Date(value);
  } else {
    const trimmed = value.trim();
    if (EPOCH_MS.test(trimmed)) date = new Date(Number(trimmed));
    else if (ISO_8601.test(trimmed)) date = new Date(trimmed);
  }
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** The instant a client sent, or InvalidInputError naming `field`; see the rule above. */
export function parseInstant(value: string | number, field: string): Date {
  const date = readInstant(value);
  if (!date) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : String(value);
    throw new InvalidInputError(`Invalid ${field} ${shown}: expected ${INSTANT_FORMS}`, { field });
  }
  return date;
}
