import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { createRestClient, imkitHeaders, type RestClient } from './support/rest-client.js';

/*
 * Query parameters are declared once (src/rest/query-params.ts): the refusal of a bad
 * value comes from that declaration, word for word as each parameter was answered before,
 * and one rule says how a refused value is shown (quoted as JSON, its first 100
 * characters). The parameters /openapi.json lists are the ones parsed, with their
 * constraints.
 */

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in assertions

let database: TestDatabase;
let client: RestClient;
let headers: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  client = createRestClient(database.db);
  const app = await createTestApp(database.db, ['alice']);
  await createRoom(app.as('alice'), { roomId: 'talk', roomType: 'group', memberIds: [] });
  await sendMessage(app.as('alice'), { roomId: 'talk', body: 'hello' });
  headers = imkitHeaders(app.clientKey, await app.tokenFor('alice'));
});
afterAll(() => database?.close());

const INSTANT = 'expected an ISO-8601 time with its zone, like 2020-10-15T03:28:54Z, or epoch milliseconds';

async function refusal(path: string): Promise<unknown> {
  const { status, body } = await client.json<Body>(path, { headers });
  expect(status, path).toBe(400);
  expect(body).toMatchObject({ RC: 400, RM: 'Bad Request', error: { code: 'INVALID_PARAMETER' } });
  return body.error.message;
}

describe('IMKit query parameters', () => {
  it.each([
    ['/rooms?limit=ten', 'Invalid limit "ten": expected a non-negative integer'],
    ['/rooms?skip=-1', 'Invalid skip "-1": expected a non-negative integer'],
    ['/rooms?skip=1.5', 'Invalid skip "1.5": expected a non-negative integer'],
    [
      '/rooms?limit=99999999999999999999',
      'Invalid limit "99999999999999999999": expected a non-negative integer',
    ],
    ['/rooms?sortUnreadFirst=yes', 'Invalid sortUnreadFirst "yes": expected an integer'],
    ['/rooms?updatedAfter=2020-10-15T03:28:54', `Invalid updatedAfter "2020-10-15T03:28:54": ${INSTANT}`],
    [
      '/rooms?sort=-lastMessage%20-nope',
      'Invalid sort field "nope": use lastMessage, createdTime, name, unread, "-" prefixed for descending',
    ],
    ['/rooms?sort=name%20-name', 'Invalid sort: field "name" is given twice'],
    ['/rooms?pref=%7Bbroken', 'Invalid pref: not valid JSON (remember to URL-encode it)'],
    [
      '/rooms?pref=%7B%22tags%22%3A1%7D',
      'Invalid pref filter (tags: Invalid input): expected an object with tags (string or array of strings), folder, hidden, sticky, muted',
    ],
    // The raw text meets the input rule; what its JSON escapes decode to is checked too.
    [
      `/rooms?pref=${encodeURIComponent('{"tags":"\\u0000"}')}`,
      'Invalid pref.tags: it contains a NUL character (U+0000)',
    ],
    ['/rooms?sort=%00', 'Invalid sort: it contains a NUL character (U+0000)'],
    ['/rooms/talk/messages/v3?limit=-1', 'Invalid limit "-1": expected a non-negative integer'],
    ['/rooms/talk/messages/v3?afterTime=soon', `Invalid afterTime "soon": ${INSTANT}`],
    [
      '/rooms/talk/messages/v3?timeRangeField=sequence',
      'Invalid timeRangeField "sequence": use updatedAt, createdAt, messageTime',
    ],
    [
      '/rooms/talk/messages/v3?beforeMessage=5F890CF37D980E06F6AAF349',
      'Invalid beforeMessage "5F890CF37D980E06F6AAF349": a message id is 24 hex digits',
    ],
    [
      '/rooms/talk/messages/v3?beforeMessage=5f890cf37d980e06f6aaf349&afterMessage=5f890cf37d980e06f6aaf349',
      'Pass beforeMessage or afterMessage, not both',
    ],
  ])('%s: 400 with the parameter named as before', async (path, message) => {
    expect(await refusal(path)).toBe(message);
  });

  it('shows a refused value one way for every parameter: quoted as JSON, its first 100 characters', async () => {
    // The time parameters already did; the integers and enums echoed the raw text, whole.
    expect(await refusal('/rooms?limit=1%222')).toBe(
      'Invalid limit "1\\"2": expected a non-negative integer',
    );
    const long = 'x'.repeat(300);
    expect(await refusal(`/rooms?skip=${long}`)).toBe(
      `Invalid skip "${'x'.repeat(100)}": expected a non-negative integer`,
    );
    expect(await refusal(`/rooms/talk/messages/v3?timeRangeField=${long}`)).toBe(
      `Invalid timeRangeField "${'x'.repeat(100)}": use updatedAt, createdAt, messageTime`,
    );
    expect(await refusal(`/rooms?updatedAfter=${long}`)).toBe(
      `Invalid updatedAfter "${'x'.repeat(100)}": ${INSTANT}`,
    );
  });

  it('reads a blank parameter as absent, and never reads an undeclared one', async () => {
    const rooms = await client.json<Body>('/rooms?limit=%20&skip=&sort=&colour=%00', { headers });
    expect([rooms.status, rooms.body.result?.data.length]).toEqual([200, 1]);
    const messages = await client.json<Body>('/rooms/talk/messages/v3?limit=&timeRangeField=%20', {
      headers,
    });
    expect([messages.status, messages.body.result?.data.length]).toEqual([200, 1]);
  });

  it('applies the declared defaults: limit 0 lists every room, the message limit 0 is the default', async () => {
    const messages = await client.json<Body>('/rooms/talk/messages/v3?limit=0&timeRangeField=createdAt', {
      headers,
    });
    expect([messages.status, messages.body.result.data.length]).toEqual([200, 1]);
    const rooms = await client.json<Body>('/rooms?limit=0&skip=0&sortUnreadFirst=-1', { headers });
    expect([rooms.status, rooms.body.result.data.length]).toEqual([200, 1]);
  });
});

describe('/openapi.json query parameters', () => {
  async function parameters(path: string, method = 'get'): Promise<Body[]> {
    const doc = (await client.json<Body>('/openapi.json')).body;
    return (doc.paths[path][method].parameters as Body[]).filter((p) => p.in === 'query');
  }

  const instant = { type: ['string', 'integer'] };

  it('IMKit GET /rooms: every parameter the handler reads, with its type, bounds and default', async () => {
    const params = await parameters('/rooms');
    expect(params.map((p) => [p.name, p.schema])).toEqual([
      ['sort', { type: 'string' }],
      ['skip', { type: 'integer', minimum: 0, default: 0 }],
      ['limit', { type: 'integer', minimum: 0, default: 0 }],
      ['updatedAfter', instant],
      ['pref', { type: 'string' }],
      ['sortUnreadFirst', { type: 'integer', default: 0 }],
    ]);
    for (const p of params) {
      expect(p.description, p.name).not.toBe('');
      expect(p.required, p.name).toBeUndefined();
    }
  });

  it('IMKit GET /rooms/{id}/messages/v3: message ids by pattern, the time field by enum', async () => {
    const params = await parameters('/rooms/{id}/messages/v3');
    const messageId = { type: 'string', pattern: '^[0-9a-f]{24}$' };
    expect(params.map((p) => [p.name, p.schema])).toEqual([
      ['beforeMessage', messageId],
      ['afterMessage', messageId],
      ['limit', { type: 'integer', minimum: 0, default: 20 }],
      ['afterTime', instant],
      [
        'timeRangeField',
        { type: 'string', enum: ['updatedAt', 'createdAt', 'messageTime'], default: 'updatedAt' },
      ],
    ]);
  });

  it('Rocket.Chat rooms.get and subscriptions.get: updatedSince, a time by the one rule', async () => {
    for (const path of ['/api/v1/rooms.get', '/api/v1/subscriptions.get']) {
      const params = await parameters(path);
      expect(
        params.map((p) => [p.name, p.schema]),
        path,
      ).toEqual([['updatedSince', instant]]);
    }
  });
});
