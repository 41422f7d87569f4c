import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { GQL_MESSAGES, GQL_ROOM, GQL_ROOMS, GQL_SEND } from '../../bench/documents.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { GRAPHIQL_DEFAULT_DOCUMENT } from '../../src/graphql/graphiql-examples.js';
import { graphqlLimits, LIMIT_ERROR_CODE } from '../../src/graphql/request-limits.js';
import { createGraphQLWebSocketHandler } from '../../src/graphql/websocket.js';
import { createMemoryEventBus } from '../../src/realtime/event-bus.js';
import { startHttpServer, type HttpServer } from '../../src/server.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer, type GraphQLResponse } from '../support/graphql-client.js';
import {
  createInProcessApp,
  silentLog,
  startInProcessApp,
  type StartedApp,
} from '../support/in-process-app.js';

/*
 * GraphQL request limits (src/graphql/request-limits.ts), over HTTP through the app: each
 * limit answers 400 with QUERY_TOO_COMPLEX naming it and its numbers before anything runs
 * (no SQL statement beyond authentication), abusive requests (thousands of aliases, deep
 * nesting, many root mutations) answer at once, the cost counts nodes from first/last, the
 * configuration moves the limits, and WebSocket and SSE operations meet the same limits.
 */

let h: StartedApp;
let app: TestApp;
let auth: Record<string, string>;

beforeAll(async () => {
  h = await startInProcessApp();
  app = await createTestApp(h.db, ['alice', 'bob']);
  await createRoom(app.as('alice'), {
    roomId: 'demo-room',
    name: 'Demo',
    roomType: 'group',
    memberIds: ['bob'],
  });
  await createRoom(app.as('alice'), {
    roomId: 'other-room',
    name: 'Other',
    roomType: 'group',
    memberIds: ['bob'],
  });
  for (let i = 0; i < 3; i++) await sendMessage(app.as('bob'), { roomId: 'demo-room', body: `hello ${i}` });
  auth = bearer(await app.tokenFor('alice'));
});
afterAll(async () => {
  await h?.close();
});

type Res = GraphQLResponse & { ms: number; statements: string[] };

/** POSTs with alice's token; measures time and the SQL statements the request ran. */
async function ask(query: string, variables: Record<string, unknown> = {}): Promise<Res> {
  const started = performance.now();
  const { result, statements } = await h.statements.measure(() =>
    h.request(query, { variables, headers: auth }),
  );
  return { ...result, ms: performance.now() - started, statements };
}

/** Statements a request that selects nothing costs (authentication only). */
async function baseline(): Promise<number> {
  const res = await ask('{ __typename }');
  expect(res.body.errors).toBeUndefined();
  return res.statements.length;
}

function expectRejected(res: Res, limit: string, message: RegExp): Record<string, unknown> {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.data).toBeUndefined();
  const error = res.body.errors?.find((e) => e.extensions?.['limit'] === limit);
  expect(error, JSON.stringify(res.body.errors)).toBeDefined();
  expect(error?.extensions).toMatchObject({ code: LIMIT_ERROR_CODE, limit });
  expect(error?.extensions).not.toHaveProperty('http');
  expect(error?.message).toMatch(message);
  return error?.extensions ?? {};
}

function expectAccepted(res: Res): void {
  expect(res.status, JSON.stringify(res.body.errors)).toBe(200);
  expect(res.body.errors).toBeUndefined();
}

function repeat(n: number, make: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => make(i)).join('\n');
}

/** viewer { rooms { edges { node { lastMessage { room { lastMessage ... } } } } } } }: `depth` fields deep. */
function deepQuery(depth: number): string {
  const path = ['viewer', 'rooms', 'edges', 'node'];
  while (path.length < depth - 1) path.push(path.at(-1) === 'lastMessage' ? 'room' : 'lastMessage');
  const leaf = path.at(-1) === 'lastMessage' ? 'messageId' : 'roomId';
  return `{ ${path.map((field) => `${field} { `).join('')}${leaf}${' }'.repeat(path.length)} }`;
}

describe('each limit, over HTTP', () => {
  test('aliases: 30 pass, 31 are refused before anything runs', async () => {
    expectAccepted(await ask(`{ ${repeat(30, (i) => `a${i}: viewer { userId }`)} }`));
    const res = await ask(`{ ${repeat(31, (i) => `a${i}: viewer { userId }`)} }`);
    expect(expectRejected(res, 'aliases', /Aliases limit of 30 exceeded, found 31/)).toMatchObject({
      max: 30,
      found: 31,
    });
    expect(res.statements).toEqual([]);
  });

  test('depth: 12 fields deep pass, 13 are refused; fragments add no depth', async () => {
    expectAccepted(await ask(deepQuery(12)));
    const res = await ask(deepQuery(13));
    expect(expectRejected(res, 'depth', /depth limit of 12 exceeded, found 13/)).toMatchObject({
      max: 12,
      found: 13,
    });
    expect(res.statements).toEqual([]);
    // The same 12 fields through a named fragment and an inline one are still 12.
    const inner = deepQuery(12)
      .slice('{ viewer { '.length, -' } }'.length)
      .replace('messageId', '... on Message { messageId }');
    expectAccepted(await ask(`query { viewer { ...Rooms } } fragment Rooms on User { ${inner} }`));
  });

  test('tokens: a document past 1,000 tokens stops parsing', async () => {
    // `a0: __typename` is 3 tokens; the braces 2.
    expectAccepted(
      await ask(`{ ${repeat(29, (i) => `a${i}: __typename`)} ${repeat(300, () => '__typename')} }`),
    );
    const res = await ask(`{ ${repeat(1000, () => '__typename')} }`);
    expect(expectRejected(res, 'tokens', /Token limit of 1000 exceeded/)).toMatchObject({ max: 1000 });
    expect(res.statements).toEqual([]);
  });

  test('directives: 50 pass, 51 are refused', async () => {
    expectAccepted(await ask(`{ ${repeat(50, () => '__typename @include(if: true)')} }`));
    const res = await ask(`{ ${repeat(51, () => '__typename @include(if: true)')} }`);
    expect(expectRejected(res, 'directives', /Directives limit of 50 exceeded, found 51/)).toMatchObject({
      max: 50,
      found: 51,
    });
    expect(res.statements).toEqual([]);
  });

  test('root mutation fields: 10 run, 11 are refused and none of them runs', async () => {
    const send = (n: number, tag: string) =>
      `mutation { ${repeat(
        n,
        (i) => `m${i}: sendMessage(input: { roomId: "other-room", message: "${tag} ${i}" }) { __typename }`,
      )} }`;
    const count = async () =>
      (await ask('{ room(id: "other-room") { messages { totalCount } } }')).body.data as {
        room: { messages: { totalCount: number } };
      };
    const before = (await count()).room.messages.totalCount;

    const refused = await ask(send(11, 'refused'));
    expect(
      expectRejected(refused, 'rootMutations', /Root mutation fields limit of 10 exceeded, found 11/),
    ).toMatchObject({ max: 10, found: 11 });
    expect(refused.statements).toEqual([]);
    expect((await count()).room.messages.totalCount).toBe(before);

    // Through a fragment they count the same; __typename is no write.
    const viaFragment = await ask(
      `mutation { __typename ...Sends } fragment Sends on Mutation { ${send(11, 'fragment').slice(11, -2)} }`,
    );
    expectRejected(viaFragment, 'rootMutations', /found 11/);

    const accepted = await ask(send(10, 'accepted'));
    expectAccepted(accepted);
    expect((await count()).room.messages.totalCount).toBe(before + 10);
  });
});

describe('cost: nodes from first/last', () => {
  const NESTED = `query Nested($rooms: Int, $messages: Int) {
    viewer { rooms(first: $rooms) { edges { node { roomId messages(first: $messages) { edges { node { messageId message } } } } } } }
  }`;

  test('rooms(first: 50) × messages(first: 100) is 5,000 messages (cost 5,102): accepted', async () => {
    const res = await ask(NESTED, { rooms: 50, messages: 100 });
    expectAccepted(res);
    const rooms = (res.body.data as { viewer: { rooms: { edges: unknown[] } } }).viewer.rooms.edges;
    expect(rooms).toHaveLength(2);
  });

  test('rooms(first: 100) × messages(first: 200) is refused with its cost, before any SQL but authentication', async () => {
    const floor = await baseline();
    for (const res of [
      await ask(NESTED, { rooms: 100, messages: 200 }),
      await ask(
        NESTED.replace('($rooms: Int, $messages: Int)', '')
          .replace('$rooms', '100')
          .replace('$messages', '200'),
      ),
    ]) {
      // viewer 1 + rooms 1 + 100 × (edge 1 + messages 1 + 100 (first is at most 100) × edge 1) = 10,202
      expect(
        expectRejected(res, 'cost', /Query cost limit of 10000 nodes exceeded, found 10202/),
      ).toMatchObject({
        max: 10000,
        found: 10202,
      });
      expect((res.body as { extensions?: unknown }).extensions).toEqual({
        cost: { requested: 10202, limit: 10000 },
      });
      expect(res.statements.length).toBeLessThanOrEqual(floor);
    }
  });

  test('a page defaults to 20; last counts like first; nodes(ids) counts as a full page', async () => {
    const history = (last: number) =>
      `{ viewer { rooms { edges { node { messages(last: ${last}) { edges { node { room { members { edges { node { userId } } } } } } } } } } } }`;
    // viewer 1 + rooms 1 + 20 × (edge 1 + messages 1 + last × (edge 1 + room 1 + members 1 + 20 × edge 1))
    expectAccepted(await ask(history(10))); // 4,642
    expectRejected(await ask(history(100)), 'cost', /found 46042/);
    // nodes(ids) 100 + 100 × (messages 1 + 100 × edge 1) = 10,200: refused whatever the ids.
    expectRejected(
      await ask(
        `{ nodes(ids: ["x"]) { ... on Room { messages(first: 100) { edges { node { messageId } } } } } }`,
      ),
      'cost',
      /found 10200/,
    );
  });
});

describe('abusive requests answer at once, 400, and run nothing', () => {
  const MESSAGES = 'room(id: "demo-room") { messages(last: 100) { edges { node { messageId message } } } }';

  test.each([
    [
      '3,000 aliases of a room’s last 100 messages (280 KB)',
      () => `{ ${repeat(3000, (i) => `m${i}: ${MESSAGES}`)} }`,
      'tokens',
    ],
    [
      '200 aliases of a room list',
      () =>
        `{ ${repeat(200, (i) => `r${i}: viewer { rooms(first: 100) { edges { node { roomId name unread lastMessage { messageId message sender { userId } } members(first: 20) { edges { node { userId } } } } } } }`)} }`,
      'tokens',
    ],
    ['depth 103', () => deepQuery(103), 'depth'],
    [
      '1,000 aliased mutations',
      () =>
        `mutation { ${repeat(1000, (i) => `s${i}: sendMessage(input: { roomId: "demo-room", message: "spam ${i}" }) { __typename }`)} }`,
      'tokens',
    ],
  ])('%s', async (_name, build, limit) => {
    const query = build();
    const res = await ask(query);
    expectRejected(res, limit, new RegExp(limit === 'tokens' ? 'Token limit' : 'limit'));
    expect(res.statements).toEqual([]);
    expect(res.ms).toBeLessThan(1000);
  });

  test('the 3,000 aliases are about 280 KB, as reported', () => {
    const size = `{ ${repeat(3000, (i) => `m${i}: ${MESSAGES}`)} }`.length;
    expect(size).toBeGreaterThan(250_000);
  });

  test('below the token limit, the same abuse meets the aliases, cost and mutation limits', async () => {
    expectRejected(await ask(`{ ${repeat(31, (i) => `m${i}: ${MESSAGES}`)} }`), 'aliases', /found 31/);
    // 10 aliases of 100 messages (1,020 nodes) pass; of a 100-room list with 100 messages each, they do not.
    expectAccepted(await ask(`{ ${repeat(10, (i) => `m${i}: ${MESSAGES}`)} }`));
    expectRejected(
      await ask(
        `{ ${repeat(2, (i) => `r${i}: viewer { rooms(first: 100) { edges { node { messages(first: 100) { edges { node { messageId } } } } } } }`)} }`,
      ),
      'cost',
      /found 20404/,
    );
  });
});

describe('what clients already send stays within the limits', () => {
  test('introspection (GraphiQL, graphql-http) passes: __schema is exempt from depth', async () => {
    for (const query of [
      getIntrospectionQuery(),
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    ]) {
      const res = await ask(query);
      expectAccepted(res);
      expect((res.body.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(50);
    }
    // What the exemption could let through, graphql-js's own introspection depth rule refuses.
    const cycle = await ask(
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
    );
    expect(cycle.body.data).toBeUndefined();
    expect(cycle.body.errors?.[0]?.message).toMatch(/introspection depth/i);
  });

  test('every GraphiQL example operation and every bench document passes', async () => {
    const examples = parse(GRAPHIQL_DEFAULT_DOCUMENT).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    expect(examples.length).toBeGreaterThan(5);
    for (const operation of examples) {
      const response = await h.fetch(
        new Request('http://chat-bff.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ query: GRAPHIQL_DEFAULT_DOCUMENT, operationName: operation.name?.value }),
        }),
      );
      const body = (await response.json()) as GraphQLResponse['body'];
      const codes = (body.errors ?? []).map((e) => e.extensions?.['code']);
      expect(codes, operation.name?.value).not.toContain(LIMIT_ERROR_CODE);
      expect(codes, operation.name?.value).not.toContain('GRAPHQL_VALIDATION_FAILED');
    }
    for (const [query, variables] of [
      [GQL_ROOMS, { first: 20 }],
      [GQL_MESSAGES, { roomId: 'demo-room' }],
      [GQL_ROOM, { roomId: 'demo-room' }],
      [GQL_SEND, { input: { roomId: 'demo-room', message: 'from the bench' } }],
    ] as const) {
      expectAccepted(await ask(query, variables));
    }
  });
});

describe('limits come from the configuration', () => {
  test('GRAPHQL_MAX_* set the limits; bad values stop the configuration', () => {
    expect(
      graphqlLimits(
        loadConfig({
          GRAPHQL_MAX_ALIASES: '2',
          GRAPHQL_MAX_DEPTH: '3',
          GRAPHQL_MAX_TOKENS: '40',
          GRAPHQL_MAX_DIRECTIVES: '1',
          GRAPHQL_MAX_ROOT_MUTATIONS: '1',
          GRAPHQL_MAX_COST: '30',
        }),
      ),
    ).toEqual({ aliases: 2, depth: 3, tokens: 40, directives: 1, rootMutations: 1, cost: 30 });
    expect(graphqlLimits(loadConfig({}))).toEqual({
      aliases: 30,
      depth: 12,
      tokens: 1000,
      directives: 50,
      rootMutations: 10,
      cost: 10000,
    });
    expect(() => loadConfig({ GRAPHQL_MAX_DEPTH: '0' })).toThrow(/GRAPHQL_MAX_DEPTH/);
    expect(() => loadConfig({ GRAPHQL_MAX_COST: 'lots' })).toThrow(/GRAPHQL_MAX_COST/);
  });

  /** POSTs to the whole app (what the HTTP server runs) configured with `env`. */
  async function askWith(env: Record<string, string>, query: string): Promise<Res> {
    const app = createApp({ db: h.db, log: silentLog, config: loadConfig({ DATA_DIR: ':memory:', ...env }) });
    const response = await app(
      new Request('http://chat-bff.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query }),
      }),
    );
    const body = (await response.json()) as GraphQLResponse['body'];
    return { status: response.status, headers: response.headers, body, ms: 0, statements: [] };
  }

  test.each([
    [
      'GRAPHQL_MAX_ALIASES',
      '2',
      '{ a: viewer { userId } b: viewer { userId } }',
      '{ a: viewer { userId } b: viewer { userId } c: viewer { userId } }',
      'aliases',
      /limit of 2 exceeded, found 3/,
    ],
    [
      'GRAPHQL_MAX_DEPTH',
      '3',
      '{ viewer { rooms { totalCount } } }',
      '{ viewer { rooms { pageInfo { hasNextPage } } } }',
      'depth',
      /limit of 3 exceeded, found 4/,
    ],
    [
      'GRAPHQL_MAX_TOKENS',
      '40',
      `{ ${'__typename '.repeat(38)}}`,
      `{ ${'__typename '.repeat(39)}}`,
      'tokens',
      /Token limit of 40 exceeded/,
    ],
    [
      'GRAPHQL_MAX_DIRECTIVES',
      '1',
      '{ a: __typename @skip(if: false) }',
      '{ a: __typename @skip(if: false) b: __typename @skip(if: false) }',
      'directives',
      /limit of 1 exceeded, found 2/,
    ],
    [
      'GRAPHQL_MAX_ROOT_MUTATIONS',
      '1',
      'mutation { a: markRoomRead(input: { roomId: "demo-room" }) { __typename } }',
      'mutation { a: markRoomRead(input: { roomId: "demo-room" }) { __typename } b: markRoomRead(input: { roomId: "demo-room" }) { __typename } }',
      'rootMutations',
      /limit of 1 exceeded, found 2/,
    ],
    // viewer 1 + rooms 1 + n × (edge 1 + lastMessage 1): 22 for first: 10, 42 for the default 20.
    [
      'GRAPHQL_MAX_COST',
      '30',
      '{ viewer { rooms(first: 10) { edges { node { lastMessage { messageId } } } } } }',
      '{ viewer { rooms { edges { node { lastMessage { messageId } } } } } }',
      'cost',
      /limit of 30 nodes exceeded, found 42/,
    ],
  ] as const)('%s=%s', async (name, value, within, over, limit, message) => {
    expectAccepted(await askWith({ [name]: value }, within));
    expectRejected(await askWith({ [name]: value }, over), limit, message);
    // The defaults let the same request through.
    expect((await askWith({}, over)).status).toBe(200);
  });
});

describe('WebSocket and SSE meet the same limits', () => {
  let http: HttpServer;
  const clients: Client[] = [];
  beforeAll(async () => {
    const events = createMemoryEventBus({ log: silentLog });
    http = await startHttpServer(h.fetch, {
      port: 0,
      host: '127.0.0.1',
      log: silentLog,
      shutdownTimeoutMs: 3000,
      upgrade: createGraphQLWebSocketHandler({
        db: h.db,
        log: silentLog,
        events,
        limits: graphqlLimits(loadConfig({ GRAPHQL_MAX_ALIASES: '2' })),
      }),
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await http?.close();
  });

  /** One operation over a socket: its result, or the errors the server refused it with. */
  async function overSocket(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{
    errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
    data?: unknown;
  }> {
    const client = createClient({
      url: `${http.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: auth,
      retryAttempts: 0,
    });
    clients.push(client);
    return new Promise((resolve, reject) => {
      let result: {
        errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
        data?: unknown;
      };
      client.subscribe(
        { query, variables },
        {
          next: (value) => {
            result = value as typeof result;
          },
          error: (error) =>
            Array.isArray(error)
              ? resolve({ errors: error as never })
              : reject(error instanceof Error ? error : new Error(String(error))),
          complete: () => resolve(result),
        },
      );
    });
  }

  test('over WebSocket: the configured aliases limit, depth, tokens and cost', async () => {
    expect((await overSocket('{ a: viewer { userId } b: viewer { userId } }')).errors).toBeUndefined();
    const aliases = await overSocket('{ a: viewer { userId } b: viewer { userId } c: viewer { userId } }');
    expect(aliases.errors?.[0]?.extensions).toMatchObject({
      code: LIMIT_ERROR_CODE,
      limit: 'aliases',
      max: 2,
      found: 3,
    });
    const depth = await overSocket(deepQuery(103));
    expect(depth.errors?.[0]?.extensions).toMatchObject({
      code: LIMIT_ERROR_CODE,
      limit: 'depth',
      found: 103,
    });
    const tokens = await overSocket(`{ ${repeat(1001, () => '__typename')} }`);
    expect(tokens.errors?.[0]?.extensions).toMatchObject({ code: LIMIT_ERROR_CODE, limit: 'tokens' });
    const cost = await overSocket(
      '{ viewer { rooms(first: 100) { edges { node { messages(first: 100) { edges { node { messageId } } } } } } } }',
    );
    expect(cost.data).toBeUndefined();
    expect(cost.errors?.[0]?.extensions).toMatchObject({
      code: LIMIT_ERROR_CODE,
      limit: 'cost',
      found: 10202,
    });
  });

  test('a subscription over SSE: its selection is costed before it starts', async () => {
    const costly = `subscription { roomEvents(roomId: "demo-room") { room { messages(first: 100) { edges { node { room { members(first: 100) { edges { node { userId } } } } } } } } } }`;
    // The app as the server builds it for subscriptions: with an event bus.
    const realtime = createInProcessApp(h.db);
    const { result: sse, statements } = await h.statements.measure(() =>
      realtime.subscribe(costly, { headers: auth }),
    );
    try {
      const first = await sse.next();
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: LIMIT_ERROR_CODE, limit: 'cost' });
      expect(first.errors?.[0]?.message).toMatch(/Query cost limit of 10000 nodes exceeded, found 10303/);
      await sse.waitForComplete();
      expect(statements.length).toBeLessThanOrEqual(await baseline());
    } finally {
      await sse.close();
    }
    const fine = await realtime.subscribe(
      'subscription { roomEvents(roomId: "demo-room") { type room { messages(first: 10) { edges { node { messageId } } } } } }',
      { headers: auth },
    );
    try {
      expect(fine.status).toBe(200);
      const sent = await realtime.request(
        'mutation { sendMessage(input: { roomId: "demo-room", message: "heard" }) { __typename } }',
        { headers: bearer(await app.tokenFor('bob')) },
      );
      expect(sent.body.errors).toBeUndefined();
      const event = await fine.next<{ roomEvents: { room: { messages: { edges: unknown[] } } } }>();
      expect(event.errors).toBeUndefined();
      expect(event.data?.roomEvents.room.messages.edges.length).toBeGreaterThan(0);
    } finally {
      await fine.close();
    }
  });
});
