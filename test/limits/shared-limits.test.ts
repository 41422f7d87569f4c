import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/processes.js';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createLimits } from '../../src/limits/limits.js';
import {
  createRateLimitStore,
  REDIS_COMMAND_TIMEOUT_MS,
  type RateLimitStoreHandle,
} from '../../src/limits/store.js';
import { startPrivateRedis, type PrivateRedis } from '../chaos/redis.js';
import { bearer } from '../support/graphql-client.js';
import { silentLog } from '../support/in-process-app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';

/*
 * Two app instances with REDIS_URL count against one budget, as behind a load balancer;
 * with that Redis killed, each instance's in-process insurance limiter counts instead, and
 * every request is still answered (a write or a 429), never a 500, never a hang. The Redis
 * is this test's own (a private redis-server on a spare port), never the machine's; so is
 * the one it freezes.
 */

let database: TestDatabase;
let redis: PrivateRedis;
const stores: RateLimitStoreHandle[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis?.dispose();
  await database?.close();
});

/** 5 per 300 s spread (1 per 60 s) plus a burst of 3: 4 sends at once, then one a minute. */
const config = loadConfig({ DATA_DIR: ':memory:', RATE_LIMITS: 'sendMessage=5/300s+3' });

async function instance(url = redis.url): Promise<FetchHandler> {
  const store = createRateLimitStore(url, silentLog);
  stores.push(store);
  if (store.store.kind === 'redis' && store.store.client.status !== 'ready')
    await new Promise((resolve) => store.store.kind === 'redis' && store.store.client.once('ready', resolve));
  return createApp({
    db: database.db,
    config,
    log: silentLog,
    rateLimits: createLimits(config, store.store),
  });
}

function sender(fetch: FetchHandler, token: string) {
  return async (text: string) => {
    const started = performance.now();
    const response = await fetch(
      new Request('http://chat-bff.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({
          query:
            'mutation($text: JSON!) { sendMessage(input: { roomId: "talk", message: $text }) { __typename } }',
          variables: { text },
        }),
      }),
    );
    const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    return {
      status: response.status,
      code: body.errors?.[0]?.extensions?.['code'],
      ms: performance.now() - started,
    };
  };
}

describe('rate limits in Redis (REDIS_URL)', () => {
  test('two instances count against one budget; with Redis killed, each still answers every request', async () => {
    const [one, two] = [await instance(), await instance()];
    const app = await createTestApp(database.db, ['alice', 'bob']);
    await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: ['bob'] });
    const token = await app.tokenFor('alice');
    const viaOne = sender(one, token);
    const viaTwo = sender(two, token);

    // The budget is 4 at once, whichever instance takes the request.
    const shared = [await viaOne('1'), await viaTwo('2'), await viaOne('3'), await viaTwo('4')];
    expect(shared.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const refused = [await viaOne('5'), await viaTwo('6')];
    expect(refused.map((r) => [r.status, r.code])).toEqual([
      [429, 'RATE_LIMITED'],
      [429, 'RATE_LIMITED'],
    ]);

    await redis.kill();
    // Each instance counts in memory now (its insurance limiter): a fresh budget per instance,
    // then 429s; no request fails or waits for Redis.
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await viaOne(`down ${i}`), await viaTwo(`down ${i}`));
    for (const answer of answers) {
      expect([200, 429]).toContain(answer.status);
      expect(answer.ms).toBeLessThan(2000);
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(8);
    expect(answers.slice(-2).map((a) => a.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);

    // Redis back (empty): the shared budget again.
    await redis.start();
    for (const store of stores)
      if (store.store.kind === 'redis' && store.store.client.status !== 'ready')
        await new Promise(
          (resolve) => store.store.kind === 'redis' && store.store.client.once('ready', resolve),
        );
    const bobSend = sender(two, await app.tokenFor('bob'));
    expect((await bobSend('back')).status).toBe(200);
  });

  test('a frozen Redis (SIGSTOP): each limit waits for it at most REDIS_COMMAND_TIMEOUT_MS, then counts in memory', async () => {
    const port = await freePort();
    const frozen = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    try {
      const url = `redis://127.0.0.1:${port}`;
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50 });
      probe.on('error', () => {});
      for (let i = 0; i < 100 && (await probe.ping().catch(() => '')) !== 'PONG'; i += 1)
        await new Promise((r) => setTimeout(r, 50));
      probe.disconnect();
      const fetch = await instance(url);
      const app = await createTestApp(database.db, ['alice']);
      await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: [] });
      const send = sender(fetch, await app.tokenFor('alice'));
      expect((await send('before')).status).toBe(200);

      frozen.kill('SIGSTOP');
      const answers = [];
      for (let i = 0; i < 5; i += 1) answers.push(await send(`frozen ${i}`));
      // Two limits (the user's, the app's), each a steady and a burst part: four waits at most.
      for (const answer of answers) {
        expect([200, 429]).toContain(answer.status);
        expect(answer.ms).toBeLessThan(4 * REDIS_COMMAND_TIMEOUT_MS + 1000);
      }
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
    } finally {
      frozen.kill('SIGCONT');
      frozen.kill('SIGKILL');
    }
  });
});
