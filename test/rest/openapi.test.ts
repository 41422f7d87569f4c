import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMessage, setReaction } from '../../src/domain/messages/message-edit.service.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom, deleteRoom } from '../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../src/domain/rooms/read-state.service.js';
import { updateRoomPref } from '../../src/domain/rooms/pref.service.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { DIALECTS } from '../../src/rest/rest-routes.js';
import { openApiPath } from '../../src/rest/openapi.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { openApiSchemaCheck, type SchemaCheck } from './support/json-schema.js';
import { rocketchatLogin, virolaLogin } from './support/logins.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * /openapi.json against what the routers actually return: every route is documented,
 * and every response of a real call (successes and errors) validates against the
 * schema the document gives for its path, method and status.
 */

let database: TestDatabase;
let client: RestClient;
let doc: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed JSON document, walked freely
let check: SchemaCheck;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  doc = (await client.json('/openapi.json')).body;
  check = openApiSchemaCheck(doc);
});
afterAll(() => database?.close());

interface Call {
  template: string;
  path: string;
  init?: RequestInit;
}

function operationFor(template: string, method: string) {
  return doc.paths[template]?.[method.toLowerCase()];
}

async function checkCall({ template, path, init }: Call): Promise<number> {
  const method = init?.method ?? 'GET';
  const response = await client.fetch(path, init);
  const op = operationFor(template, method);
  expect(op, `${method} ${template} is documented`).toBeDefined();
  const documented = op.responses[String(response.status)];
  expect(documented, `${method} ${path} answered ${response.status}, which the document lists`).toBeDefined();
  const content = documented.content ?? {};
  if (content['application/json']?.schema) {
    const body = await response.json();
    const pointer = ['paths', template, method.toLowerCase(), 'responses', String(response.status)];
    expect(
      check(body, [...pointer, 'content', 'application/json', 'schema']),
      `${method} ${path} -> ${response.status}`,
    ).toEqual([]);
  } else {
    expect(Object.keys(content)[0]).toMatch(/^image\//);
    expect(response.headers.get('content-type')).toMatch(/^image\//);
  }
  return response.status;
}

describe('/openapi.json', () => {
  it('is an OpenAPI 3.1 document listing every route of every dialect, with resolvable refs', async () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const dialect of DIALECTS) {
      for (const route of dialect.routes) {
        expect(
          operationFor(openApiPath('', route.path), route.method),
          `${route.method} ${route.path}`,
        ).toBeDefined();
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const name = ref.slice(ref.lastIndexOf('/') + 1, -1);
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
    type Operation = { security: Record<string, string[]>[] };
    const operations = Object.values(doc.paths as Record<string, Record<string, Operation>>).flatMap((item) =>
      Object.values(item),
    );
    const usedSchemes = new Set(operations.flatMap((op) => op.security.flatMap((s) => Object.keys(s))));
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([...usedSchemes].sort());
  });

  it('has a checker that does reject what the document does not describe', () => {
    const schema = ['components', 'schemas', 'ImkitError'];
    expect(check({ RC: 404, RM: 'x', error: { code: 'C', message: 'm' } }, schema)).toEqual([]);
    expect(check({ RC: '404', RM: 'x', error: { code: 'C' }, extra: 1 }, schema)).toEqual([
      '$: must NOT have additional properties {"additionalProperty":"extra"}',
      '$.RC: must be integer {"type":"integer"}',
      '$.error: must have required property \'message\' {"missingProperty":"message"}',
    ]);
  });

  it('fails a real answer against a deliberately wrong document', async () => {
    const pointer = ['paths', '/rooms', 'get', 'responses', '401', 'content', 'application/json', 'schema'];
    const response = await client.fetch('/rooms');
    expect(response.status).toBe(401);
    const body: unknown = await response.json();
    expect(check(body, pointer)).toEqual([]);

    const wrong = structuredClone(doc);
    const error = wrong.components.schemas.ImkitError;
    error.properties.requestId = { type: 'string' };
    error.required.push('requestId');
    error.properties.RC = { type: 'string' };
    error.properties.RM.maxLength = 1; // a keyword the former hand-written checker skipped
    expect(openApiSchemaCheck(wrong)(body, pointer)).toEqual([
      '$: must have required property \'requestId\' {"missingProperty":"requestId"}',
      '$.RC: must be string {"type":"string"}',
      '$.RM: must NOT have more than 1 characters {"limit":1}',
    ]);
  });

  it('refuses a schema keyword it does not know instead of skipping it', () => {
    const typo = structuredClone(doc);
    typo.components.schemas.ImkitError.requried = ['RC'];
    expect(() => openApiSchemaCheck(typo)({}, ['components', 'schemas', 'ImkitError'])).toThrow(
      /unknown keyword: "requried"/,
    );
  });

  it('puts the paths under the configured prefixes', async () => {
    const prefixed = createRestClient(database.db, { IMKIT_PREFIX: '/imkit', VIROLA_PREFIX: '/virola' });
    const { body } = await prefixed.json<{ paths: Record<string, unknown> }>('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/imkit/rooms/{id}/messages/v3',
        '/virola/api/v1/rooms/{roomId}/avatar.jpg',
        '/api/v1/rooms.get',
      ]),
    );
    expect(body.paths).not.toHaveProperty('/rooms');
  });

  it('describes every response the routers give, success and error alike', async () => {
    const app = await createTestApp(database.db);
    await createUser(database.db, app.appId, 'ann', { password: 'ann-password', nickname: 'Ann' });
    await createUser(database.db, app.appId, 'bob', { password: 'bob-password' });
    await createUser(database.db, app.appId, 'eve', { password: 'eve-password' });
    const room = await createRoom(app.as('ann'), {
      roomId: 'talk',
      name: 'Talk',
      roomType: 'group',
      memberIds: ['bob'],
    });
    await createRoom(app.as('ann'), { roomId: 'dm', roomType: 'direct', memberIds: ['bob'] });
    await createRoom(app.as('ann'), {
      roomId: 'quiet',
      roomType: 'group',
      visibility: 'public',
      memberIds: ['bob'],
    });
    const first = await sendMessage(app.as('ann'), { roomId: 'talk', body: 'hello **world** @bob' });
    await sendMessage(app.as('bob'), {
      roomId: 'talk',
      body: { text: 'rich', extra: [1, 2] },
      messageType: 'card',
    });
    await sendMessage(app.as('bob'), { roomId: 'dm', body: 'psst' });
    await setReaction(app.as('bob'), first.id, 'heart', true);
    await deleteMessage(app.as('bob'), first.id, 'FOR_ME');
    await markRoomRead(app.as('bob'), 'talk');
    await updateRoomPref(app.as('bob'), 'talk', { tags: ['t'], folder: 'F', tagColors: { t: '#123456' } });
    await createRoom(app.as('ann'), { roomId: 'gone', roomType: 'group', memberIds: ['bob'] });
    await deleteRoom(app.as('ann'), 'gone');

    const imkit = imkitHeaders(app.clientKey, await app.tokenFor('bob'));
    const eveImkit = imkitHeaders(app.clientKey, await app.tokenFor('eve'));
    const rc = await rocketchatLogin(client, app.appId, 'bob', 'bob-password');
    const rcLogout = await rocketchatLogin(client, app.appId, 'bob', 'bob-password');
    const virola = await virolaLogin(client, app.appId, 'bob', 'bob-password');
    const virolaLogout = await virolaLogin(client, app.appId, 'bob', 'bob-password');
    const eveVirola = await virolaLogin(client, app.appId, 'eve', 'eve-password');
    const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-App-Id': app.appId, ...headers },
      body: JSON.stringify(body),
    });

    const calls: Call[] = [
      { template: '/rooms', path: '/rooms', init: { headers: imkit } },
      {
        template: '/rooms',
        path: '/rooms?sort=-unread&limit=1&skip=1&pref=%7B%22tags%22%3A%22t%22%7D',
        init: { headers: imkit },
      },
      { template: '/rooms', path: '/rooms?sort=wrong', init: { headers: imkit } },
      { template: '/rooms', path: '/rooms' },
      { template: '/rooms/{id}', path: '/rooms/talk', init: { headers: imkit } },
      { template: '/rooms/{id}', path: '/rooms/talk', init: { headers: { 'IM-API-KEY': app.apiKey } } },
      { template: '/rooms/{id}', path: '/rooms/talk', init: { headers: eveImkit } },
      { template: '/rooms/{id}', path: '/rooms/gone', init: { headers: imkit } },
      { template: '/rooms/{id}', path: '/rooms/%20', init: { headers: imkit } },
      { template: '/rooms/{id}', path: '/rooms/talk' },
      { template: '/rooms/{id}/messages/v3', path: '/rooms/talk/messages/v3', init: { headers: imkit } },
      {
        template: '/rooms/{id}/messages/v3',
        path: '/rooms/talk/messages/v3?limit=x',
        init: { headers: imkit },
      },
      { template: '/rooms/{id}/messages/v3', path: '/rooms/talk/messages/v3', init: { headers: eveImkit } },
      { template: '/rooms/{id}/messages/v3', path: '/rooms/nope/messages/v3', init: { headers: imkit } },
      { template: '/rooms/{id}/messages/v3', path: '/rooms/talk/messages/v3' },
      {
        template: '/api/v1/login',
        path: '/api/v1/login',
        init: json({ user: 'bob', password: 'bob-password' }),
      },
      { template: '/api/v1/login', path: '/api/v1/login', init: json({ user: 'bob', password: 'nope' }) },
      { template: '/api/v1/login', path: '/api/v1/login', init: json({ user: 'bob' }) },
      {
        template: '/api/v1/login',
        path: '/api/v1/login',
        init: json({ userName: 'bob', password: 'bob-password' }),
      },
      { template: '/api/v1/login', path: '/api/v1/login', init: json({ userName: 'bob', password: 'nope' }) },
      { template: '/api/v1/login', path: '/api/v1/login', init: json({ userName: 'bob' }) },
      { template: '/api/v1/me', path: '/api/v1/me', init: { headers: rc } },
      { template: '/api/v1/me', path: '/api/v1/me' },
      { template: '/api/v1/rooms.get', path: '/api/v1/rooms.get', init: { headers: rc } },
      {
        template: '/api/v1/rooms.get',
        path: '/api/v1/rooms.get?updatedSince=2000-01-01T00:00:00Z',
        init: { headers: rc },
      },
      { template: '/api/v1/rooms.get', path: '/api/v1/rooms.get?updatedSince=never', init: { headers: rc } },
      { template: '/api/v1/rooms.get', path: '/api/v1/rooms.get' },
      { template: '/api/v1/logout', path: '/api/v1/logout', init: { method: 'POST', headers: rcLogout } },
      {
        template: '/api/v1/logout',
        path: '/api/v1/logout',
        init: { method: 'POST', headers: { cookie: virolaLogout.cookie } },
      },
      { template: '/api/v1/logout', path: '/api/v1/logout', init: { method: 'POST' } },
      { template: '/api/v1/status', path: '/api/v1/status', init: { headers: { cookie: virola.cookie } } },
      { template: '/api/v1/status', path: '/api/v1/status' },
      { template: '/api/v1/rooms', path: '/api/v1/rooms', init: { headers: { cookie: virola.cookie } } },
      { template: '/api/v1/rooms', path: '/api/v1/rooms' },
      {
        template: '/api/v1/rooms/{roomId}/avatar.jpg',
        path: `/api/v1/rooms/${room.numId}/avatar.jpg`,
        init: { headers: { cookie: virola.cookie } },
      },
      {
        template: '/api/v1/rooms/{roomId}/avatar.jpg',
        path: '/api/v1/rooms/x/avatar.jpg',
        init: { headers: { cookie: virola.cookie } },
      },
      {
        template: '/api/v1/rooms/{roomId}/avatar.jpg',
        path: `/api/v1/rooms/${room.numId}/avatar.jpg`,
        init: { headers: { cookie: eveVirola.cookie } },
      },
      {
        template: '/api/v1/rooms/{roomId}/avatar.jpg',
        path: '/api/v1/rooms/987654321/avatar.jpg',
        init: { headers: { cookie: virola.cookie } },
      },
      { template: '/api/v1/rooms/{roomId}/avatar.jpg', path: `/api/v1/rooms/${room.numId}/avatar.jpg` },
    ];
    const statuses: number[] = [];
    for (const call of calls) statuses.push(await checkCall(call));
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401, 403, 404]));

    // The write calls and subscriptions.get, after the reads above (a write would change what they read).
    const body = (method: string, headers: Record<string, string>, value: unknown): RequestInit => ({
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof value === 'string' ? value : JSON.stringify(value),
    });
    const lastRead = '/rooms/{id}/lastRead';
    const message = '/rooms/{id}/message';
    const writes: Call[] = [
      { template: lastRead, path: '/rooms/talk/lastRead', init: body('PUT', imkit, { message: first.id }) },
      { template: lastRead, path: '/rooms/talk/lastRead', init: body('PUT', imkit, { message: 'x' }) },
      { template: lastRead, path: '/rooms/talk/lastRead', init: body('PUT', {}, { message: first.id }) },
      {
        template: lastRead,
        path: '/rooms/talk/lastRead',
        init: body('PUT', eveImkit, { message: first.id }),
      },
      { template: lastRead, path: '/rooms/nope/lastRead', init: body('PUT', imkit, { message: first.id }) },
      {
        template: lastRead,
        path: '/rooms/talk/lastRead',
        init: body('PUT', imkit, { message: '0123456789abcdef01234567' }),
      },
      {
        template: message,
        path: '/rooms/talk/message',
        init: body('POST', imkit, { message: { text: 'rich' }, messageType: 'card', clientMessageId: 'c1' }),
      },
      { template: message, path: '/rooms/talk/message', init: body('POST', imkit, '{') },
      {
        template: message,
        path: '/rooms/talk/message',
        init: body('POST', {}, { message: 'x', messageType: 't' }),
      },
      {
        template: message,
        path: '/rooms/talk/message',
        init: body('POST', eveImkit, { message: 'x', messageType: 't' }),
      },
      {
        template: message,
        path: '/rooms/nope/message',
        init: body('POST', imkit, { message: 'x', messageType: 't' }),
      },
      { template: '/api/v1/subscriptions.get', path: '/api/v1/subscriptions.get', init: { headers: rc } },
      {
        template: '/api/v1/subscriptions.get',
        path: '/api/v1/subscriptions.get?updatedSince=2000-01-01T00:00:00Z',
        init: { headers: rc },
      },
      {
        template: '/api/v1/subscriptions.get',
        path: '/api/v1/subscriptions.get?updatedSince=never',
        init: { headers: rc },
      },
      { template: '/api/v1/subscriptions.get', path: '/api/v1/subscriptions.get' },
      {
        template: '/api/v1/subscriptions.read',
        path: '/api/v1/subscriptions.read',
        init: body('POST', rc, { rid: 'talk' }),
      },
      {
        template: '/api/v1/subscriptions.read',
        path: '/api/v1/subscriptions.read',
        init: body('POST', rc, {}),
      },
      {
        template: '/api/v1/subscriptions.read',
        path: '/api/v1/subscriptions.read',
        init: body('POST', rc, { rid: 'nope' }),
      },
      {
        template: '/api/v1/subscriptions.read',
        path: '/api/v1/subscriptions.read',
        init: body('POST', {}, { rid: 'talk' }),
      },
      {
        template: '/api/v1/chat.sendMessage',
        path: '/api/v1/chat.sendMessage',
        init: body('POST', rc, { message: { rid: 'talk', msg: 'hello *there*', _id: 'k1' } }),
      },
      {
        template: '/api/v1/chat.sendMessage',
        path: '/api/v1/chat.sendMessage',
        init: body('POST', rc, { message: { rid: 'talk' } }),
      },
      {
        template: '/api/v1/chat.sendMessage',
        path: '/api/v1/chat.sendMessage',
        init: body('POST', rc, { message: { rid: 'nope', msg: 'x' } }),
      },
      {
        template: '/api/v1/chat.sendMessage',
        path: '/api/v1/chat.sendMessage',
        init: body('POST', {}, { message: { rid: 'talk', msg: 'x' } }),
      },
    ];
    const writeStatuses: number[] = [];
    for (const call of writes) writeStatuses.push(await checkCall(call));
    expect(writeStatuses).toEqual([
      200, 400, 401, 403, 404, 404, 200, 400, 401, 403, 404, 200, 200, 400, 401, 200, 400, 400, 401, 200, 400,
      400, 401,
    ]);
  });
});
