import { InvalidInputError } from '../domain/errors.js';

/** A positive integer id in a path (Virola's roomId). */
export function parsePositiveIntId(value: string, field: string): number {
  const parsed = Number(value);
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(parsed)) {
    throw new InvalidInputError(`Invalid ${field} "${value}": expected a positive integer`, { field });
  }
  return parsed;
}
