import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom, deleteRoom } from '../../src/domain/rooms/room.service.js';
import { removeMember } from '../../src/domain/rooms/membership.service.js';
import { revokeToken } from '../../src/domain/tokens/token.service.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { createLimits, type Limits } from '../../src/limits/limits.js';
import { createRequestContext, type RequestContext } from '../../src/domain/context.js';
import { platformViewer, userViewer } from '../../src/domain/viewer.js';
import { createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { bearer, openSse, type SseSubscription } from '../support/graphql-client.js';
import { silentLog } from '../support/in-process-app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * Open subscriptions per user (SSE and WebSocket together) and operations per
 * WebSocket, on the real node:http server: past the cap a subscription is refused
 * (SSE: HTTP 429 with Retry-After; WebSocket: an error for that operation, the socket
 * stays open), and a slot comes back however its stream ends.
 */

const PER_USER = 3;
const PER_SOCKET = 2;

let database: TestDatabase;
let server: Server;
const clients: Client[] = [];
const streams: SseSubscription[] = [];

interface Server {
  http: HttpServer;
  limits: Limits;
  wsUrl: string;
  events: EventBus;
}

async function startServer(): Promise<Server> {
  const config = loadConfig({
    DATA_DIR: ':memory:',
    SUBSCRIPTIONS_PER_USER: String(PER_USER),
    SUBSCRIPTIONS_PER_SOCKET: String(PER_SOCKET),
  });
  const events = createMemoryEventBus({ log: silentLog });
  // One Limits object for HTTP and WebSocket, as main.ts builds it.
  const limits = createLimits(config, { kind: 'memory' });
  const app = createApp({ db: database.db, config, log: silentLog, events, rateLimits: limits });
  const http = await startHttpServer(app, {
    port: 0,
    host: '127.0.0.1',
    log: silentLog,
    shutdownTimeoutMs: 3000,
    upgrade: createGraphQLWebSocketHandler({ db: database.db, log: silentLog, events, rateLimits: limits }),
  });
  return { http, limits, events, wsUrl: `${http.url.replace('http', 'ws')}/graphql` };
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServer();
});
afterAll(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.http.close();
  await database?.close();
});

const VIEWER_EVENTS = 'subscription { viewerEvents { type roomId } }';
const ROOM_EVENTS = 'subscription { roomEvents(roomId: "room") { type } }';

/** A context whose writes the server's subscriptions hear (its event bus). */
function as(app: TestApp, userId: string | null): RequestContext {
  return createRequestContext({
    db: database.db,
    viewer: userId === null ? platformViewer(app.appId) : userViewer(app.appId, userId),
    requestId: 'test',
    log: silentLog,
    events: server.events,
  });
}

async function world(): Promise<TestApp & { token: (user: string) => Promise<string> }> {
  const app = await createTestApp(database.db, ['alice', 'bob']);
  await createRoom(app.as('alice'), { roomId: 'room', roomType: 'group', memberIds: ['bob'] });
  return { ...app, token: (user) => app.tokenFor(user) };
}

async function sse(token: string, query = VIEWER_EVENTS, on: Server = server): Promise<SseSubscription> {
  const stream = await openSse((r) => fetch(r), on.http.url, query, {}, bearer(token));
  streams.push(stream);
  return stream;
}

function connect(token: string, on: Server = server): Client {
  const client = createClient({
    url: on.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
  });
  clients.push(client);
  return client;
}

type Result = {
  data?: unknown;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
};

/** One operation on a socket: what it answered, whether it ended, and a way to end it. */
function start(client: Client, query: string) {
  const results: Result[] = [];
  const state = { ended: false, failed: undefined as unknown };
  const stop = client.subscribe(
    { query },
    {
      next: (value) => void results.push(value as Result),
      error: (error) => {
        state.failed = error;
        state.ended = true;
      },
      complete: () => {
        state.ended = true;
      },
    },
  );
  return { results, state, stop };
}

/** graphql-ws's errors of an `error` message, or those of a `next` result. */
function errorsOf(op: ReturnType<typeof start>): Result['errors'] {
  return Array.isArray(op.state.failed) ? (op.state.failed as Result['errors']) : op.results[0]?.errors;
}

async function until(what: string, ready: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function query(client: Client, document: string): Promise<Result> {
  const op = start(client, document);
  await until('the query to end', () => op.state.ended);
  if (Array.isArray(op.state.failed)) return { errors: op.state.failed as NonNullable<Result['errors']> };
  return op.results[0]!;
}

describe('open subscriptions per user', () => {
  test('SSE: past the cap, HTTP 429 with Retry-After; a stream the client leaves gives its slot back', async () => {
    const app = await world();
    const alice = await app.token('alice');
    const open: SseSubscription[] = [];
    for (let i = 0; i < PER_USER; i += 1) {
      const stream = await sse(alice);
      expect(stream.status).toBe(200);
      open.push(stream);
    }
    const refused = await fetch(`${server.http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(alice) },
      body: JSON.stringify({ query: VIEWER_EVENTS }),
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.text()).toContain('RATE_LIMITED');
    // Another user has slots of their own.
    expect((await sse(await app.token('bob'))).status).toBe(200);

    const inUse = server.limits.subscriptions.inUse();
    await open[0]!.close();
    await until('the slot to come back', () => server.limits.subscriptions.inUse() === inUse - 1);
    expect((await sse(alice)).status).toBe(200);
  });

  test('SSE and WebSocket count together; a refused WebSocket subscription leaves the socket open', async () => {
    const app = await world();
    const alice = await app.token('alice');
    const before = server.limits.subscriptions.inUse();
    for (let i = 0; i < PER_USER - 1; i += 1) expect((await sse(alice)).status).toBe(200);
    const socket = connect(alice);
    const first = start(socket, ROOM_EVENTS);
    await until('the cap to be reached', () => server.limits.subscriptions.inUse() === before + PER_USER);
    const other = connect(alice);
    const refused = start(other, VIEWER_EVENTS);
    await until('the refusal', () => refused.state.ended);
    expect(errorsOf(refused)?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 5,
      rateLimit: { policy: 'subscriptions-per-user', limit: PER_USER },
    });
    expect(first.state.ended).toBe(false);
    // The refused operation's socket is still there.
    expect((await query(other, '{ viewer { userId } }')).data).toEqual({ viewer: { userId: 'alice' } });

    // Completing the WebSocket subscription gives its slot back.
    first.stop();
    await until('its slot to come back', () => server.limits.subscriptions.inUse() === before + PER_USER - 1);
    const retried = start(other, VIEWER_EVENTS);
    await until('the retry to listen', () => server.limits.subscriptions.inUse() === before + PER_USER);
    expect(retried.state.ended).toBe(false);
    retried.stop();
    await until('its slot to come back', () => server.limits.subscriptions.inUse() === before + PER_USER - 1);
  });

  test('a stream the server ends gives its slot back: token revoked, member removed, room deleted', async () => {
    const app = await world();
    const before = server.limits.subscriptions.inUse();
    const revokedToken = await app.token('bob');
    const revoked = await sse(revokedToken);
    const removed = start(connect(await app.token('bob')), ROOM_EVENTS);
    const deleted = await sse(await app.token('alice'), ROOM_EVENTS);
    await until('three subscriptions', () => server.limits.subscriptions.inUse() === before + 3);

    await revokeToken(database.db, revokedToken);
    await sendMessage(as(app, 'alice'), { roomId: 'room', body: 'poke' });
    await revoked.waitForComplete();
    await until(
      'the revoked stream to give its slot back',
      () => server.limits.subscriptions.inUse() === before + 2,
    );

    await removeMember(as(app, 'alice'), 'room', 'bob');
    await until("the removed member's stream to end", () => removed.state.ended);
    expect(removed.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    await until('its slot to come back', () => server.limits.subscriptions.inUse() === before + 1);

    await deleteRoom(as(app, null), 'room');
    await deleted.waitForComplete();
    await until('every slot to come back', () => server.limits.subscriptions.inUse() === before);
  });

  test('a closed WebSocket gives back the slots of its subscriptions', async () => {
    const app = await world();
    const alice = await app.token('alice');
    const before = server.limits.subscriptions.inUse();
    const socket = connect(alice);
    start(socket, ROOM_EVENTS);
    start(socket, VIEWER_EVENTS);
    await until('two subscriptions', () => server.limits.subscriptions.inUse() === before + 2);
    await socket.dispose();
    await until('their slots to come back', () => server.limits.subscriptions.inUse() === before);
  });

  test("the server's shutdown gives every slot back", async () => {
    const own = await startServer();
    const app = await world();
    const alice = await app.token('alice');
    await sse(alice, VIEWER_EVENTS, own);
    start(connect(alice, own), ROOM_EVENTS);
    await until('two subscriptions', () => own.limits.subscriptions.inUse() === 2);
    await own.http.close();
    await until('their slots to come back', () => own.limits.subscriptions.inUse() === 0);
  });
});

describe('operations per WebSocket', () => {
  test('past the cap, an error for that operation; the socket stays open and works once one ends', async () => {
    const app = await world();
    const admin = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { 'IM-API-KEY': app.apiKey },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
    });
    clients.push(admin);
    const ops = [start(admin, ROOM_EVENTS), start(admin, ROOM_EVENTS)];
    await until('two subscriptions', () => server.limits.subscriptions.inUse() >= 2);
    const refused = start(admin, ROOM_EVENTS);
    await until('the refusal', () => refused.state.ended);
    expect(errorsOf(refused)?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      rateLimit: { policy: 'operations-per-socket', limit: PER_SOCKET },
    });
    expect(ops.every((op) => !op.state.ended)).toBe(true);
    const inUse = server.limits.subscriptions.inUse();
    ops[0]!.stop();
    // Fewer, not exactly one fewer: a stream an earlier test left may end meanwhile too. Generous on a loaded machine.
    await until('the subscription to end', () => server.limits.subscriptions.inUse() < inUse, 15_000);
    expect((await query(admin, '{ room(id: "room") { roomId } }')).data).toEqual({
      room: { roomId: 'room' },
    });
  });
});
