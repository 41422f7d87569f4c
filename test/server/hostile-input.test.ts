import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createAppClient, type AppClient } from '../rest/support/app-client.js';
import { imkitHeaders } from '../rest/support/rest-client.js';

/*
 * Hostile input is a 4xx in the transport's own error shape, never a 500: each input that
 * once caused a 500, over the real HTTP interface and real SQL.
 */

let database: TestDatabase;
let client: AppClient;
let app: TestApp;
let imkit: Record<string, string>;
let bearer: Record<string, string>;

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

const NUL = '\u0000';

beforeAll(async () => {
  database = await createTestDatabase();
  client = createAppClient(database.db);
  app = await createTestApp(database.db, ['alice', 'bob']);
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', name: 'Talk', memberIds: ['bob'] });
  for (const text of ['one', 'two', 'three'])
    await sendMessage(app.as('alice'), { roomId: 'talk', body: text });
  const token = await app.tokenFor('alice');
  imkit = { ...imkitHeaders(app.clientKey, token), 'content-type': 'application/json' };
  bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
});
afterAll(() => database?.close());

function deepArray(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function cursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Sends a raw body (a JSON text that JSON.stringify could not write, e.g. a lone surrogate escape). */
async function rawJson(path: string, method: string, headers: Record<string, string>, body: string) {
  return client.json<Body>(path, { method, headers, body });
}

describe('IMKit: {RC, RM, error: {code, message}}', () => {
  function expectImkit400(status: number, body: Body, says: RegExp): void {
    expect({ status, RC: body['RC'] }).toEqual({ status: 400, RC: 400 });
    expect(body['error']?.message).toMatch(says);
  }

  it('a NUL in the message text, in a message key and in the clientMessageId', async () => {
    for (const message of [`a${NUL}b`, { text: 'hi', [`k${NUL}`]: 1 }]) {
      const { status, body } = await client.json<Body>('/rooms/talk/message', {
        method: 'POST',
        headers: imkit,
        body: JSON.stringify({ message }),
      });
      expectImkit400(status, body, /NUL/);
    }
    const { status, body } = await client.json<Body>('/rooms/talk/message', {
      method: 'POST',
      headers: imkit,
      body: JSON.stringify({ message: 'hi', clientMessageId: `c${NUL}` }),
    });
    expectImkit400(status, body, /clientMessageId.*NUL/);
  });

  it('a lone surrogate in a JSON message', async () => {
    const { status, body } = await rawJson(
      '/rooms/talk/message',
      'POST',
      imkit,
      '{"message":{"text":"broken \\ud800 pair"}}',
    );
    expectImkit400(status, body, /surrogate/);
  });

  it('JSON nested 10,000 levels', async () => {
    const { status, body } = await rawJson(
      '/rooms/talk/message',
      'POST',
      imkit,
      `{"message":${deepArray(10_000)}}`,
    );
    expectImkit400(status, body, /nests deeper than 64 levels/);
  });

  it('a NUL in a room id in the path and in a query parameter', async () => {
    const inPath = await client.json<Body>('/rooms/ta%00lk/messages/v3', { headers: imkit });
    expectImkit400(inPath.status, inPath.body, /id.*NUL/);
    const inQuery = await client.json<Body>('/rooms/talk/messages/v3?beforeMessage=%00', { headers: imkit });
    expectImkit400(inQuery.status, inQuery.body, /beforeMessage.*NUL/);
    // A parameter the route does not read is not refused (nor read).
    const unread = await client.json<Body>('/rooms/talk/messages/v3?unknown=%00', { headers: imkit });
    expect(unread.status).toBe(200);
  });
});

describe('Rocket.Chat: {success: false, error}', () => {
  it('a NUL in the user of the (unauthenticated) login', async () => {
    const { status, body } = await client.json<Body>('/api/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-App-Id': app.appId },
      body: JSON.stringify({ user: `alice${NUL}`, password: 'x' }),
    });
    // The login calls answer in Rocket.Chat's {status: "error"} shape throughout.
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 'error', message: expect.stringMatching(/user.*NUL/) });
  });

  it('a NUL in chat.sendMessage rid', async () => {
    const headers = {
      'X-User-Id': 'alice',
      'X-Auth-Token': await app.tokenFor('alice'),
      'content-type': 'application/json',
    };
    const { status, body } = await client.json<Body>('/api/v1/chat.sendMessage', {
      method: 'POST',
      headers,
      body: JSON.stringify({ message: { rid: `talk${NUL}`, msg: 'hi' } }),
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, error: expect.stringMatching(/NUL/) });
  });
});

describe('Virola: {errorText, httpStatusCode}', () => {
  it('a NUL in the userName of the (unauthenticated) login', async () => {
    const { status, body } = await client.json<Body>('/api/v1/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-App-Id': app.appId },
      body: JSON.stringify({ userName: `alice${NUL}`, password: 'x' }),
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ httpStatusCode: 400, errorText: expect.stringMatching(/userName.*NUL/) });
  });
});

describe('GraphQL: extensions.code BAD_USER_INPUT', () => {
  async function gql(query: string, variables: unknown = {}, raw?: string) {
    return client.json<Body>('/graphql', {
      method: 'POST',
      headers: { ...bearer, accept: 'application/json' },
      body: raw ?? JSON.stringify({ query, variables }),
    });
  }
  function expectBadInput(result: { status: number; body: Body }, says?: RegExp): void {
    const codes = (result.body['errors'] as Body[] | undefined)?.map((e) => e['extensions']?.code);
    expect({ status: result.status, codes }).toEqual({ status: 400, codes: ['BAD_USER_INPUT'] });
    if (says) expect(result.body['errors'][0].message).toMatch(says);
  }
  const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }`;

  it('a NUL in variables: message text, message key, clientMessageId, room id', async () => {
    for (const input of [
      { roomId: 'talk', message: `a${NUL}` },
      { roomId: 'talk', message: { [`k${NUL}`]: 1 } },
      { roomId: 'talk', message: 'hi', clientMessageId: `c${NUL}` },
      { roomId: `talk${NUL}`, message: 'hi' },
    ]) {
      expectBadInput(await gql(SEND, { input }), /NUL/);
    }
  });

  it('a NUL written as an escape in a string literal of the document (nameContains)', async () => {
    const query = `{ viewer { rooms(filter: { nameContains: "a\\u0000b" }) { totalCount } } }`;
    expectBadInput(await gql(query), /NUL/);
  });

  it('a lone surrogate in a JSON message', async () => {
    const raw = `{"query":${JSON.stringify(SEND)},"variables":{"input":{"roomId":"talk","message":{"t":"\\udc00"}}}}`;
    expectBadInput(await gql('', {}, raw), /surrogate/);
  });

  it('JSON nested 10,000 levels in variables', async () => {
    const raw = `{"query":${JSON.stringify(SEND)},"variables":{"input":{"roomId":"talk","message":${deepArray(10_000)}}}}`;
    expectBadInput(await gql('', {}, raw), /nests deeper/);
  });

  it('a global id whose type is an Object.prototype key, or whose key holds a NUL', async () => {
    for (const id of ['constructor:x', '__proto__:x', 'toString:x', `Room:${NUL}x`]) {
      const { status, body } = await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: base64(id) });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body['errors']).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/Invalid global id.*not an id this API issued/),
          extensions: { code: 'BAD_USER_INPUT', field: 'id' },
        }),
      ]);
    }
  });

  it('tampered cursors: values of the wrong type or out of range never reach SQL', async () => {
    const cases: [string, unknown[]][] = [
      ['room(id: "talk") { messages(first: 2, after: $c) { totalCount } }', ['messages|SEQUENCE', 1e23]],
      ['room(id: "talk") { messages(first: 2, after: $c) { totalCount } }', ['messages|SEQUENCE', 'NaN']],
      ['room(id: "talk") { members(first: 2, after: $c) { totalCount } }', ['members', 'not-a-date', 'x']],
      [
        'viewer { rooms(first: 2, after: $c) { totalCount } }',
        ['rooms||LAST_MESSAGE_TIME:DESC', 'not-a-date', 'x'],
      ],
    ];
    for (const [field, values] of cases) {
      const { status, body } = await gql(`query($c: String) { ${field} }`, { c: cursor(values) });
      expect(status, JSON.stringify(values)).toBe(200);
      expect(body['errors']?.[0]?.extensions?.code, JSON.stringify(body)).toBe('BAD_USER_INPUT');
      expect(body['errors'][0].message).toMatch(/not a cursor this API issued/);
    }
  });

  it('a 1 MB username (an indexed column: PostgreSQL refuses index entries over ~2.7 kB)', async () => {
    const UPDATE = `mutation($input: UpdateUserInput!) {
      updateUser(input: $input) { __typename ... on InvalidInputError { field message } }
    }`;
    const { status, body } = await client.json<Body>('/graphql', {
      method: 'POST',
      headers: { 'IM-API-KEY': app.apiKey, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: UPDATE,
        variables: { input: { userId: 'bob', username: 'b'.repeat(1 << 20) } },
      }),
    });
    expect(status).toBe(200);
    expect(body['data']).toEqual({
      updateUser: {
        __typename: 'InvalidInputError',
        field: 'username',
        message: 'A username must be 1 to 128 characters long',
      },
    });
  });

  it("yoga's GET with variables that are not JSON", async () => {
    const response = await client.fetch(
      `/graphql?query=${encodeURIComponent('{ viewer { id } }')}&variables=%7Bnot-json`,
      { headers: { ...bearer, accept: 'application/json' } },
    );
    const body = (await response.json()) as Body;
    expect(response.status).toBe(400);
    expect(body['errors'][0].message).toMatch(/variables/i);
  });

  it('a multipart request whose map is not an object of arrays of paths', async () => {
    for (const map of ['[1]', '{"0":null}', '{"0":[5]}']) {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: '{ viewer { id } }', variables: { file: null } }));
      form.set('map', map);
      form.set('0', new Blob(['hello']), 'a.txt');
      const response = await client.fetch('/graphql', {
        method: 'POST',
        headers: { authorization: bearer['authorization'] ?? '', accept: 'application/json' },
        body: form,
      });
      const body = (await response.json()) as Body;
      expect(response.status, map).toBe(400);
      expect(body['errors'][0]).toMatchObject({
        message: expect.stringMatching(/"map", a JSON object of arrays of paths/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
  });
});
