import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { bearer } from '../support/graphql-client.js';
import { silentLog } from '../support/in-process-app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';

/*
 * Requests without credentials count against their client address
 * (ANONYMOUS_RATE_LIMIT), GraphQL and REST together, on the real node:http server (only
 * it knows the TCP peer). X-Forwarded-For names the client only when the peer is one of
 * TRUSTED_PROXIES.
 */

let database: TestDatabase;
const servers: HttpServer[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await database?.close();
});

async function serve(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ DATA_DIR: ':memory:', ANONYMOUS_RATE_LIMIT: '3/60s', ...env });
  const http = await startHttpServer(createApp({ db: database.db, config, log: silentLog }), {
    port: 0,
    host: '127.0.0.1',
    log: silentLog,
    shutdownTimeoutMs: 3000,
  });
  servers.push(http);
  return http.url;
}

function graphql(url: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ viewer { userId } }' }),
  });
}

describe('requests without credentials', () => {
  test('count per address across GraphQL and REST; past the limit 429 with Retry-After', async () => {
    const url = await serve({});
    expect((await graphql(url)).status).toBe(401);
    expect((await fetch(`${url}/rooms`)).status).toBe(401); // IMKit
    expect((await graphql(url)).status).toBe(401);

    const refused = await graphql(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit-policy')).toBe('"anonymous";q=3;w=60');
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });

    const rest = await fetch(`${url}/rooms`);
    expect(rest.status).toBe(429);
    expect(rest.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await rest.json()).toMatchObject({ RC: 429, error: { code: 'RATE_LIMITED' } });

    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    expect((await graphql(url, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);

    // Callers with credentials are counted by who they are, not by address.
    const app = await createTestApp(database.db, ['alice']);
    const answer = await graphql(url, bearer(await app.tokenFor('alice')));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { viewer: { userId: 'alice' } } });
  });

  test('behind a trusted proxy, each forwarded client has its own budget', async () => {
    const url = await serve({ TRUSTED_PROXIES: '127.0.0.1' });
    for (let i = 0; i < 3; i += 1)
      expect((await graphql(url, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(401);
    expect((await graphql(url, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    expect((await graphql(url, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(401);
  });

  test('RATE_LIMITS_ENABLED=false: no limit', async () => {
    const url = await serve({ RATE_LIMITS_ENABLED: 'false' });
    for (let i = 0; i < 6; i += 1) expect((await graphql(url)).status).toBe(401);
  });
});
