import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { graphqlLimits } from '../../src/graphql/request-limits.js';
import { createMemoryEventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';

/*
 * A client that goes away mid-answer (closes an SSE stream, aborts a request, drops a
 * WebSocket) is ordinary: it is logged at debug level at most, never as an error, while
 * a real failure still is one.
 */

interface LogLine {
  level: number;
  msg: string;
  err?: { type?: string; code?: string; message?: string };
}

const lines: LogLine[] = [];
const log = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
const WARN = 40;

let database: TestDatabase;
let server: HttpServer;
let app: TestApp;
let token: string;
let bobToken: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ DATA_DIR: ':memory:' });
  const events = createMemoryEventBus({ log });
  const handler = createApp({ db: database.db, config, log, events });
  server = await startHttpServer(handler, {
    port: 0,
    host: '127.0.0.1',
    log,
    shutdownTimeoutMs: 2000,
    upgrade: createGraphQLWebSocketHandler({
      db: database.db,
      log,
      events,
      tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
      limits: graphqlLimits(config),
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    }),
  });
  app = await createTestApp(database.db, ['alice', 'bob']);
  token = await app.tokenFor('alice');
  await createRoom(app.as('bob'), { roomId: 'busy', roomType: 'group', memberIds: ['alice'] });
  bobToken = await app.tokenFor('bob');
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lines at warn level or above logged since `from`, for the failure message. */
function loudLinesSince(from: number): LogLine[] {
  return lines.slice(from).filter((line) => line.level >= WARN);
}

const SUBSCRIPTION = 'subscription { viewerEvents { type } }';

describe('a client that goes away', { timeout: 30_000 }, () => {
  it('closing an SSE subscription mid-stream logs no warning or error', async () => {
    for (let round = 0; round < 5; round++) {
      const from = lines.length;
      const abort = new AbortController();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query: SUBSCRIPTION }),
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read(); // the stream is open (yoga's first keep-alive or event)
      abort.abort();
      await sleep(200);
      expect(loudLinesSince(from)).toEqual([]);
    }
  });

  it('closing an SSE subscription while events are being written logs no warning or error', async () => {
    const from = lines.length;
    let sending = true;
    const send = async () => {
      for (let i = 0; sending; i++) {
        await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bobToken}` },
          body: JSON.stringify({
            query: `mutation { sendMessage(input: { roomId: "busy", message: "m${i}" }) { __typename } }`,
          }),
        });
      }
    };
    const sender = send();
    for (let round = 0; round < 5; round++) {
      const abort = new AbortController();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          query: 'subscription { viewerEvents { type room { unread lastMessage { message } } } }',
        }),
        signal: abort.signal,
      });
      const reader = response.body!.getReader();
      for (let read = 0; read < 3; read++) await reader.read(); // events are flowing
      abort.abort();
      await sleep(50);
    }
    sending = false;
    await sender;
    await sleep(200);
    expect(loudLinesSince(from)).toEqual([]);
  });

  it('a socket reset mid-stream logs no warning or error', async () => {
    const from = lines.length;
    const body = JSON.stringify({ query: SUBSCRIPTION });
    const socket = connect(server.port, '127.0.0.1');
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => socket.once('data', resolve));
    socket.resetAndDestroy();
    await sleep(300);
    expect(loudLinesSince(from)).toEqual([]);
  });

  it('aborting a request while sending its body logs no warning or error', async () => {
    const from = lines.length;
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"query":`,
    );
    await sleep(100);
    socket.resetAndDestroy();
    await sleep(300);
    expect(loudLinesSince(from)).toEqual([]);
  });

  it('dropping a WebSocket with a subscription open logs no warning or error', async () => {
    const from = lines.length;
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
    await sleep(200);
    ws.terminate();
    await sleep(300);
    expect(loudLinesSince(from)).toEqual([]);
  });
});

describe('a real failure', () => {
  it('writing a response whose body fails is still an error', async () => {
    const from = lines.length;
    const broken = await startHttpServer(
      () =>
        Promise.resolve(
          new Response(
            new ReadableStream({
              pull: () => Promise.reject(new Error('the stream broke')),
            }),
            { headers: { 'content-type': 'text/event-stream' } },
          ),
        ),
      { port: 0, host: '127.0.0.1', log, shutdownTimeoutMs: 1000 },
    );
    try {
      await fetch(broken.url)
        .then((r) => r.text())
        .catch(() => undefined);
      await sleep(100);
      expect(loudLinesSince(from)).toMatchObject([
        { level: 50, msg: 'failed to write a response', err: { message: 'the stream broke' } },
      ]);
    } finally {
      await broken.close();
    }
  });
});
