import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createEventBus, createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer, openSse, type SseSubscription } from '../support/graphql-client.js';
import { silentLog } from '../support/in-process-app.js';

/*
 * Scale-out: two server instances on one PostgreSQL and one Redis, as behind a load
 * balancer. A client subscribed on one instance hears writes made through the other.
 * PGlite is one process's embedded database, so this runs on PostgreSQL only
 * (TEST_DATABASE_URL); Redis is the machine's (127.0.0.1:6379, or TEST_REDIS_URL).
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let database: TestDatabase;
beforeAll(async () => {
  if (onPostgres) database = await createTestDatabase();
});
afterAll(() => database?.close());

function instanceConfig(): Config {
  return loadConfig({
    DATABASE_URL: database.env['DATABASE_URL'] ?? '',
    REDIS_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DB_POOL_MAX: '3',
    SHUTDOWN_TIMEOUT_MS: '3000',
  });
}

async function roomOf(app: TestApp): Promise<void> {
  const { createRoom } = await import('../../src/domain/rooms/room.service.js');
  await createRoom(app.as('alice'), { roomId: 'lobby', roomType: 'group', memberIds: ['bob'] });
}

describe.skipIf(!onPostgres)(
  'two server instances (main.ts) with REDIS_URL, over WebSocket [PostgreSQL only: set TEST_DATABASE_URL; PGlite cannot be shared by two instances]',
  () => {
    const servers: RunningServer[] = [];
    const clients: Client[] = [];
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      await Promise.all(servers.map((s) => s.shutdown()));
    });

    function client(server: RunningServer, token: string): Client {
      const created = createClient({
        url: `${server.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      clients.push(created);
      return created;
    }

    function run<T>(c: Client, query: string): Promise<T> {
      return new Promise((resolve, reject) => {
        let data: T | undefined;
        c.subscribe<T>(
          { query },
          {
            next: (value) => {
              if (value.errors) reject(new Error(JSON.stringify(value.errors)));
              data = value.data as T;
            },
            error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
            complete: () => resolve(data as T),
          },
        );
      });
    }

    test('a subscriber on instance A hears a message sent through instance B, and the other way round', async () => {
      const [a, b] = await Promise.all([
        startServer({ config: instanceConfig(), log: silentLog }),
        startServer({ config: instanceConfig(), log: silentLog }),
      ]);
      servers.push(a, b);
      expect(a.url).not.toBe(b.url);
      const app = await createTestApp(database.db, ['alice', 'bob']);
      await roomOf(app);
      const bobOnA = client(a, await app.tokenFor('bob'));
      const aliceOnB = client(b, await app.tokenFor('alice'));

      const roomEvents = bobOnA.iterate<{ roomEvents: { type: string; message: { message: unknown } } }>({
        query: 'subscription { roomEvents(roomId: "lobby") { type message { message } } }',
      });
      const viewerEvents = bobOnA.iterate<{ viewerEvents: { type: string; room: { unread: number } } }>({
        query: 'subscription { viewerEvents { type room { unread } } }',
      });
      // Both subscriptions are set up (SUBSCRIBEs acknowledged by Redis) before an operation sent after them answers.
      await run(bobOnA, '{ viewer { userId } }');
      await new Promise((r) => setTimeout(r, 200));

      await run(
        aliceOnB,
        'mutation { sendMessage(input: { roomId: "lobby", message: "via B" }) { __typename } }',
      );
      expect((await roomEvents.next()).value).toEqual({
        data: { roomEvents: { type: 'MESSAGE_ADDED', message: { message: 'via B' } } },
      });
      expect((await viewerEvents.next()).value).toEqual({
        data: { viewerEvents: { type: 'MESSAGE_ADDED', room: { unread: 1 } } },
      });

      // And back: alice subscribed on B hears bob writing through A.
      const aliceEvents = aliceOnB.iterate<{ roomEvents: { type: string; message: { message: unknown } } }>({
        query: 'subscription { roomEvents(roomId: "lobby") { type message { message } } }',
      });
      await run(aliceOnB, '{ viewer { userId } }');
      await new Promise((r) => setTimeout(r, 200));
      await run(
        bobOnA,
        'mutation { sendMessage(input: { roomId: "lobby", message: "via A" }) { __typename } }',
      );
      expect((await aliceEvents.next()).value).toEqual({
        data: { roomEvents: { type: 'MESSAGE_ADDED', message: { message: 'via A' } } },
      });
      await Promise.all([roomEvents.return?.(), viewerEvents.return?.(), aliceEvents.return?.()]);
    });
  },
);

describe.skipIf(!onPostgres)(
  'two instances over HTTP: subscribe with SSE on one, write on the other [PostgreSQL only: set TEST_DATABASE_URL]',
  () => {
    interface Instance {
      database: DatabaseHandle;
      events: EventBus;
      http: HttpServer;
    }
    const instances: Instance[] = [];
    const subscriptions: SseSubscription[] = [];
    afterAll(async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
      for (const instance of instances) {
        await instance.http.close();
        await instance.events.close();
        await instance.database.close();
      }
    });

    /** One instance: its own connection pool, its own bus, its own port. */
    async function instance(events: EventBus): Promise<Instance> {
      const config = instanceConfig();
      const handle = await createDatabase(config);
      const app = createApp({
        db: handle.db,
        config,
        log: silentLog,
        events,
      });
      const http = await startHttpServer(app, {
        port: 0,
        host: '127.0.0.1',
        log: silentLog,
        shutdownTimeoutMs: 3000,
      });
      const created = { database: handle, events, http };
      instances.push(created);
      return created;
    }

    async function send(target: Instance, token: string, query: string): Promise<unknown> {
      const response = await fetch(`${target.http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query }),
      });
      return response.json();
    }

    const SUBSCRIPTION =
      'subscription { viewerEvents { type roomId room { unread lastMessage { message } } } }';

    test('through Redis the event crosses instances; with in-process buses it cannot', async () => {
      const app = await createTestApp(database.db, ['alice', 'bob']);
      await roomOf(app);
      const alice = await app.tokenFor('alice');
      const bob = await app.tokenFor('bob');

      const [a, b] = [
        await instance(await createEventBus({ log: silentLog, redisUrl: REDIS_URL })),
        await instance(await createEventBus({ log: silentLog, redisUrl: REDIS_URL })),
      ];
      const onA = await openSse((r) => fetch(r), a.http.url, SUBSCRIPTION, {}, bearer(bob));
      subscriptions.push(onA);
      expect(onA.status).toBe(200);
      expect(
        await send(
          b,
          alice,
          'mutation { sendMessage(input: { roomId: "lobby", message: "across" }) { __typename } }',
        ),
      ).toEqual({
        data: { sendMessage: { __typename: 'SendMessagePayload' } },
      });
      expect(await onA.next()).toEqual({
        data: {
          viewerEvents: {
            type: 'MESSAGE_ADDED',
            roomId: 'lobby',
            room: { unread: 1, lastMessage: { message: 'across' } },
          },
        },
      });

      // The control: the same two instances with in-process buses do not hear each other.
      const [c, d] = [
        await instance(createMemoryEventBus({ log: silentLog })),
        await instance(createMemoryEventBus({ log: silentLog })),
      ];
      const onC = await openSse((r) => fetch(r), c.http.url, SUBSCRIPTION, {}, bearer(bob));
      subscriptions.push(onC);
      await send(
        d,
        alice,
        'mutation { sendMessage(input: { roomId: "lobby", message: "stays on D" }) { __typename } }',
      );
      await onC.expectSilence(500);
      // ...while a write on the subscriber's own instance is heard.
      await send(
        c,
        alice,
        'mutation { sendMessage(input: { roomId: "lobby", message: "on C" }) { __typename } }',
      );
      expect(await onC.next()).toMatchObject({
        data: { viewerEvents: { room: { unread: 3, lastMessage: { message: 'on C' } } } },
      });
    });
  },
);
