import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { createMemoryEventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { silentLog } from '../support/in-process-app.js';

/*
 * Cross-site WebSocket hijacking: a page of another site
 * opens a graphql-ws socket to /graphql and the browser adds the session cookie. On the
 * real node:http server, with CORS_ORIGINS=https://app.example.
 */

const ALLOWED = 'https://app.example';
const EVIL = 'http://evil.example';
const SEND = 'mutation { sendMessage(input: { roomId: "talk", message: "hijacked" }) { __typename } }';
const TEXTS = '{ room(id: "talk") { messages(first: 50) { edges { node { message } } } } }';

let database: TestDatabase;
let http: HttpServer;
let wsUrl: string;
let app: TestApp;
let cookie: string;
let token: string;
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const events = createMemoryEventBus({ log: silentLog });
  const config = loadConfig({ DATA_DIR: ':memory:', CORS_ORIGINS: ALLOWED });
  http = await startHttpServer(createApp({ db: database.db, config, log: silentLog, events }), {
    port: 0,
    host: '127.0.0.1',
    log: silentLog,
    shutdownTimeoutMs: 3000,
    upgrade: createGraphQLWebSocketHandler({
      db: database.db,
      log: silentLog,
      events,
      corsOrigins: config.CORS_ORIGINS,
    }),
  });
  wsUrl = `${http.url.replace('http', 'ws')}/graphql`;
  app = await createTestApp(database.db, ['bob']);
  await createUser(database.db, app.appId, 'alice', { nickname: 'Alice', password: 'alice-pass' });
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', name: 'Talk', memberIds: ['bob'] });
  token = await app.tokenFor('alice');
  // Virola's login, over HTTP like a browser's.
  const login = await fetch(`${http.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-app-id': app.appId },
    body: JSON.stringify({ userName: 'alice', password: 'alice-pass' }),
  });
  expect(login.status).toBe(200);
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await http?.close();
  await database?.close();
});

/** A graphql-ws client whose upgrade request carries `headers` (as a browser adds Origin and cookies). */
function connect(
  headers: Record<string, string>,
  connectionParams: Record<string, unknown> = {},
  onClosed?: (code: number, reason: string) => void,
): Client {
  class BrowserLikeSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const client = createClient({
    url: wsUrl,
    webSocketImpl: BrowserLikeSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {}, // a refused connection is asserted, not logged
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed?.(code, reason);
      },
    },
  });
  clients.push(client);
  return client;
}

function once<T>(client: Client, query: string): Promise<{ data?: T | null; errors?: readonly unknown[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T | null; errors?: readonly unknown[] } | undefined;
    client.subscribe<T>(
      { query },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}

async function texts(): Promise<unknown[]> {
  const response = await fetch(`${http.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: TEXTS }),
  });
  const body = (await response.json()) as {
    data: { room: { messages: { edges: { node: { message: unknown } }[] } } };
  };
  return body.data.room.messages.edges.map((edge) => edge.node.message);
}

describe('GraphQL over WebSocket with the session cookie', () => {
  test('a socket from a foreign origin with the cookie alone is closed with 4403; nothing runs', async () => {
    const before = await texts();
    let closed!: (value: { code: number; reason: string }) => void;
    const closing = new Promise<{ code: number; reason: string }>((resolve) => (closed = resolve));
    const evil = connect({ origin: EVIL, cookie }, {}, (code, reason) => closed({ code, reason }));
    const attempt = once(evil, SEND).then(
      (result) => ({ ran: result }),
      () => ({ ran: null }),
    );
    expect(await closing).toEqual({ code: 4403, reason: expect.stringMatching(/session cookie/) });
    expect((await attempt).ran).toBeNull();
    expect(await texts()).toEqual(before);
  });

  test('the cookie works from an allowed origin, the server’s own, and without an Origin (no browser)', async () => {
    const own = new URL(http.url).origin;
    for (const headers of [{ origin: ALLOWED, cookie }, { origin: own, cookie }, { cookie }]) {
      const client = connect(headers);
      const result = await once<{ viewer: { userId: string } }>(client, '{ viewer { userId } }');
      expect(result.data?.viewer.userId, JSON.stringify(headers)).toBe('alice');
    }
  });

  test('a token in connection_init works from any origin, the cookie beside it or not', async () => {
    for (const headers of [{ origin: EVIL, cookie }, { origin: EVIL }]) {
      const client = connect(headers, { authorization: `Bearer ${token}` });
      const sent = await once<{ sendMessage: { __typename: string } }>(
        client,
        'mutation { sendMessage(input: { roomId: "talk", message: "with a token" }) { __typename } }',
      );
      expect(sent.data?.sendMessage.__typename, JSON.stringify(headers)).toBe('SendMessagePayload');
    }
  });

  test('an Origin in connection_init does not count: the upgrade’s own does', async () => {
    const code = await new Promise<number>((resolve) =>
      connect({ origin: EVIL, cookie }, { origin: ALLOWED, headers: { origin: ALLOWED } }, resolve),
    );
    expect(code).toBe(4403);
  });
});
