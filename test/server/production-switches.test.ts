import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createMetrics } from '../../src/metrics.js';
import { graphqlExposure } from '../../src/graphql/exposure.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * Production switches: introspection, "Did you mean" hints and GraphiQL can each be
 * turned off (GRAPHQL_INTROSPECTION, GRAPHQL_SUGGESTIONS, GRAPHIQL), and /metrics can
 * need a token (METRICS_TOKEN) or live on a port of its own (METRICS_PORT).
 */

const silent = createLogger('silent');
const METRICS_TOKEN = 'metrics-token-for-the-tests';

let database: TestDatabase;
let app: TestApp;
let defaults: FetchHandler;
let locked: FetchHandler;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await createTestApp(database.db, ['ann']);
  const build = (env: Record<string, string>) =>
    createApp({
      db: database.db,
      config: loadConfig({ DATA_DIR: ':memory:', ...env }),
      log: silent,
      metrics: createMetrics(),
    });
  defaults = build({});
  locked = build({
    GRAPHQL_INTROSPECTION: 'false',
    GRAPHQL_SUGGESTIONS: 'false',
    GRAPHIQL: 'false',
    METRICS_TOKEN,
  });
});
afterAll(() => database?.close());

interface Answer {
  status: number;
  data: Record<string, unknown> | null | undefined;
  messages: string[];
}

async function ask(
  handler: FetchHandler,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer> {
  const response = await handler(
    new Request('http://chat-bff.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'im-api-key': app.apiKey },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string }[];
  };
  return { status: response.status, data: body.data, messages: (body.errors ?? []).map((e) => e.message) };
}

const TYPOS: [string, Record<string, unknown>][] = [
  ['{ viewr { userId } }', {}], // a field
  ['{ room(idd: "x") { name } }', {}], // an argument
  ['mutation { createRoom(input: { roomType: GRUOP }) { __typename } }', {}], // an enum value
  ['mutation M($t: RoomType!) { createRoom(input: { roomType: $t }) { __typename } }', { t: 'GRUOP' }], // a variable
  ['query Q($r: RoomListInput) { __typename }', {}], // a type name
];

describe('GraphQL switches', () => {
  it('by default: introspection answers, errors suggest, GraphiQL is served', async () => {
    const schema = await ask(defaults, '{ __schema { queryType { name } } __type(name: "Room") { name } }');
    expect(schema.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'Room' } });
    const typo = await ask(defaults, TYPOS[0]![0]);
    expect(typo.messages.join(' ')).toMatch(/Did you mean "viewer"\?/);
    const page = await defaults(
      new Request('http://chat-bff.test/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/graphiql/i);
  });

  it('off: introspection is a validation error, __typename still answers', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Room") { name } }']) {
      const res = await ask(locked, query);
      expect(res.data).toBeUndefined();
      expect(res.messages.join(' ')).toMatch(/introspection/i);
    }
    expect((await ask(locked, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('off: no "Did you mean" in any validation or variable error, the rest of the message stays', async () => {
    for (const [query, variables] of TYPOS) {
      const withHints = await ask(defaults, query, variables);
      expect(withHints.messages.join(' '), query).toMatch(/Did you mean/);
      const res = await ask(locked, query, variables);
      expect(res.messages.length, query).toBeGreaterThan(0);
      expect(res.messages.join(' '), query).not.toMatch(/did you mean|suggestion/i);
    }
    const field = await ask(locked, TYPOS[0]![0]);
    expect(field.messages).toEqual(['Cannot query field "viewr" on type "Query".']);
  });

  it('off: GET /graphql with Accept: text/html serves no GraphiQL page', async () => {
    const page = await locked(
      new Request('http://chat-bff.test/graphql', { headers: { accept: 'text/html' } }),
    );
    const text = await page.text();
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(text).not.toMatch(/graphiql/i);
    // A GET query still works for clients that ask for JSON.
    const get = await locked(
      new Request('http://chat-bff.test/graphql?query=%7B__typename%7D', {
        headers: { accept: 'application/json' },
      }),
    );
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('NODE_ENV=production turns the defaults off; a setting still wins', () => {
    expect(loadConfig({})).toMatchObject({
      GRAPHQL_INTROSPECTION: true,
      GRAPHQL_SUGGESTIONS: true,
      GRAPHIQL: true,
    });
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({
      GRAPHQL_INTROSPECTION: false,
      GRAPHQL_SUGGESTIONS: false,
      GRAPHIQL: false,
    });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' })).toMatchObject({ GRAPHIQL: true });
  });
});

describe('GraphQL switches over WebSocket', () => {
  let http: HttpServer;
  beforeAll(async () => {
    const config = loadConfig({
      DATA_DIR: ':memory:',
      GRAPHQL_INTROSPECTION: 'false',
      GRAPHQL_SUGGESTIONS: 'false',
    });
    http = await startHttpServer(locked, {
      port: 0,
      host: '127.0.0.1',
      log: silent,
      shutdownTimeoutMs: 3000,
      upgrade: createGraphQLWebSocketHandler({
        db: database.db,
        log: silent,
        exposure: graphqlExposure(config),
      }),
    });
  });
  afterAll(() => http?.close());

  async function overSocket(query: string): Promise<string[]> {
    const client = createClient({
      url: `${http.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { 'im-api-key': app.apiKey },
      retryAttempts: 0,
    });
    try {
      return await new Promise((resolve, reject) => {
        let messages: string[] = [];
        client.subscribe(
          { query },
          {
            next: (value) => {
              messages = (value.errors ?? []).map((e) => e.message);
            },
            error: (error) =>
              Array.isArray(error)
                ? resolve((error as { message: string }[]).map((e) => e.message))
                : reject(error instanceof Error ? error : new Error(String(error))),
            complete: () => resolve(messages),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it('refuses introspection and gives no suggestion on a socket too', async () => {
    expect((await overSocket('{ __schema { queryType { name } } }')).join(' ')).toMatch(/introspection/i);
    const typo = await overSocket(TYPOS[0]![0]);
    expect(typo).toEqual(['Cannot query field "viewr" on type "Query".']);
  });
});

describe('/metrics', () => {
  const scrape = (handler: FetchHandler, headers: Record<string, string> = {}) =>
    handler(new Request('http://chat-bff.test/metrics', { headers }));

  it('is open without METRICS_TOKEN (the bench and the chaos harness scrape it so)', async () => {
    expect((await scrape(defaults)).status).toBe(200);
  });

  it('with METRICS_TOKEN: 401 without it or with a wrong one, 200 with Authorization: Bearer <token>', async () => {
    const none = await scrape(locked);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toMatch(/chat_bff_/);
    expect((await scrape(locked, { authorization: 'Bearer not-the-metrics-token' })).status).toBe(401);
    expect((await scrape(locked, { authorization: METRICS_TOKEN })).status).toBe(401);
    const ok = await scrape(locked, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^chat_bff_sql_statements_total \d+$/m);
  });

  it('refuses a token shorter than 16 characters', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });

  describe('METRICS_PORT', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({
        config: loadConfig({
          DATA_DIR: ':memory:',
          PORT: '0',
          METRICS_PORT: '0',
          METRICS_TOKEN,
          LOG_LEVEL: 'silent',
        }),
        log: silent,
      });
    }, 60_000);
    afterAll(() => server?.shutdown());

    it('serves /metrics on its own listener (with the token), and not on the main port', async () => {
      expect(server.metricsUrl).toBeDefined();
      expect(server.metricsUrl).not.toBe(server.url);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.metricsUrl}/metrics`)).status).toBe(401);
      const ok = await fetch(`${server.metricsUrl}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^chat_bff_http_requests_total\{route="health",status="2xx"\} 1$/m);
      expect((await fetch(`${server.metricsUrl}/graphql`)).status).toBe(404);
    });
  });
});
