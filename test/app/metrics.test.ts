import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/*
 * /metrics: request counts by route and status class, and the SQL statements the
 * database's onQuery hook saw (what the bench divides to get statements per request).
 */

let database: TestDatabase;
let app: FetchHandler;

beforeAll(async () => {
  const metrics = createMetrics();
  database = await createTestDatabase({ onQuery: metrics.onQuery });
  app = createApp({
    db: database.db,
    config: loadConfig({ DATA_DIR: ':memory:' }),
    log: createLogger('silent'),
    metrics,
  });
});

afterAll(() => database.close());

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function scrape(): Promise<string> {
  const response = await app(new Request('http://chat-bff.test/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('/metrics', () => {
  it('counts requests by route and status class, and the SQL statements they ran', async () => {
    const before = await scrape();
    await app(new Request('http://chat-bff.test/readyz')); // one statement: select 1
    await app(new Request('http://chat-bff.test/readyz'));
    await app(new Request('http://chat-bff.test/no-such-path'));
    const after = await scrape();

    const health = 'chat_bff_http_requests_total{route="health",status="2xx"}';
    expect(value(after, health) - value(before, health)).toBe(2);
    const notFound = 'chat_bff_http_requests_total{route="rest",status="4xx"}';
    expect(value(after, notFound) - value(before, notFound)).toBe(1);
    expect(
      value(after, 'chat_bff_sql_statements_total') - value(before, 'chat_bff_sql_statements_total'),
    ).toBe(2);
    // Scrapes are not counted as requests.
    expect(after).not.toContain('route="metrics"');
    expect(value(after, 'chat_bff_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers only GET', async () => {
    const response = await app(new Request('http://chat-bff.test/metrics', { method: 'POST' }));
    expect(response.status).toBe(405);
  });
});
