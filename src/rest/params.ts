import { InvalidInputError } from '../domain/errors.js';
import { parseInstant } from '../domain/instant.js';
import { checkUntrustedValue } from '../domain/untrusted-input.js';

/*
 * Query-parameter decoding shared by the dialects. Every failure is a BAD_USER_INPUT
 * naming the parameter, which each dialect turns into its own 400 body.
 */

/** A time: the domain's one rule for instants (ISO-8601 with its zone, a date, or epoch milliseconds). */
export function parseTimeParam(value: string, field: string): Date {
  return parseInstant(value, field);
}

/** A non-negative integer ("0", "20"); anything else, including "-1", "1.5" and "abc", is rejected. */
export function parseNonNegativeIntParam(value: string, field: string): number {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(parsed)) {
    throw new InvalidInputError(`Invalid ${field} "${value}": expected a non-negative integer`, { field });
  }
  return parsed;
}

/** An integer of either sign ("0", "1", "-1"). */
export function parseIntParam(value: string, field: string): number {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(parsed)) {
    throw new InvalidInputError(`Invalid ${field} "${value}": expected an integer`, { field });
  }
  return parsed;
}

/** A positive integer id in a path (Virola's roomId). */
export function parsePositiveIntId(value: string, field: string): number {
  const parsed = Number(value);
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(parsed)) {
    throw new InvalidInputError(`Invalid ${field} "${value}": expected a positive integer`, { field });
  }
  return parsed;
}

export function parseJsonParam(value: string, field: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value) as unknown;
  } catch {
    throw new InvalidInputError(`Invalid ${field}: not valid JSON (remember to URL-encode it)`, { field });
  }
  checkUntrustedValue(parsed, field);
  return parsed;
}

/** A query parameter, or undefined when absent or empty ("?limit=" counts as not given). */
export function optionalParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value.trim() === '' ? undefined : value;
}
