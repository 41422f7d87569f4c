import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, validate } from 'graphql';
import { GRAPHIQL_DEFAULT_DOCUMENT } from '../../src/graphql/graphiql-examples.js';
import { printSchemaSDL } from '../../src/graphql/print-schema.js';
import { schema } from '../../src/graphql/schema.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

describe('schema.graphql', () => {
  test('is the printed schema: run `npm run schema:print` (or `npx chat-bff schema print > schema.graphql`) when this fails', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSDL());
  });

  test("GraphiQL's example operations are valid against the schema", () => {
    const document = parse(GRAPHIQL_DEFAULT_DOCUMENT);
    expect(document.definitions.length).toBeGreaterThanOrEqual(5);
    expect(validate(schema, document)).toEqual([]);
  });

  test('is sorted and has the Relay basics', () => {
    const sdl = printSchemaSDL();
    expect(sdl).toContain('interface Node {\n  id: ID!\n}');
    expect(sdl).toMatch(/node\(id: ID!\): Node\n/);
    expect(sdl).toMatch(/nodes\(ids: \[ID!\]!\): \[Node\]!/);
    for (const type of ['Member', 'Message', 'Room', 'User'])
      expect(sdl).toContain(`type ${type} implements Node {`);
    for (const connection of ['MemberConnection', 'MessageConnection', 'RoomConnection']) {
      expect(sdl).toMatch(new RegExp(`type ${connection} \\{[^}]*totalCount: Int!`));
    }
    const typeNames = [...sdl.matchAll(/^(?:type|input|enum|interface|scalar) (\w+)/gm)].map((m) => m[1]);
    expect(typeNames).toEqual([...typeNames].sort());
  });
});

describe('/graphql over HTTP without credentials', () => {
  let h: StartedApp;
  beforeAll(async () => {
    h = await startInProcessApp();
  });
  afterAll(() => h.close());

  test('GraphiQL is a self-contained page (works offline) with example operations', async () => {
    const response = await h.fetch(
      new Request('http://chat-bff.test/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    // No script or stylesheet from elsewhere: everything is inline.
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"[^>]+href="http/i);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr|esm\.sh/);
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).toContain('query MyRooms');
    expect(html).toContain('chat-bff GraphiQL');
  });

  test('introspection needs no viewer (GraphiQL loads the schema before anyone signs in)', async () => {
    const res = await h.request<{ __schema: { queryType: { name: string } } }>(
      '{ __schema { queryType { name } } }',
    );
    expect(res.status).toBe(200);
    expect(res.body.data?.__schema.queryType.name).toBe('Query');
  });

  test('an invalid operation is a GraphQL error, 400 for graphql-response+json clients, never a 500', async () => {
    const legacy = await h.request('{ viewer { nope } }');
    expect(legacy.status).toBe(200); // application/json keeps the legacy 200 (GraphQL over HTTP spec)
    expect(legacy.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const modern = await h.request('{ viewer { nope } }', {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(modern.status).toBe(400);
    expect(modern.body.errors?.[0]?.message).toContain('Cannot query field "nope" on type "User"');
  });
});
