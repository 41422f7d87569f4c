import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimestamptz, TIMESTAMPTZ_OID } from '../../src/db/timestamps.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const pgParse = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date | number;
const millis = (value: Date | number) => (value instanceof Date ? value.getTime() : value);

describe('parseTimestamptz', () => {
  it('reads what pg reads for every shape PostgreSQL prints', () => {
    const shapes = [
      '2026-11-22 07:39:41+00',
      '2026-11-22 07:39:41.7+00',
      '2026-11-22 07:39:41.791+00',
      '2026-11-22 07:39:41.791999+00',
      '2026-11-22 07:39:41.000001+00',
      '2026-11-22 23:59:59.999-03:30',
      '2026-02-28 00:00:00+05:30',
      '1900-01-01 00:00:00+00:19:32',
      '1969-12-31 23:59:59.5+00',
      '2024-02-29 12:00:00-11',
      '0099-01-01 00:00:00+00',
      '2000-01-01 00:00:00+00 BC',
      'infinity',
      '-infinity',
    ];
    for (const text of shapes) expect(millis(parseTimestamptz(text)), text).toEqual(millis(pgParse(text)));
  });

  it('agrees with pg on many generated values', () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pad = (v: number, width = 2) => String(v).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      const fraction = next(3) === 0 ? '' : `.${pad(next(1_000_000), 6).slice(0, 1 + next(6))}`;
      const offset = `${next(2) ? '+' : '-'}${pad(next(15))}${next(3) === 0 ? `:${pad(next(4) * 15)}` : ''}`;
      const text =
        `${pad(1901 + next(200), 4)}-${pad(1 + next(12))}-${pad(1 + next(28))} ` +
        `${pad(next(24))}:${pad(next(60))}:${pad(next(60))}${fraction}${offset}`;
      expect(millis(parseTimestamptz(text)), text).toEqual(millis(pgParse(text)));
    }
  });
});

describe('timestamptz values read back from the database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('are the same instants whatever the session time zone', async () => {
    const instant = new Date('2026-11-22T07:39:41.791Z');
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Kiritimati']) {
      const row = await database.db.transaction().execute(async (trx) => {
        await sql`select set_config('TimeZone', ${zone}, true)`.execute(trx);
        const result = await sql<{ at: Date; old: Date; micro: Date }>`
          select ${instant.toISOString()}::timestamptz as at,
                 '1900-06-01 12:00:00+00'::timestamptz as old,
                 '2026-11-22 07:39:41.791999+00'::timestamptz as micro`.execute(trx);
        return result.rows[0];
      });
      expect(row?.at.toISOString(), zone).toBe(instant.toISOString());
      expect(row?.old.toISOString(), zone).toBe('1900-06-01T12:00:00.000Z');
      expect(row?.micro.toISOString(), zone).toBe('2026-11-22T07:39:41.791Z');
    }
  });
});
