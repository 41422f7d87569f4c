import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import {
  createFuzzWorld,
  databaseFingerprint,
  expectSafeAnswer,
  fuzzOptions,
  fuzzTimeout,
  type FuzzWorld,
} from './support/fuzz-world.js';
import { hostileString, hostileValue, toJsonText, type Hostile } from './support/hostile-values.js';

/*
 * Hostile input to every argument of every GraphQL operation, enumerated from the
 * schema (so a new field or argument is fuzzed without touching this file): the root
 * fields of Query, Mutation and Subscription (over SSE) and the fields with arguments below them (rooms, messages,
 * members: where cursors, filters and sorts live). One argument, or one field of an input
 * object, gets a hostile value as a variable or a literal; the rest stay valid. Every
 * answer is 200/400/401 without INTERNAL_SERVER_ERROR, leaks nothing, and a rejected
 * operation leaves the database as it was.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are inspected freely

/** A field with arguments, reached from a root type through `path`. */
interface Site {
  kind: 'query' | 'mutation' | 'subscription';
  /** The fields from the root down to the one fuzzed, each with its arguments. */
  path: GraphQLField<unknown, unknown>[];
  name: string;
}

/** Where the hostile value goes: an argument of a field of the path, maybe a field inside an input object. */
interface Target {
  level: number;
  arg: string;
  inputPath: string[];
}

const MAX_DEPTH = 3;
/** Cases per property in the test suite: a few seconds on either driver. */
const CI_RUNS = 100;
let world: FuzzWorld;
let sites: Site[];
let roomGlobalId: string;
let messageId: string;

function collectSites(
  kind: Site['kind'],
  type: GraphQLObjectType,
  path: GraphQLField<unknown, unknown>[],
  out: Site[],
): void {
  if (path.length >= MAX_DEPTH) return;
  for (const field of Object.values(type.getFields())) {
    const next = [...path, field];
    if (field.args.length > 0) out.push({ kind, path: next, name: next.map((f) => f.name).join('.') });
    const named = getNamedType(field.type);
    // Mutations are fuzzed at the root: their payloads' fields take no hostile input of their own.
    if (isObjectType(named) && kind === 'query' && !named.name.endsWith('Connection'))
      collectSites(kind, named, next, out);
    if (isObjectType(named) && named.name.endsWith('Connection')) {
      const node = getNamedType(named.getFields()['edges']?.type ?? named);
      const nodeType = isObjectType(node) ? getNamedType(node.getFields()['node']?.type ?? node) : undefined;
      if (isObjectType(nodeType)) collectSites(kind, nodeType, [...next, ...edgeNodePath(named)], out);
    }
  }
}

/** edges { node } of a connection, as fields (they take no arguments). */
function edgeNodePath(connection: GraphQLObjectType): GraphQLField<unknown, unknown>[] {
  const edges = connection.getFields()['edges'] as GraphQLField<unknown, unknown>;
  const edge = getNamedType(edges.type) as GraphQLObjectType;
  return [edges, edge.getFields()['node'] as GraphQLField<unknown, unknown>];
}

beforeAll(async () => {
  world = await createFuzzWorld();
  sites = [];
  collectSites('query', schema.getQueryType() as GraphQLObjectType, [], sites);
  collectSites('mutation', schema.getMutationType() as GraphQLObjectType, [], sites);
  collectSites('subscription', schema.getSubscriptionType() as GraphQLObjectType, [], sites);
  const { body } = await world.client.json<Json>('/graphql', {
    method: 'POST',
    headers: { ...world.credentials.bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: '{ room(id: "talk") { id messages(first: 1) { edges { node { messageId } } } } }',
    }),
  });
  roomGlobalId = body['data'].room.id;
  messageId = body['data'].room.messages.edges[0].node.messageId;
});
afterAll(() => world?.close());

/** A valid value for an argument or input field, by name and type: what a real client sends. */
function validValue(name: string, type: GraphQLInputType, site: Site): unknown {
  const destructive = /^(delete|leave|remove)/.test(site.path[0]?.name ?? '');
  const known: Record<string, unknown> = {
    roomId: destructive ? 'side' : 'talk',
    userId: destructive ? 'eve' : 'bob',
    senderId: 'alice',
    memberIds: ['bob'],
    userIds: ['bob'],
    messageId,
    upToMessageId: messageId,
    message: 'hello',
    key: '👍',
  };
  const nullable = getNullableType(type);
  if (name in known) return known[name];
  if (name === 'id') return getNamedType(nullable).name === 'ID' ? roomGlobalId : 'talk';
  if (name === 'ids') return [roomGlobalId];
  if (!isNonNullType(type)) return undefined;
  if (isListType(nullable)) return [];
  if (isInputObjectType(nullable)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      const value = validValue(field.name, field.type, site);
      if (value !== undefined) out[field.name] = value;
    }
    return out;
  }
  if (isEnumType(nullable)) return nullable.getValues()[0]?.name;
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'DateTime':
        return new Date().toISOString();
      default:
        return 'hello';
    }
  }
  return undefined;
}

function targetsOf(site: Site): Target[] {
  const targets: Target[] = [];
  site.path.forEach((field, level) => {
    for (const arg of field.args as readonly GraphQLArgument[]) {
      targets.push({ level, arg: arg.name, inputPath: [] });
      const input = getNamedType(arg.type);
      if (isInputObjectType(input)) {
        for (const inner of Object.values(input.getFields()))
          targets.push({ level, arg: arg.name, inputPath: [inner.name] });
      }
    }
  });
  return targets;
}

interface Case {
  site: Site;
  target: Target;
  value: Hostile;
  asLiteral: boolean;
  credentials: 'bearer' | 'apiKey' | 'none';
}

const caseArbitrary: fc.Arbitrary<Case> = fc.integer({ min: 0, max: 1_000_000 }).chain((pick) => {
  const site = sites[pick % sites.length] as Site;
  return fc.record({
    site: fc.constant(site),
    target: fc.constantFrom(...targetsOf(site)),
    value: fc.oneof(
      { arbitrary: hostileString as fc.Arbitrary<Hostile>, weight: 2 },
      { arbitrary: hostileValue, weight: 3 },
    ),
    asLiteral: fc.boolean(),
    credentials: fc.constantFrom<Case['credentials']>('bearer', 'bearer', 'bearer', 'apiKey', 'none'),
  });
});

/** The document and the JSON body text of a case (raw: hostile values JSON cannot write). */
function buildOperation(c: Case): { body: string; label: string } {
  const declarations: string[] = [];
  const variables: string[] = [];
  let literalUsed = false;
  const levels = c.site.path.map((field, level) => {
    const args = (field.args as readonly GraphQLArgument[]).flatMap((arg) => {
      const targeted = c.target.level === level && c.target.arg === arg.name;
      const valid = validValue(arg.name, arg.type, c.site);
      if (!targeted && valid === undefined) return [];
      const variable = `v${declarations.length}`;
      let text: string;
      if (targeted && c.target.inputPath.length === 0) {
        if (c.asLiteral && typeof c.value === 'string') {
          literalUsed = true;
          return [`${arg.name}: ${JSON.stringify(c.value)}`];
        }
        text = toJsonText(c.value);
      } else if (targeted) {
        const fields = { ...(valid as Record<string, unknown>) } as Record<string, Hostile>;
        fields[c.target.inputPath[0] as string] = c.value;
        text = toJsonText(fields);
      } else {
        text = JSON.stringify(valid);
      }
      declarations.push(`$${variable}: ${String(arg.type)}`);
      variables.push(`${JSON.stringify(variable)}:${text}`);
      return [`${arg.name}: $${variable}`];
    });
    return args.length > 0 ? `${field.name}(${args.join(', ')})` : field.name;
  });
  const leaf = getNamedType(c.site.path.at(-1)?.type ?? schema.getQueryType()!);
  let selection = isScalarType(leaf) || isEnumType(leaf) ? '' : ' { __typename }';
  for (let i = levels.length - 1; i >= 0; i--) selection = ` { ${levels[i]}${selection} }`;
  const document = `${c.site.kind} Fuzz${declarations.length > 0 ? `(${declarations.join(', ')})` : ''}${selection}`;
  const body = `{"query":${JSON.stringify(document)},"variables":{${variables.join(',')}}}`;
  const shown = toJsonText(c.value);
  const where = `${c.site.path[c.target.level]?.name}(${[c.target.arg, ...c.target.inputPath].join('.')})`;
  const label = `${c.site.name}: ${where}=${shown.length > 120 ? `${shown.slice(0, 120)}... (${shown.length} chars)` : shown}${literalUsed ? ' as a literal' : ''} [${c.credentials}]`;
  return { body, label };
}

/** What an SSE stream says within its first moments (the first result, or nothing for a live one). */
async function firstEvents(response: Response): Promise<string> {
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    return response.text();
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 300;
  try {
    while (!/event: (next|complete)/.test(text) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<undefined>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
      ]);
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

function rejected(body: Json): boolean {
  if (Array.isArray(body['errors']) && body['errors'].length > 0) return true;
  return JSON.stringify(body['data'] ?? null).includes('Error"');
}

describe('GraphQL: hostile input to every argument of every operation', () => {
  it('finds the operations and their nested arguments in the schema', () => {
    const names = sites.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'node',
        'room',
        'room.messages',
        'room.members',
        'viewer.rooms',
        'sendMessage',
        'createRoom',
      ]),
    );
  });

  it(
    'answers every hostile operation with 200/400/401, no internal error, no leak, and no write when rejected',
    async () => {
      let fingerprint = await databaseFingerprint(world);
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async (c) => {
          const { body, label } = buildOperation(c);
          const credentials = c.credentials === 'none' ? {} : world.credentials[c.credentials];
          const subscription = c.site.kind === 'subscription';
          const response = await world.client.fetch('/graphql', {
            method: 'POST',
            headers: {
              ...credentials,
              'content-type': 'application/json',
              accept: subscription ? 'text/event-stream' : 'application/json',
            },
            body,
          });
          const text = subscription ? await firstEvents(response) : await response.text();
          expectSafeAnswer(label, response.status, text, [200, 400, 401]);
          if (subscription) {
            // Subscriptions write nothing, whether or not the stream opened.
            expect(await databaseFingerprint(world), `${label} wrote`).toEqual(fingerprint);
            return;
          }
          const after = await databaseFingerprint(world);
          if (rejected(JSON.parse(text) as Json))
            expect(after, `${label} was rejected but wrote`).toEqual(fingerprint);
          fingerprint = after;
        }),
        fuzzOptions('GraphQL', CI_RUNS),
      );
    },
    fuzzTimeout(CI_RUNS),
  );
});
