import pg from 'pg';

/*
 * pg parses every timestamptz with postgres-date's regular expression: about a
 * microsecond and several strings per value, which a room-list page (rooms, members,
 * users, messages: ~700 timestamps) turns into a tenth of its CPU time and a fifth of
 * its garbage. PostgreSQL prints timestamptz in one fixed ISO shape (DateStyle ISO, the
 * default and what pg expects), so this reads the digits in place; anything else
 * (infinity, BC, years before 100, another DateStyle) goes to pg's own parser.
 */

export const TIMESTAMPTZ_OID = 1184;

const fallback = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number;

const ZERO = 48;

function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * "2026-11-22 07:39:41.791+00" (fraction and offset minutes/seconds optional) → Date;
 * pg's answer for the rest (±Infinity as numbers, as pg gives them).
 */
export function parseTimestamptz(text: string): Date | number {
  return parseIso(text) ?? fallback(text);
}

function parseIso(text: string): Date | null {
  const n = text.length;
  if (
    n < 22 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== ' ' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return null;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  if (year < 100 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return null;
  let i = 19;
  let ms = 0;
  if (text[i] === '.') {
    // Microseconds: JavaScript dates keep milliseconds, so the rest is dropped (as postgres-date does).
    let scale = 100;
    for (i++; i < n; i++) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  const sign = text[i] === '+' ? 1 : text[i] === '-' ? -1 : 0;
  if (sign === 0 || i + 3 > n) return null;
  const offsetHours = digits(text, i + 1, i + 3);
  if (offsetHours < 0) return null;
  let offsetSeconds = offsetHours * 3600;
  i += 3;
  for (const unit of [60, 1]) {
    if (i === n) break;
    if (text[i] !== ':' || i + 3 > n) return null;
    const part = digits(text, i + 1, i + 3);
    if (part < 0) return null;
    offsetSeconds += part * unit;
    i += 3;
  }
  if (i !== n) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - sign * offsetSeconds * 1000);
}
