import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type FetchHandler, type RouteHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDatabase } from '../../src/db/create-database.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/*
 * The fetch handler itself, in-process: health routes, request ids, the access log,
 * 404s, and what an unexpected error turns into.
 */

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  err?: { message: string; stack: string };
}

function captureLogs() {
  const lines: LogLine[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

const failingRoutes: RouteHandler[] = [
  (_request, url) => {
    if (url.pathname === '/test/boom') throw new Error('secret detail from deep inside');
    return undefined;
  },
  (_request, url) =>
    url.pathname === '/test/redirect' ? Response.redirect('http://example.com/', 302) : undefined,
];

let database: TestDatabase;
let app: FetchHandler;
let logs: LogLine[];

beforeAll(async () => {
  database = await createTestDatabase();
  const captured = captureLogs();
  logs = captured.lines;
  app = createApp({ db: database.db, config: loadConfig({}), log: captured.log, routes: failingRoutes });
});
afterAll(async () => {
  await database?.close();
});

const get = (path: string, init: RequestInit = {}) => app(new Request(`http://chat-bff.test${path}`, init));

describe('health', () => {
  it('/healthz answers while the process lives; /readyz when the database answers', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const head = await get('/healthz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await get('/healthz', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('/readyz is 503 when the database does not answer, while /healthz stays 200', async () => {
    const unreachable = await createDatabase(
      loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_MS: '1000' }),
    );
    try {
      const { log, lines } = captureLogs();
      const handler = createApp({ db: unreachable.db, config: loadConfig({}), log });
      const ready = await handler(new Request('http://chat-bff.test/readyz'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', error: 'The database does not answer' });
      expect((await handler(new Request('http://chat-bff.test/healthz'))).status).toBe(200);
      expect(lines.some((l) => l.msg === 'readiness check failed')).toBe(true);
    } finally {
      await unreachable.close();
    }
  });
});

describe('every request', () => {
  it('gets a request id: the caller’s when it is sane, a new one otherwise', async () => {
    const kept = await get('/healthz', { headers: { 'x-request-id': 'edge-1234.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-1234.abc');
    const replaced = await get('/healthz', { headers: { 'x-request-id': 'has spaces <script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await get('/healthz');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get('x-request-id')).not.toBe(replaced.headers.get('x-request-id'));
    // Also on a response whose headers are immutable.
    const redirect = await get('/test/redirect', { headers: { 'x-request-id': 'redirect-1' } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://example.com/');
    expect(redirect.headers.get('x-request-id')).toBe('redirect-1');
  });

  it('is logged once, with method, path (no query), status and duration', async () => {
    logs.length = 0;
    await get('/healthz?token=should-not-be-logged', { headers: { 'x-request-id': 'log-me' } });
    const requestLines = logs.filter((l) => l.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      requestId: 'log-me',
      method: 'GET',
      path: '/healthz',
      status: 200,
    });
    expect(requestLines[0]?.ms).toEqual(expect.any(Number));
    expect(JSON.stringify(logs)).not.toContain('should-not-be-logged');
  });

  it('an unknown path is a JSON 404 with the request id', async () => {
    const response = await get('/no/such/thing', { headers: { 'x-request-id': 'nf-1' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Not found', requestId: 'nf-1' });
  });

  it('an unexpected error is a masked 500 with the request id, logged with its stack', async () => {
    logs.length = 0;
    const response = await get('/test/boom', { headers: { 'x-request-id': 'boom-1' } });
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'Internal server error', requestId: 'boom-1' });
    expect(body).not.toContain('secret detail');
    const error = logs.find((l) => l.msg === 'unhandled error');
    expect(error).toMatchObject({ requestId: 'boom-1', level: 50 });
    expect(error?.err?.message).toBe('secret detail from deep inside');
    expect(error?.err?.stack).toContain('app.test.ts');
    expect(logs.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'boom-1', status: 500 });
  });
});
