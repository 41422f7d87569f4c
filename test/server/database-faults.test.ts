import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { testDriver } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { startPrivatePostgres, type PrivatePostgres } from '../chaos/postgres.js';

/*
 * The process against its database failing: chat-bff on a PostgreSQL of the test's own,
 * which is crashed (`pg_ctl stop -m immediate`), frozen (SIGSTOP) and starved of
 * connections while clients keep asking. The process must live (an unhandled 'error'
 * from a checked-out pg client used to kill it), answer every request with a 503 and
 * Retry-After in its transport's shape within the deadline, and serve again as soon as
 * the database is back. Runs in the PostgreSQL pass only (it needs root and Debian's
 * server binaries, and its own server makes the driver of the pass irrelevant).
 */

const REQUEST_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 1000;
const POOL_MAX = 4;

let postgres: PrivatePostgres;
let setup: DatabaseHandle;
let server: RunningServer;
let app: TestApp;
let token: string;

interface Answer {
  kind: 'graphql' | 'imkit' | 'rocketchat' | 'virola' | 'send';
  status: number;
  ms: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

async function call(kind: Answer['kind'], sequence = 0): Promise<Answer> {
  const started = performance.now();
  let response: Response;
  if (kind === 'imkit') {
    response = await fetch(`${server.url}/rooms?limit=5`, {
      headers: { 'IM-CLIENT-KEY': app.clientKey, 'IM-Authorization': token },
    });
  } else if (kind === 'rocketchat' || kind === 'virola') {
    response =
      kind === 'rocketchat'
        ? await fetch(`${server.url}/api/v1/rooms.get`, {
            headers: { 'X-User-Id': 'alice', 'X-Auth-Token': token },
          })
        : await fetch(`${server.url}/api/v1/rooms`, { headers: { authorization: `Bearer ${token}` } });
  } else {
    const query =
      kind === 'graphql'
        ? '{ viewer { userId rooms(first: 5) { edges { node { roomId unread lastMessage { messageId } } } } } }'
        : `mutation { sendMessage(input: { roomId: "fault-room", message: "m${sequence}", clientMessageId: "c${sequence}" }) { __typename } }`;
    response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
  }
  const text = await response.text();
  return {
    kind,
    status: response.status,
    ms: performance.now() - started,
    retryAfter: response.headers.get('retry-after'),
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

/**
 * Whether an answer is a proper "try again" in its transport's own words: 503 with
 * Retry-After, or for GraphQL a partial answer (say the viewer, from the token cache)
 * whose failed fields carry SERVICE_UNAVAILABLE (GraphQL over HTTP wants 2xx with data).
 */
function isServiceUnavailable(answer: Answer): boolean {
  const retry = answer.status === 503 && answer.retryAfter === '1';
  if (answer.kind === 'imkit') {
    const error = answer.body['error'] as { code?: string } | undefined;
    return retry && answer.body['RC'] === 503 && error?.code === 'SERVICE_UNAVAILABLE';
  }
  if (answer.kind === 'rocketchat')
    return (
      retry && answer.body['success'] === false && answer.body['errorType'] === 'error-service-unavailable'
    );
  if (answer.kind === 'virola')
    return retry && answer.body['httpStatusCode'] === 503 && typeof answer.body['errorText'] === 'string';
  const errors = (answer.body['errors'] ?? []) as { extensions?: { code?: string } }[];
  if (!errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) return false;
  const data = answer.body['data'] as Record<string, unknown> | null | undefined;
  const partial = data != null && Object.values(data).some((value) => value !== null);
  return partial ? answer.status === 200 : answer.status === 503 && answer.retryAfter === '1';
}

function isSuccess(answer: Answer): boolean {
  return answer.status === 200 && !('errors' in answer.body);
}

/** Sends a mix of reads and writes from `clients` loops until stop() is called; every answer is kept. */
function keepAsking(clients: number): { answers: Answer[]; stop(): Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  let sequence = 0;
  const kinds: Answer['kind'][] = ['graphql', 'imkit', 'send', 'rocketchat', 'virola'];
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; running && i < 10_000; i++) {
      answers.push(await call(kinds[(client + i) % kinds.length] as Answer['kind'], sequence++));
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function untilSuccess(kind: Answer['kind'], withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if (isSuccess(await call(kind))) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no successful ${kind} request within ${withinMs} ms`);
}

let socket: Client | undefined;

/** Runs a query over one GraphQL WebSocket, opened at its first use and kept. */
async function socketQuery(query: string): Promise<ExecutionResult> {
  socket ??= createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  return new Promise((resolve, reject) => {
    let result: ExecutionResult = {};
    socket?.subscribe(
      { query },
      { next: (r) => (result = r as ExecutionResult), error: reject, complete: () => resolve(result) },
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(testDriver() === 'postgres' && existsSync('/usr/lib/postgresql/15/bin/initdb'))(
  'database faults',
  { timeout: 90_000 },
  () => {
    beforeAll(async () => {
      postgres = await startPrivatePostgres();
      const config = loadConfig({ DATABASE_URL: postgres.url(), DB_POOL_MAX: '2' });
      setup = await createDatabase(config);
      await migrateToLatest(setup.db);
      app = await createTestApp(setup.db, ['alice', 'bob']);
      await createRoom(app.as('alice'), { roomId: 'fault-room', roomType: 'group', memberIds: ['bob'] });
      token = await app.tokenFor('alice');
      server = await startServer({
        config: loadConfig({
          DATABASE_URL: postgres.url(),
          PORT: '0',
          DB_POOL_MAX: String(POOL_MAX),
          DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
          REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          // Its load sends as fast as it can (as the chaos harness does): the write limits are not under test here.
          RATE_LIMITS_ENABLED: 'false',
          LOG_LEVEL: 'silent',
        }),
        log: createLogger('silent'),
      });
    }, 120_000);

    afterAll(async () => {
      await socket?.dispose();
      await server?.shutdown();
      await setup?.close();
      await postgres?.dispose();
    });

    it('a crash: 503s with Retry-After while it is down, never a 500, service within a second of its return', async () => {
      const load = keepAsking(8);
      await sleep(500);
      await postgres.stopImmediate();
      const downFrom = load.answers.length;
      await sleep(1500);
      // Every answer given while the database was down is a "try again" in its own shape, and quick.
      const whileDown = load.answers.slice(downFrom + 8); // the first few were in flight at the crash
      expect(whileDown.length).toBeGreaterThan(10);
      expect(whileDown.filter((a) => !isServiceUnavailable(a))).toEqual([]);
      expect(Math.max(...whileDown.map((a) => a.ms))).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);

      await postgres.start();
      expect(await untilSuccess('graphql', 5000)).toBeLessThan(1500);
      expect(await untilSuccess('send', 5000)).toBeLessThan(1500);
      // Every dialect said "try again" in its own words while it was down.
      for (const kind of ['graphql', 'imkit', 'rocketchat', 'virola', 'send'] as const)
        expect(whileDown.some((a) => a.kind === kind)).toBe(true);
      await sleep(300);
      await load.stop();
      expect(load.answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
      expect(load.answers.slice(-8).filter((a) => !isSuccess(a))).toEqual([]);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    });

    it('frozen (SIGSTOP): nothing waits past the deadline, /readyz answers within a second, service on thaw', async () => {
      await untilSuccess('graphql', 5000);
      expect((await socketQuery('{ viewer { userId } }')).errors).toBeUndefined(); // the socket is open
      postgres.freeze();
      try {
        const answers = await Promise.all([
          call('graphql'),
          call('imkit'),
          call('send', 1_000_001),
          call('graphql'),
          call('imkit'),
          call('send', 1_000_002),
        ]);
        expect(answers.filter((a) => !isServiceUnavailable(a))).toEqual([]);
        expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
        // An operation on an open WebSocket has the same deadline.
        const wsStarted = performance.now();
        const result = await socketQuery('{ viewer { rooms(first: 5) { totalCount } } }');
        expect(performance.now() - wsStarted).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
        expect(result.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
        const started = performance.now();
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(performance.now() - started).toBeLessThan(1500);
      } finally {
        postgres.thaw();
      }
      expect(await untilSuccess('graphql', 5000)).toBeLessThan(1500);
      expect(await untilSuccess('imkit', 5000)).toBeLessThan(1500);
    });

    it('pool exhausted by slow statements: 503 after the acquire timeout, the slow statements cancelled, service after', async () => {
      await untilSuccess('send', 5000);
      // Another session locks the messages table: every read and send of it waits.
      const locker = new pg.Client({ connectionString: postgres.url() });
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query('lock table messages in access exclusive mode');
        const answers = await Promise.all(
          Array.from({ length: POOL_MAX * 3 }, (_, i) => call(i % 2 ? 'send' : 'graphql', 2_000_000 + i)),
        );
        expect(answers.filter((a) => !isServiceUnavailable(a))).toEqual([]);
        expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
        // The statements given up on were cancelled, not left waiting on the lock.
        await sleep(500);
        const waiting = await locker.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where application_name = 'chat-bff' and wait_event_type = 'Lock'",
        );
        expect(waiting.rows[0]?.n).toBe(0);
      } finally {
        await locker.query('rollback').catch(() => {});
        await locker.end();
      }
      expect(await untilSuccess('send', 5000)).toBeLessThan(1000);
    });
  },
);
