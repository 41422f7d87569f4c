import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createAppClient, type AppClient } from '../rest/support/app-client.js';
import { rocketchatLogin, virolaLogin } from '../rest/support/logins.js';

/*
 * Cross-site request forgery over HTTP, and the REST routes' CORS answers: what a page of
 * another site can make a browser send with the Virola session cookie, through the app's
 * fetch handler. Same origin here is http://chat.test.
 */

const ALLOWED = 'https://app.example';
const EVIL = 'http://evil.example';
const SEND = 'mutation { sendMessage(input: { roomId: "talk", message: "forged" }) { __typename } }';
const TEXTS = '{ room(id: "talk") { messages(first: 50) { edges { node { message } } } } }';

let database: TestDatabase;
let client: AppClient;
let app: TestApp;
let bearer: Record<string, string>;

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

beforeAll(async () => {
  database = await createTestDatabase();
  client = createAppClient(database.db, { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });
  app = await createTestApp(database.db, ['bob']);
  await createUser(database.db, app.appId, 'alice', { nickname: 'Alice', password: 'alice-pass' });
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', name: 'Talk', memberIds: ['bob'] });
  bearer = { authorization: `Bearer ${await app.tokenFor('alice')}` };
});
afterAll(() => database?.close());

async function session(): Promise<string> {
  return (await virolaLogin(client, app.appId, 'alice', 'alice-pass')).cookie;
}

/** The texts of the room's messages, read with a token. */
async function texts(): Promise<unknown[]> {
  const { data } = await client.expectData<{
    room: { messages: { edges: { node: { message: unknown } }[] } };
  }>(TEXTS, { headers: bearer });
  return data.room.messages.edges.map((edge) => edge.node.message);
}

async function graphql(init: RequestInit, search = ''): Promise<{ status: number; body: Body }> {
  const response = await client.fetch(`/graphql${search}`, init);
  return { status: response.status, body: (await response.json()) as Body };
}

function form(query: string): URLSearchParams {
  return new URLSearchParams({ query });
}

function multipart(query: string): FormData {
  const data = new FormData();
  data.set('operations', JSON.stringify({ query }));
  data.set('map', '{}');
  return data;
}

function expectCrossSiteRefusal(result: { status: number; body: Body }, says: RegExp): void {
  expect(result.status).toBe(403);
  expect(result.body['data']).toBeUndefined();
  expect(result.body['errors']).toHaveLength(1);
  expect(result.body['errors'][0]).toMatchObject({
    message: expect.stringMatching(says),
    extensions: { code: 'FORBIDDEN', reason: 'CROSS_SITE_REQUEST' },
  });
}

describe('CORS_ORIGINS', () => {
  it('takes comma-separated origins, normalized; refuses "*", "null", paths and bare hosts', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://App.example:443/, http://localhost:5173' }).CORS_ORIGINS,
    ).toEqual(['https://app.example', 'http://localhost:5173']);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS: "\*" is not allowed/);
    for (const bad of ['null', 'https://app.example/path', 'app.example', 'ftp://app.example'])
      expect(() => loadConfig({ CORS_ORIGINS: `${ALLOWED},${bad}` }), bad).toThrow(
        /CORS_ORIGINS: .* is not an origin/,
      );
  });
});

describe('GraphQL over HTTP with the session cookie', () => {
  it('refuses a form post (urlencoded, multipart) and a GET query: 403 saying why, nothing written', async () => {
    const cookie = await session();
    const before = await texts();
    for (const [name, body] of [
      ['urlencoded', form(SEND)],
      ['multipart', multipart(SEND)],
    ] as const) {
      const result = await graphql({ method: 'POST', headers: { cookie }, body });
      expectCrossSiteRefusal(result, /content type or one of the headers/);
      expect(await texts(), name).toEqual(before);
    }
    // Even as a plain-text body (what a no-cors fetch may send), and from a page of the same origin.
    const plain = await graphql({
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain;charset=UTF-8', origin: 'http://chat.test' },
      body: JSON.stringify({ query: SEND }),
    });
    expectCrossSiteRefusal(plain, /content type or one of the headers/);
    const link = await graphql(
      { headers: { cookie, accept: 'application/json' } },
      `?query=${encodeURIComponent('{ viewer { userId } }')}`,
    );
    expectCrossSiteRefusal(link, /content type or one of the headers/);
    expect(await texts()).toEqual(before);
  });

  it('runs a JSON post, and a GET or form post with a CSRF header', async () => {
    const cookie = await session();
    const json = await graphql({
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { userId } }' }),
    });
    expect(json).toEqual({ status: 200, body: { data: { viewer: { userId: 'alice' } } } });
    for (const header of ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name']) {
      const get = await graphql(
        { headers: { cookie, [header]: '1', accept: 'application/json' } },
        `?query=${encodeURIComponent('{ viewer { userId } }')}`,
      );
      expect(get, header).toEqual({ status: 200, body: { data: { viewer: { userId: 'alice' } } } });
    }
    const sent = await graphql({
      method: 'POST',
      headers: { cookie, 'x-graphql-yoga-csrf': '1' },
      body: form(
        'mutation { sendMessage(input: { roomId: "talk", message: "with a header" }) { __typename } }',
      ),
    });
    expect(sent).toEqual({
      status: 200,
      body: { data: { sendMessage: { __typename: 'SendMessagePayload' } } },
    });
    expect(await texts()).toContain('with a header');
  });

  it('refuses the cookie from a page of a foreign origin even as JSON; allowed and same origin work', async () => {
    const cookie = await session();
    const ask = (origin: string) =>
      graphql({
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { userId } }' }),
      });
    expectCrossSiteRefusal(await ask(EVIL), /not accepted from http:\/\/evil\.example/);
    for (const origin of [ALLOWED, 'http://localhost:5173', 'http://chat.test', 'https://chat.test']) {
      const result = await ask(origin);
      expect(result.body, origin).toEqual({ data: { viewer: { userId: 'alice' } } });
    }
  });

  it('leaves header credentials alone: a token works with any content type, from any origin', async () => {
    const cookie = await session();
    const before = (await texts()).length;
    for (const body of [
      form('mutation { sendMessage(input: { roomId: "talk", message: "token form" }) { __typename } }'),
      multipart(
        'mutation { sendMessage(input: { roomId: "talk", message: "token multipart" }) { __typename } }',
      ),
    ]) {
      // The cookie beside the token is not what authenticates the request: the header is.
      const result = await graphql({ method: 'POST', headers: { ...bearer, cookie, origin: EVIL }, body });
      expect(result).toEqual({
        status: 200,
        body: { data: { sendMessage: { __typename: 'SendMessagePayload' } } },
      });
    }
    const get = await graphql(
      { headers: { ...bearer, origin: EVIL, accept: 'application/json' } },
      `?query=${encodeURIComponent('{ viewer { userId } }')}`,
    );
    expect(get.body).toEqual({ data: { viewer: { userId: 'alice' } } });
    expect((await texts()).length).toBe(before + 2);
  });

  it('CORS: credentials only for trusted origins; other origins keep yoga’s answer without them', async () => {
    const preflight = (origin: string) =>
      client.fetch('/graphql', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await preflight(EVIL);
    expect(foreign.headers.get('access-control-allow-origin')).toBe(EVIL);
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('REST and the session cookie', () => {
  it('GET /api/v1/logout is a 405 (Allow: POST) in the dialect’s shape, and the session lives on', async () => {
    const cookie = await session();
    const virola = await client.json<Body>('/api/v1/logout', { headers: { cookie } });
    expect(virola.status).toBe(405);
    expect(virola.response.headers.get('allow')).toBe('POST');
    expect((await client.json('/api/v1/status', { headers: { cookie } })).status).toBe(200);

    await createUser(database.db, app.appId, 'carol', { nickname: 'Carol', password: 'carol-pass' });
    const rc = await rocketchatLogin(client, app.appId, 'carol', 'carol-pass');
    const refused = await client.json<Body>('/api/v1/logout', { headers: rc });
    expect(refused.status).toBe(405);
    expect(refused.response.headers.get('allow')).toBe('POST');
    expect((await client.json('/api/v1/me', { headers: rc })).status).toBe(200);
  });

  it('refuses a cookie write from a foreign origin (403, Virola shape); allowed, same origin and no origin work', async () => {
    const logout = (cookie: string, headers: Record<string, string>) =>
      client.json<Body>('/api/v1/logout', { method: 'POST', headers: { cookie, ...headers } });
    for (const headers of [
      { origin: EVIL },
      { origin: 'null' },
      { referer: `${EVIL}/page.html` }, // no Origin: the Referer tells
    ]) {
      const cookie = await session();
      const refused = await logout(cookie, headers);
      expect([refused.status, refused.body], JSON.stringify(headers)).toEqual([
        403,
        { errorText: expect.stringMatching(/session cookie is not accepted/), httpStatusCode: 403 },
      ]);
      expect((await client.json('/api/v1/status', { headers: { cookie } })).status).toBe(200);
    }
    for (const headers of [
      { origin: ALLOWED },
      { origin: 'http://chat.test' },
      { referer: `${ALLOWED}/x` },
      {},
    ]) {
      const cookie = await session();
      expect((await logout(cookie, headers)).status, JSON.stringify(headers)).toBe(200);
      expect((await client.json('/api/v1/status', { headers: { cookie } })).status).toBe(401);
    }
  });

  it('answers CORS preflights for trusted origins only, with the route table’s methods and every dialect’s headers', async () => {
    const preflight = (path: string, origin: string) =>
      client.fetch(path, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-auth-token',
        },
      });
    const allowed = await preflight('/api/v1/logout', ALLOWED);
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    const headers = allowed.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/);
    for (const name of [
      'im-api-key',
      'im-client-key',
      'im-authorization',
      'im-client-id',
      'authorization',
      'x-user-id',
      'x-auth-token',
      'x-app-id',
      'content-type',
    ])
      expect(headers).toContain(name);
    const imkit = await preflight('/rooms/talk/lastRead', 'http://localhost:5173');
    expect(imkit.status).toBe(204);
    expect(imkit.headers.get('access-control-allow-methods')).toBe('PUT');

    const foreign = await preflight('/api/v1/logout', EVIL);
    expect(foreign.status).toBe(204);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight('/no/such/route', ALLOWED)).status).toBe(404);
  });

  it('adds Access-Control-Allow-Origin to REST answers for trusted origins only', async () => {
    const cookie = await session();
    const read = (origin: string) => client.fetch('/api/v1/rooms', { headers: { cookie, origin } });
    const allowed = await read(ALLOWED);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const foreign = await read(EVIL);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
