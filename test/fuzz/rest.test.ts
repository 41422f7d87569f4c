import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/rest/openapi.js';
import { DIALECTS } from '../../src/rest/rest-routes.js';
import {
  PASSWORD,
  createFuzzWorld,
  databaseFingerprint,
  expectSafeAnswer,
  fuzzOptions,
  fuzzTimeout,
  type FuzzWorld,
} from './support/fuzz-world.js';
import {
  hostileParam,
  hostileString,
  hostileValue,
  toJsonText,
  type Hostile,
} from './support/hostile-values.js';

/*
 * Hostile input over every REST operation of the three dialects, enumerated from the
 * OpenAPI document (so a new route is fuzzed without touching this file): one parameter,
 * header or body field at a time gets a hostile value, the rest stay valid. Every answer
 * is one of the operation's documented statuses, never a 5xx, leaks nothing, and a
 * rejected request leaves the database as it was.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- OpenAPI and JSON Schema documents are walked freely

interface Operation {
  name: string;
  method: string;
  /** "/rooms/{id}/message" */
  path: string;
  documented: number[];
  parameters: { name: string; in: string }[];
  /** Header names of its security schemes (credentials are input too). */
  credentialHeaders: string[];
  security: string[][];
  body?: { schema: Json; contentTypes: string[] };
}

type Target = { in: 'path' | 'query' | 'header'; name: string } | { in: 'body'; path: string[] };

/** Cases per property in the test suite: a few seconds on either driver. */
const CI_RUNS = 100;
let world: FuzzWorld;
let operations: Operation[];
let components: Json;

beforeAll(async () => {
  world = await createFuzzWorld();
  const document = buildOpenApiDocument(world.client.config, DIALECTS) as Json;
  components = document['components'];
  operations = [];
  for (const [path, item] of Object.entries(document['paths'] as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const security = (op['security'] as Json[]).map((alternative) => Object.keys(alternative));
      const content = op['requestBody']?.content as Json | undefined;
      operations.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        documented: Object.keys(op['responses']).map(Number),
        parameters: (op['parameters'] ?? []) as { name: string; in: string }[],
        credentialHeaders: [...new Set(security.flat())]
          .map((scheme) => components['securitySchemes'][scheme])
          .filter((scheme: Json) => scheme['type'] === 'apiKey' && scheme['in'] === 'header')
          .map((scheme: Json) => scheme['name'] as string),
        security,
        ...(content && {
          body: {
            schema: Object.values(content)[0]['schema'] as Json,
            contentTypes: Object.keys(content),
          },
        }),
      });
    }
  }
});
afterAll(() => world?.close());

function resolve(schema: Json): Json {
  const ref = schema['$ref'] as string | undefined;
  return ref ? resolve(components['schemas'][ref.split('/').at(-1) as string]) : schema;
}

/** The object alternatives of a schema (a oneOf of two dialects' bodies, a union with a string). */
function objectSchemas(schema: Json): Json[] {
  const resolved = resolve(schema);
  const alternatives = (resolved['oneOf'] ?? resolved['anyOf']) as Json[] | undefined;
  if (alternatives) return alternatives.flatMap(objectSchemas);
  return resolved['type'] === 'object' || resolved['properties'] ? [resolved] : [];
}

/** Every field path of a body schema, two levels deep ("message", "message.rid"). */
function bodyPaths(schema: Json, depth = 0): string[][] {
  const paths: string[][] = [];
  for (const object of objectSchemas(schema)) {
    for (const [name, child] of Object.entries((object['properties'] ?? {}) as Json)) {
      paths.push([name]);
      if (depth < 1) for (const nested of bodyPaths(child as Json, depth + 1)) paths.push([name, ...nested]);
    }
  }
  return paths;
}

/** A valid value for a field, by its name and schema: what a real client would send. */
function validValue(name: string, schema: Json): unknown {
  const known: Record<string, unknown> = {
    rid: 'talk',
    roomId: 'talk',
    user: 'alice',
    username: 'alice',
    userName: 'alice',
    password: PASSWORD,
    msg: 'hello',
    message: 'hello',
  };
  if (name in known) return known[name];
  const resolved = resolve(schema);
  const alternatives = (resolved['oneOf'] ?? resolved['anyOf']) as Json[] | undefined;
  if (alternatives?.[0]) return validValue(name, alternatives[0]);
  switch (resolved['type']) {
    case 'object':
      return validBody(resolved);
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'hello';
  }
}

/** A body with every required field valid. */
function validBody(schema: Json): Record<string, unknown> {
  const [object] = objectSchemas(schema);
  const body: Record<string, unknown> = {};
  for (const name of (object?.['required'] ?? []) as string[]) {
    body[name] = validValue(name, object?.['properties'][name] ?? {});
  }
  return body;
}

function withHostile(body: Record<string, unknown>, path: string[], value: Hostile): Hostile {
  if (path.length === 0) return value;
  const copy: Record<string, unknown> = { ...body };
  let node = copy;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else {
      const child = node[key];
      node[key] = child !== null && typeof child === 'object' && !Array.isArray(child) ? { ...child } : {};
      node = node[key] as Record<string, unknown>;
    }
  });
  return copy as Hostile;
}

/** A header value a client can send at all (HTTP headers are bytes without CR, LF or NUL). */
const hostileHeader = hostileString.map((value) =>
  value.replace(/[^\u0020-\u007e\u0080-\u00ff\t]/g, '').slice(0, 8000),
);

function targetsOf(op: Operation): Target[] {
  return [
    ...op.parameters.map((p) => ({ in: p.in, name: p.name }) as Target),
    ...op.credentialHeaders.map((name) => ({ in: 'header', name }) as Target),
    ...(op.body
      ? [
          { in: 'body', path: [] } as Target,
          ...bodyPaths(op.body.schema).map((path) => ({ in: 'body', path }) as Target),
        ]
      : []),
  ];
}

function credentialsFor(op: Operation): Record<string, string> {
  const schemes = op.security[0] ?? [];
  if (schemes.includes('imkitClientKey')) return world.credentials.imkit;
  if (schemes.includes('rocketchatAuthToken')) return world.credentials.rocketchat;
  if (schemes.includes('imkitApiKey')) return world.credentials.apiKey;
  if (schemes.length > 0) return world.credentials.bearer;
  return { 'X-App-Id': world.app.appId };
}

interface Case {
  op: Operation;
  target: Target;
  value: Hostile;
  authenticated: boolean;
  form: boolean;
}

interface Pair {
  op: Operation;
  target: Target;
}
let pairs: { inputs: Pair[]; headers: Pair[] } | undefined;

/** Every (operation, target) pair: parameters and body fields, and apart the credential headers. */
function allTargets(): { inputs: Pair[]; headers: Pair[] } {
  if (pairs) return pairs;
  const all = operations.flatMap((op) => targetsOf(op).map((target) => ({ op, target })));
  const credential = (p: Pair) => p.target.in === 'header' && p.op.credentialHeaders.includes(p.target.name);
  pairs = { inputs: all.filter((p) => !credential(p)), headers: all.filter(credential) };
  return pairs;
}

// Spread over fields, not operations (a body of six fields gets six times the cases of one
// query parameter); credential headers get one case in seven, unauthenticated one in eight.
const caseArbitrary = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1_000_000 }))
  .chain(([kind, pick]) => {
    const { inputs, headers } = allTargets();
    const pool = kind === 0 || inputs.length === 0 ? headers : inputs;
    const { op, target } = pool[pick % pool.length] as Pair;
    return fc.record({
      op: fc.constant(op),
      target: fc.constant(target),
      value: hostileValue,
      param: hostileParam,
      header: hostileHeader,
      authenticated: fc.integer({ min: 0, max: 7 }).map((n) => n !== 0),
      form: fc
        .boolean()
        .map((b) => b && (op.body?.contentTypes.includes('application/x-www-form-urlencoded') ?? false)),
    });
  })
  .map(({ op, target, value, param, header, authenticated, form }) => ({
    op,
    target,
    value: target.in === 'body' ? value : target.in === 'header' ? header : param,
    authenticated,
    form,
  }));

/**
 * Percent-encodes like encodeURIComponent, but sends a lone surrogate as the bytes a
 * careless encoder writes for it (CESU-8, e.g. %ED%A0%80) instead of throwing.
 */
function percentEncode(value: string): string {
  return value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (char) => {
    if (char.length === 2 || char.charCodeAt(0) < 0xd800 || char.charCodeAt(0) > 0xdfff) {
      return encodeURIComponent(char);
    }
    const code = char.charCodeAt(0);
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
      .map((byte) => `%${byte.toString(16).toUpperCase()}`)
      .join('');
  });
}

function buildRequest(c: Case): { url: string; init: RequestInit; label: string } {
  const pathParams: Record<string, string> = { id: 'talk', roomId: String(world.talkNumId) };
  if (c.target.in === 'path') pathParams[c.target.name] = String(c.value);
  const path = c.op.path.replace(/\{(\w+)\}/g, (_, name: string) => percentEncode(pathParams[name] ?? 'x'));
  const query = c.target.in === 'query' ? `?${c.target.name}=${percentEncode(String(c.value))}` : '';
  const headers: Record<string, string> = c.authenticated ? { ...credentialsFor(c.op) } : {};
  if (c.target.in === 'header') headers[c.target.name] = String(c.value);
  let body: string | undefined;
  if (c.op.body) {
    const fields = validBody(c.op.body.schema);
    const hostile =
      c.target.in === 'body' ? withHostile(fields, c.target.path, c.value) : (fields as Hostile);
    if (c.form && hostile !== null && typeof hostile === 'object' && !Array.isArray(hostile)) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(
        Object.entries(hostile).map(([k, v]) => [k, typeof v === 'string' ? v : toJsonText(v as Hostile)]),
      ).toString();
    } else {
      headers['content-type'] = 'application/json';
      body = toJsonText(hostile);
    }
  }
  const where =
    c.target.in === 'body' ? `body.${c.target.path.join('.')}` : `${c.target.in} ${c.target.name}`;
  const shown = toJsonText(c.value as Hostile);
  const label = `${c.op.name} ${where}=${shown.length > 120 ? `${shown.slice(0, 120)}... (${shown.length} chars)` : shown}${c.authenticated ? '' : ' (no credentials)'}`;
  return {
    url: `${path}${query}`,
    init: { method: c.op.method, headers, ...(body !== undefined && { body }) },
    label,
  };
}

describe('REST: hostile input to every documented operation', () => {
  it('finds every dialect operation in the OpenAPI document', () => {
    const names = operations.map((op) => op.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /rooms/{id}/message',
        'POST /api/v1/chat.sendMessage',
        'GET /api/v1/rooms',
      ]),
    );
    expect(operations.every((op) => op.documented.length > 0)).toBe(true);
  });

  it(
    'answers every hostile request with a documented status, no 5xx, no leak, and no write when rejected',
    async () => {
      let fingerprint = await databaseFingerprint(world);
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async (c) => {
          const { url, init, label } = buildRequest(c);
          const response = await world.client.fetch(url, init);
          const text = await response.text();
          // A path parameter can make the URL another route's ("" -> /rooms//message) or none.
          const documented = c.target.in === 'path' ? [...c.op.documented, 404, 405] : c.op.documented;
          expectSafeAnswer(label, response.status, text, documented);
          const after = await databaseFingerprint(world);
          if (response.status >= 400) expect(after, `${label} was rejected but wrote`).toEqual(fingerprint);
          fingerprint = after;
        }),
        fuzzOptions('REST', CI_RUNS),
      );
    },
    fuzzTimeout(CI_RUNS),
  );
});
