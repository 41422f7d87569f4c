import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { createMemoryEventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { silentLog } from '../support/in-process-app.js';

/*
 * GraphQL over WebSocket (graphql-ws) on the real node:http server: subscriptions,
 * queries and mutations on one socket, credentials in connection_init, refusals, and
 * the server's shutdown closing open sockets.
 */

let database: TestDatabase;
let http: HttpServer;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const events = createMemoryEventBus({ log: silentLog });
  const app = createApp({
    db: database.db,
    config: loadConfig({ DATA_DIR: ':memory:' }),
    log: silentLog,
    events,
  });
  http = await startHttpServer(app, {
    port: 0,
    host: '127.0.0.1',
    log: silentLog,
    shutdownTimeoutMs: 3000,
    upgrade: createGraphQLWebSocketHandler({ db: database.db, log: silentLog, events }),
  });
  wsUrl = `${http.url.replace('http', 'ws')}/graphql`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await http?.close();
  await database?.close();
});

function connect(connectionParams: Record<string, unknown>, onClosed?: (code: number) => void): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    // The 4403 test expects a refused connection: it is asserted, not logged.
    onNonLazyError: () => {},
    on: { closed: (event) => onClosed?.((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

function once<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  data?: T | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}> {
  return new Promise((resolve, reject) => {
    let result:
      | { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }
      | undefined;
    client.subscribe<T>(
      { query, variables },
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

async function world(): Promise<TestApp> {
  const app = await createTestApp(database.db, ['alice', 'bob']);
  await createRoomAs(app);
  return app;
}

async function createRoomAs(app: TestApp): Promise<void> {
  const alice = connect({ authorization: `Bearer ${await app.tokenFor('alice')}` });
  const created = await once<{ createRoom: { __typename: string } }>(
    alice,
    'mutation { createRoom(input: { roomId: "room", memberIds: ["bob"] }) { __typename } }',
  );
  expect(created.data?.createRoom.__typename).toBe('CreateRoomPayload');
}

describe('GraphQL over WebSocket', () => {
  test('subscribes, and hears a mutation sent over another socket', async () => {
    const app = await world();
    const bob = connect({ Authorization: `Bearer ${await app.tokenFor('bob')}` });
    const alice = connect({ headers: { authorization: `Bearer ${await app.tokenFor('alice')}` } });

    const events = bob.iterate<{
      roomEvents: { type: string; message: { message: unknown }; room: { unread: number } };
    }>({
      query: 'subscription { roomEvents(roomId: "room") { type message { message } room { unread } } }',
    });
    // The subscription is live once the server has answered something on it; a query on the same socket comes after it.
    expect(
      (await once<{ viewer: { userId: string } }>(bob, '{ viewer { userId } }')).data?.viewer.userId,
    ).toBe('bob');
    await new Promise((r) => setTimeout(r, 100));

    const sent = await once<{ sendMessage: { __typename: string } }>(
      alice,
      'mutation { sendMessage(input: { roomId: "room", message: "over ws" }) { __typename } }',
    );
    expect(sent.data?.sendMessage.__typename).toBe('SendMessagePayload');
    const first = await events.next();
    expect(first.value).toEqual({
      data: { roomEvents: { type: 'MESSAGE_ADDED', message: { message: 'over ws' }, room: { unread: 1 } } },
    });
    await events.return?.();
  });

  test('the API key works too (IM-API-KEY in connection_init)', async () => {
    const app = await world();
    const admin = connect({ 'IM-API-KEY': app.apiKey });
    const result = await once<{ room: { roomId: string; isSuperuser: boolean } }>(
      admin,
      '{ room(id: "room") { roomId isSuperuser } }',
    );
    expect(result.data?.room).toEqual({ roomId: 'room', isSuperuser: true });
  });

  test('wrong credentials close the socket with 4403; missing ones make each operation UNAUTHENTICATED', async () => {
    const closed = new Promise<number>((resolve) => connect({ authorization: 'Bearer ct_wrong' }, resolve));
    expect(await closed).toBe(4403);

    const anonymous = connect({});
    const result = await once<{ viewer: unknown }>(anonymous, '{ viewer { userId } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  test('subscriptions are authorized: an outsider is FORBIDDEN, another app sees NOT_FOUND', async () => {
    const app = await world();
    await createUser(database.db, app.appId, 'carol');
    const carol = connect({ authorization: `Bearer ${await app.tokenFor('carol')}` });
    const forbidden = await once<unknown>(carol, 'subscription { roomEvents(roomId: "room") { type } }');
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ROOM_MEMBER' });
    const stranger = await createTestApp(database.db, ['eve']);
    const eve = connect({ authorization: `Bearer ${await stranger.tokenFor('eve')}` });
    const hidden = await once<unknown>(eve, 'subscription { roomEvents(roomId: "room") { type } }');
    expect(hidden.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ROOM_NOT_FOUND' });
  });

  test('hostile input: a NUL in a subscription variable is BAD_USER_INPUT; a credential no header can carry is 4403', async () => {
    const app = await world();
    const alice = connect({ authorization: `Bearer ${await app.tokenFor('alice')}` });
    const refused = await once<unknown>(
      alice,
      'subscription($id: String!) { roomEvents(roomId: $id) { type } }',
      {
        id: 'room\u0000',
      },
    );
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/NUL/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    for (const authorization of [
      'Bearer a\u0000b',
      'Bearer \u043a\u043b\u044e\u0447',
      'Bearer a\r\nX-Evil: 1',
    ]) {
      const closed = new Promise<number>((resolve) => connect({ authorization }, resolve));
      expect(await closed, JSON.stringify(authorization)).toBe(4403);
    }
  });

  test('other paths are not upgraded', async () => {
    const socket = new WebSocket(`${http.url.replace('http', 'ws')}/elsewhere`, 'graphql-transport-ws');
    const outcome = await new Promise<string>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
      socket.on('error', (error) => resolve(`error ${error.message}`));
      socket.on('open', () => resolve('open'));
    });
    expect(outcome).toMatch(/404/);
  });
});

describe('shutdown', () => {
  test('closes open sockets (1001) and resolves promptly', async () => {
    // A server of its own, so the other tests keep theirs.
    const events = createMemoryEventBus({ log: silentLog });
    const own = await startHttpServer(
      createApp({ db: database.db, config: loadConfig({ DATA_DIR: ':memory:' }), log: silentLog, events }),
      {
        port: 0,
        host: '127.0.0.1',
        log: silentLog,
        shutdownTimeoutMs: 5000,
        upgrade: createGraphQLWebSocketHandler({ db: database.db, log: silentLog, events }),
      },
    );
    const app = await createTestApp(database.db, ['alice', 'bob']);
    await createRoomAs(app);
    let code: number | undefined;
    const client = createClient({
      url: `${own.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await app.tokenFor('alice')}` },
      retryAttempts: 0,
      on: { closed: (event) => (code = (event as { code: number }).code) },
    });
    clients.push(client);
    const events$ = client.iterate({ query: 'subscription { viewerEvents { type } }' });
    const pending = events$.next().catch((error: unknown) => error);
    await expect.poll(() => events.openSubscriptions).toBe(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await pending;
    expect(code).toBe(1001);
    expect(events.openSubscriptions).toBe(0);
  });
});
