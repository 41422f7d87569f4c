import { InvalidArgumentError } from 'commander';

/*
 * Option parsers: a bad value becomes commander's one-line error and exit code 2
 * before anything touches the database.
 */

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, like 1000');
  const count = Number(value);
  if (!Number.isSafeInteger(count)) throw new InvalidArgumentError('too large');
  return count;
}

export function parsePositiveCount(value: string): number {
  const count = parseCount(value);
  if (count < 1) throw new InvalidArgumentError('must be at least 1');
  return count;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A time to live: seconds ("3600"), with a unit ("90m", "12h", "30d"), or "never" (commander turns null into ''). */
export function parseTtl(value: string): number | 'never' {
  if (value === 'never') return 'never';
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected seconds, a duration like 12h or 30d, or "never"');
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (seconds < 1 || !Number.isSafeInteger(seconds))
    throw new InvalidArgumentError('must be at least 1 second');
  return seconds;
}
