import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { createAuthThrottles } from '../../src/limits/auth-throttles.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { silentLog } from '../support/in-process-app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * The throttles on the real node:http server, which alone knows the TCP peer: password
 * logins and wrong API keys count per address, a forged X-Forwarded-For from an untrusted
 * peer changes nothing, and a WebSocket's connection_init shares the HTTP budget (one
 * set of throttles per process, as main.ts builds it).
 */

let database: TestDatabase;
let tenant: TestApp;
const servers: HttpServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await createTestApp(database.db);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(servers.map((s) => s.close()));
  await database?.close();
});

async function serve(env: Record<string, string>): Promise<string> {
  const config = loadConfig({ DATA_DIR: ':memory:', ...env });
  const authThrottles = createAuthThrottles(config, { kind: 'memory' });
  const http = await startHttpServer(createApp({ db: database.db, config, log: silentLog, authThrottles }), {
    port: 0,
    host: '127.0.0.1',
    log: silentLog,
    shutdownTimeoutMs: 3000,
    upgrade: createGraphQLWebSocketHandler({ db: database.db, log: silentLog, authThrottles }),
  });
  servers.push(http);
  return http.url;
}

function closeCode(url: string, connectionParams: Record<string, unknown>): Promise<number> {
  return new Promise((resolve) => {
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
      on: {
        connected: () => resolve(0),
        closed: (event) => resolve((event as { code: number }).code),
      },
    });
    clients.push(client);
  });
}

describe('on the real server', () => {
  test('logins count per TCP peer; X-Forwarded-For from an untrusted peer is ignored', async () => {
    const url = await serve({ LOGIN_MAX_ATTEMPTS_PER_IP: '3' });
    const login = (i: number) =>
      fetch(`${url}/api/v1/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-app-id': tenant.appId,
          'x-forwarded-for': `203.0.113.${i}`,
        },
        body: JSON.stringify({ user: `spray-${i}`, password: 'wrong-password' }),
      });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await login(i)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test("wrong API keys in a WebSocket's connection_init share the address's budget with HTTP", async () => {
    const url = await serve({ AUTH_MAX_FAILURES_PER_IP: '3' });
    expect(await closeCode(url, { 'IM-API-KEY': 'sk_wrong1' })).toBe(4403);
    expect(await closeCode(url, { authorization: 'Bearer sk_wrong2' })).toBe(4403);
    const http = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'im-api-key': 'sk_wrong3' },
      body: JSON.stringify({ query: '{ viewer { userId } }' }),
    });
    expect(http.status).toBe(401);
    // Past the limit: refused before the key is looked up, the right key included.
    expect(await closeCode(url, { 'IM-API-KEY': tenant.apiKey })).toBe(4429);
    const refused = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'im-api-key': tenant.apiKey },
      body: JSON.stringify({ query: '{ viewer { userId } }' }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // A client token from the same address is not refused.
    expect(await closeCode(url, { authorization: `Bearer ${await tenant.tokenFor(await user())}` })).toBe(0);
  });
});

let users = 0;
async function user(): Promise<string> {
  const id = `ws-user-${++users}`;
  await createUser(database.db, tenant.appId, id);
  return id;
}
