import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { setPeerAddress } from '../../src/limits/client-address.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * Password and API-key guessing, over HTTP through the app's fetch handler: the TCP peer
 * is recorded on each Request the way src/server.ts records it. Per account (5 failures
 * in 15 minutes, then 429 even for the right password), per client address (20 login
 * attempts a minute; 20 wrong API keys a minute), and X-Forwarded-For believed only from
 * TRUSTED_PROXIES. Time moves with setSystemTime, never by sleeping.
 */

let database: TestDatabase;
let tenant: TestApp;
const PASSWORD = 'right-password';

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await createTestApp(database.db);
});
afterAll(() => database?.close());
afterEach(() => {
  vi.useRealTimers();
});

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}`;
const silent = createLogger('silent');

function appWith(env: Record<string, string> = {}): FetchHandler {
  return createApp({ db: database.db, config: loadConfig({ DATA_DIR: ':memory:', ...env }), log: silent });
}

function send(
  app: FetchHandler,
  path: string,
  init: { from: string; headers?: Record<string, string>; body?: unknown },
): Promise<Response> {
  const request = new Request(new URL(path, 'http://chat.test'), {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  setPeerAddress(request, init.from);
  return app(request);
}

const dialects = {
  rocketchat: (user: string, password: string) => ({ user, password }),
  virola: (user: string, password: string) => ({ userName: user, password }),
} as const;
type Dialect = keyof typeof dialects;

function login(
  app: FetchHandler,
  dialect: Dialect,
  user: string,
  password: string,
  from: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return send(app, '/api/v1/login', {
    from,
    headers: { 'x-app-id': tenant.appId, ...headers },
    body: dialects[dialect](user, password),
  });
}

async function newUser(): Promise<string> {
  const name = unique('user');
  await createUser(database.db, tenant.appId, name, { password: PASSWORD });
  return name;
}

function expectLimited(response: Response, dialect: Dialect | 'graphql'): Promise<unknown> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(response.headers.get('ratelimit-policy')).toMatch(/;q=\d+;w=\d+$/);
  expect(response.headers.get('ratelimit')).toMatch(/;r=0;t=\d+$/);
  return response.json().then((body: unknown) => {
    if (dialect === 'rocketchat')
      expect(body).toEqual({
        status: 'error',
        error: 'error-too-many-requests',
        message: expect.stringMatching(/too many requests/i),
      });
    else if (dialect === 'virola')
      expect(body).toEqual({ httpStatusCode: 429, errorText: expect.stringMatching(/too many requests/i) });
    return body;
  });
}

describe.each(['rocketchat', 'virola'] as const)('%s login, per account', (dialect) => {
  it('refuses the 6th attempt after 5 failures, the right password included, until the window ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-01-01T10:00:00Z');
    vi.setSystemTime(start);
    const app = appWith();
    const user = await newUser();
    for (let i = 0; i < 5; i++)
      expect((await login(app, dialect, user, `wrong-${i}`, `198.51.100.${i + 1}`)).status).toBe(401);

    const refused = await login(app, dialect, user, PASSWORD, '198.51.100.50');
    await expectLimited(refused, dialect);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(14 * 60);

    vi.setSystemTime(new Date(start.getTime() + 14 * 60 * 1000));
    expect((await login(app, dialect, user, PASSWORD, '198.51.100.51')).status).toBe(429);
    vi.setSystemTime(new Date(start.getTime() + 15 * 60 * 1000 + 1000));
    expect((await login(app, dialect, user, PASSWORD, '198.51.100.52')).status).toBe(200);
  });

  it('counts a user by who they are: their id and their username share one count', async () => {
    const app = appWith();
    const user = await newUser();
    const id = `id-${user}`;
    await createUser(database.db, tenant.appId, id, { username: `${user}-name`, password: PASSWORD });
    for (let i = 0; i < 3; i++) await login(app, dialect, id, `wrong-${i}`, '198.51.100.60');
    for (let i = 0; i < 2; i++) await login(app, dialect, `${user}-name`, `wrong-${i}`, '198.51.100.61');
    expect((await login(app, dialect, id, PASSWORD, '198.51.100.62')).status).toBe(429);
  });

  it('forgets the failures after a success', async () => {
    const app = appWith();
    const user = await newUser();
    for (let i = 0; i < 4; i++) await login(app, dialect, user, `wrong-${i}`, '198.51.100.70');
    expect((await login(app, dialect, user, PASSWORD, '198.51.100.70')).status).toBe(200);
    // Counted from zero again: five more failures are 401s (without the reset the 2nd would be refused), then 429.
    for (let i = 0; i < 5; i++)
      expect((await login(app, dialect, user, `wrong-${i}`, '198.51.100.71')).status).toBe(401);
    expect((await login(app, dialect, user, PASSWORD, '198.51.100.72')).status).toBe(429);
  });

  it('treats an unknown user the same: 401s, then 429 from the 6th attempt', async () => {
    const app = appWith();
    const nobody = unique('nobody');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await login(app, dialect, nobody, `wrong-${i}`, `198.51.100.${80 + i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('login, per client address', () => {
  it('refuses the 21st attempt a minute from one address, over any accounts and both dialects', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-01-02T10:00:00Z');
    vi.setSystemTime(start);
    const app = appWith();
    const user = await newUser();
    const from = '203.0.113.10';
    for (let i = 0; i < 19; i++)
      expect((await login(app, i % 2 ? 'virola' : 'rocketchat', unique('spray'), 'wrong', from)).status).toBe(
        401,
      );
    expect((await login(app, 'rocketchat', user, PASSWORD, from)).status).toBe(200);
    await expectLimited(await login(app, 'virola', user, PASSWORD, from), 'virola');
    await expectLimited(await login(app, 'rocketchat', unique('spray'), 'wrong', from), 'rocketchat');
    // Another address is not affected; this one may try again in the next minute.
    expect((await login(app, 'rocketchat', user, PASSWORD, '203.0.113.11')).status).toBe(200);
    vi.setSystemTime(new Date(start.getTime() + 61 * 1000));
    expect((await login(app, 'rocketchat', user, PASSWORD, from)).status).toBe(200);
  });

  it('follows LOGIN_MAX_ATTEMPTS_PER_IP', async () => {
    const app = appWith({ LOGIN_MAX_ATTEMPTS_PER_IP: '3' });
    const from = '203.0.113.12';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await login(app, 'virola', unique('s'), 'wrong', from)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('counts an IPv6 client by its /64: rotating through its own addresses changes nothing', async () => {
    const app = appWith({ LOGIN_MAX_ATTEMPTS_PER_IP: '3' });
    const statuses: number[] = [];
    for (const from of [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff::9',
      '[2001:0db8:0001:0002:0:0:0:7]:443',
      '2001:db8:1:2:a:b:c:d',
    ])
      statuses.push((await login(app, 'virola', unique('v6'), 'wrong', from)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The next /64 is someone else.
    expect((await login(app, 'virola', unique('v6'), 'wrong', '2001:db8:1:3::1')).status).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const app = appWith({ TRUSTED_PROXIES: '10.0.0.0/8' });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await login(app, 'virola', unique('xff'), 'wrong', '203.0.113.20', {
        'x-forwarded-for': `192.0.2.${i + 1}`,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it('believes X-Forwarded-For from a trusted proxy: the right-most address that is not one of them', async () => {
    const app = appWith({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' });
    // Each client behind the proxies has its own budget, whatever the client itself wrote on the left.
    for (let i = 0; i < 25; i++) {
      const response = await login(app, 'rocketchat', unique('behind'), 'wrong', '127.0.0.1', {
        'x-forwarded-for': `203.0.113.99, 192.0.2.${i + 1}, 10.1.2.3`,
      });
      expect(response.status).toBe(401);
    }
    // One client behind them is counted as itself, however many forged addresses it adds on the left.
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await login(app, 'rocketchat', unique('behind'), 'wrong', '::ffff:127.0.0.1', {
        'x-forwarded-for': `198.18.0.${i + 1}, 192.0.2.200`,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

describe('wrong API keys, per client address', () => {
  const graphql = (app: FetchHandler, apiKey: string, from: string) =>
    send(app, '/graphql', {
      from,
      headers: { accept: 'application/json', 'im-api-key': apiKey },
      body: { query: '{ viewer { __typename } }' },
    });

  it('GraphQL: 20 wrong keys, then RATE_LIMITED before any key is looked up, the right one included', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-01-03T10:00:00Z');
    vi.setSystemTime(start);
    const app = appWith();
    const from = '203.0.113.30';
    for (let i = 0; i < 20; i++) {
      const response = await graphql(app, `sk_guess${i}`, from);
      expect(response.status).toBe(401);
    }
    const refused = await graphql(app, tenant.apiKey, from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number),
    });
    expect((await graphql(app, tenant.apiKey, '203.0.113.31')).status).toBe(200);
    vi.setSystemTime(new Date(start.getTime() + 61 * 1000));
    expect((await graphql(app, tenant.apiKey, from)).status).toBe(200);
  });

  it('REST (IMKit, IM-API-KEY and Bearer sk_...): the same count, 429 in the dialect shape', async () => {
    const app = appWith({ AUTH_MAX_FAILURES_PER_IP: '4' });
    const prefix = loadConfig({}).IMKIT_PREFIX;
    const from = '203.0.113.40';
    const rooms = (headers: Record<string, string>) => send(app, `${prefix}/rooms`, { from, headers });
    expect((await rooms({ 'IM-API-KEY': 'sk_wrong1' })).status).toBe(401);
    expect((await rooms({ authorization: 'Bearer sk_wrong2' })).status).toBe(401);
    expect((await rooms({ 'IM-API-KEY': 'sk_wrong3' })).status).toBe(401);
    // A wrong client token is routine (expired, revoked) and 256 bits long: it does not count.
    expect((await rooms({ authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await rooms({ authorization: 'Bearer sk_wrong4' })).status).toBe(401);
    const refused = await rooms({ 'IM-API-KEY': tenant.apiKey });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await refused.json()).toMatchObject({ RC: expect.any(Number), error: { code: 'RATE_LIMITED' } });
    // Client tokens from that address still work: only API keys are refused.
    const token = await tenant.tokenFor(await newUser());
    expect((await rooms({ 'IM-CLIENT-KEY': tenant.clientKey, 'IM-Authorization': token })).status).toBe(200);
  });
});
