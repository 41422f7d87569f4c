import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createGraphQLServer } from '../../src/graphql/yoga.js';
import { createLogger } from '../../src/logger.js';
import { createTestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * Bad input is a clear error with extensions.code BAD_USER_INPUT, never a 500; a bug
 * is masked ("Unexpected error." with the request id to quote) and logged with that id.
 */

let h: StartedApp;
let token: string;

beforeAll(async () => {
  h = await startInProcessApp();
  const app = await createTestApp(h.db, ['ann', 'bob']);
  await createRoom(app.as('ann'), { roomId: 'r', name: 'r', roomType: 'group', memberIds: ['bob'] });
  await createRoom(app.as('ann'), { roomId: 's', name: 's', roomType: 'group', memberIds: ['bob'] });
  await sendMessage(app.as('bob'), { roomId: 'r', body: 'hi' });
  await sendMessage(app.as('bob'), { roomId: 'r', body: 'there' });
  token = await app.tokenFor('ann');
});
afterAll(() => h.close());

type Errors = { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] | undefined;

async function errorsOf(query: string, variables: Record<string, unknown> = {}): Promise<Errors> {
  const res = await h.request(query, { variables, headers: bearer(token) });
  expect(res.status).toBeLessThan(500);
  return res.body.errors;
}

const ROOMS = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: [RoomOrder!], $filter: RoomFilter) {
  viewer { rooms(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    pageInfo { endCursor } edges { node { roomId } } } } }`;

describe('bad input', () => {
  test('a cursor that is not one, or belongs to another ordering or list, is BAD_USER_INPUT', async () => {
    const res = await h.request<{ viewer: { rooms: { pageInfo: { endCursor: string } } } }>(ROOMS, {
      variables: { first: 1, orderBy: [{ field: 'NAME', direction: 'ASC' }] },
      headers: bearer(token),
    });
    const nameCursor = res.body.data!.viewer.rooms.pageInfo.endCursor;
    const messages = await h.request<{ room: { messages: { pageInfo: { endCursor: string } } } }>(
      '{ room(id: "r") { messages(first: 1) { pageInfo { endCursor } } } }',
      { headers: bearer(token) },
    );
    const messageCursor = messages.body.data!.room.messages.pageInfo.endCursor;
    for (const variables of [
      { first: 1, after: 'garbage' },
      { first: 1, after: nameCursor }, // default order, NAME cursor
      { first: 1, after: nameCursor, orderBy: [{ field: 'NAME', direction: 'DESC' }] },
      { last: 1, before: messageCursor },
    ]) {
      const errors = await errorsOf(ROOMS, variables);
      expect(errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(errors?.[0]?.message).toMatch(/^Invalid (after|before)/);
    }
    const errors = await errorsOf(
      `query($after: String) { room(id: "r") { messages(first: 1, after: $after) { edges { cursor } } } }`,
      {
        after: nameCursor,
      },
    );
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  test('page sizes: first and last together, or negative, are BAD_USER_INPUT; too large is capped', async () => {
    expect((await errorsOf(ROOMS, { first: 1, last: 1 }))?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'last',
    });
    expect((await errorsOf(ROOMS, { first: -1 }))?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(await errorsOf(ROOMS, { first: 100_000 })).toBeUndefined();
  });

  test('DateTime takes ISO-8601 with a zone, a date, or epoch ms; anything else is refused', async () => {
    for (const ok of [
      '2025-01-01T00:00:00Z',
      '2025-01-01T02:00:00.123+02:00',
      '2025-01-01',
      1735689600000,
      '1735689600000',
    ]) {
      expect(await errorsOf(ROOMS, { first: 1, filter: { updatedAfter: ok } }), String(ok)).toBeUndefined();
    }
    for (const bad of ['yesterday', '2025-01-01T00:00:00', '2025-13-45T00:00:00Z', true, '']) {
      const errors = await errorsOf(ROOMS, { first: 1, filter: { updatedAfter: bad } });
      expect(errors?.[0]?.message, String(bad)).toContain(
        'DateTime must be an ISO-8601 string with a time zone or epoch milliseconds',
      );
    }
    const literal = await errorsOf(
      '{ viewer { rooms(filter: { updatedAfter: "soon" }) { edges { cursor } } } }',
    );
    expect(literal?.[0]?.message).toContain('DateTime must be');
  });

  test('an unknown enum value or a missing required input field is a validation error, not a 500', async () => {
    const errors = await errorsOf(ROOMS, { orderBy: [{ field: 'SIZE', direction: 'ASC' }] });
    expect(errors?.[0]?.message).toContain('SIZE');
    const missing = await errorsOf(ROOMS, { orderBy: [{ field: 'NAME' }] });
    expect(missing?.[0]?.message).toContain('direction');
  });
});

/** Makes every statement on one table fail, like a bug or a broken database would. */
class FailOn implements KyselyPlugin {
  constructor(private readonly table: string) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (JSON.stringify(args.node).includes(`"${this.table}"`))
      throw new Error('boom: secret internal detail');
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

function capturingLogger() {
  const lines: string[] = [];
  return { lines, log: createLogger('error', { write: (line: string) => void lines.push(line) }) };
}

describe('unexpected errors', () => {
  test('are masked with the request id, logged with it, and do not take the rest of the answer down', async () => {
    const { lines, log } = capturingLogger();
    const server = createGraphQLServer({ db: h.db.withPlugin(new FailOn('messages')), log });
    const response = await server.fetch(
      new Request('http://chat-bff.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: '{ room(id: "r") { name lastMessage { message } } }' }),
      }),
      { requestId: 'req-123' },
    );
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      data: { room: { name: 'r', lastMessage: null } },
      errors: [
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 24 }],
          path: ['room', 'lastMessage'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' },
        },
      ],
    });
    expect(text).not.toMatch(/boom|secret|stack/);
    const logged = lines.map(
      (line) => JSON.parse(line) as { requestId?: string; err?: { message?: string } },
    );
    expect(logged).toContainEqual(
      expect.objectContaining({
        requestId: 'req-123',
        err: expect.objectContaining({ message: 'boom: secret internal detail' }),
      }),
    );
  });

  test('outside execution (the database fails while authenticating) they are a masked 500', async () => {
    const { lines, log } = capturingLogger();
    const server = createGraphQLServer({ db: h.db.withPlugin(new FailOn('auth_tokens')), log });
    const response = await server.fetch(
      new Request('http://chat-bff.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: '{ viewer { userId } }' }),
      }),
      { requestId: 'req-456' },
    );
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'Unexpected error.' }] });
    expect(text).not.toMatch(/boom|secret/);
    expect(lines.join('')).toContain('boom: secret internal detail');
  });
});
