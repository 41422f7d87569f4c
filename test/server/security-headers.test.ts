import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { MAX_REQUEST_BYTES, startHttpServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer, openSse } from '../support/graphql-client.js';
import { createInProcessApp, type InProcessApp, silentLog } from '../support/in-process-app.js';

/*
 * Every answer carries X-Content-Type-Options: nosniff, a Content-Security-Policy and
 * Cross-Origin-Resource-Policy: same-site, whichever route made it: API answers load
 * nothing and may not be framed, images are also sandboxed, and the GraphiQL page gets
 * the policy it needs to run.
 */

let database: TestDatabase;
let h: InProcessApp;
let app: TestApp;
let token: Record<string, string>;
let numId: number;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
  app = await createTestApp(database.db, ['owner']);
  token = bearer(await app.tokenFor('owner'));
  numId = (await createRoom(app.as('owner'), { roomId: 'hq', name: 'HQ', roomType: 'group', memberIds: [] }))
    .numId;
});
afterAll(() => database?.close());

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return h.fetch(new Request(`http://chat-bff.test${path}`, { headers }));
}

function expectApiHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toBe(API_POLICY);
  expect(response.headers.get('cross-origin-resource-policy')).toBe('same-site');
}

describe('security headers', () => {
  test('on REST answers (success and error), GraphQL answers, /healthz and 404s', async () => {
    const answers: [string, Response][] = [
      ['Virola rooms', await get('/api/v1/rooms', token)],
      ['Virola without credentials', await get('/api/v1/rooms')],
      ['OpenAPI', await get('/openapi.json')],
      [
        'GraphQL',
        await h.fetch(
          new Request('http://chat-bff.test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...token },
            body: JSON.stringify({ query: '{ __typename }' }),
          }),
        ),
      ],
      ['GraphQL GET', await get('/graphql?query=%7B__typename%7D', { accept: 'application/json' })],
      ['healthz', await get('/healthz')],
      ['not found', await get('/no/such/route')],
    ];
    for (const [name, response] of answers) {
      expect.soft(response.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect.soft(response.headers.get('content-security-policy'), name).toBe(API_POLICY);
      expect.soft(response.headers.get('cross-origin-resource-policy'), name).toBe('same-site');
    }
    expect(answers.map(([, r]) => r.status)).toEqual([200, 401, 200, 200, 200, 200, 404]);
  });

  test('an image is served sandboxed: it can run nothing even when opened as a page', async () => {
    const avatar = await get(`/api/v1/rooms/${numId}/avatar.jpg`, token);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toBe('image/jpeg');
    expect(avatar.headers.get('x-content-type-options')).toBe('nosniff');
    expect(avatar.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'; sandbox",
    );
    expect(avatar.headers.get('cross-origin-resource-policy')).toBe('same-site');
  });

  test('the GraphiQL page renders, with nosniff and a policy that lets its inline bundle run and nothing else load', async () => {
    const page = await get('/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const policy = Object.fromEntries(
      (page.headers.get('content-security-policy') ?? '').split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    const html = await page.text();
    expect(html).toContain('renderYogaGraphiQL');
    // What the page needs: inline scripts and styles, editor workers from blob: URLs, data: fonts, this origin's API.
    expect(html).toMatch(/<script>/);
    expect(html).toContain('URL.createObjectURL');
    expect(html).toContain('url(data:font/');
    expect(policy).toMatchObject({
      'default-src': ["'none'"],
      'script-src': ["'unsafe-inline'"],
      'style-src': ["'unsafe-inline'"],
      'font-src': ['data:'],
      'worker-src': ['blob:'],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    // Nothing from elsewhere, which the policy would block.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/i);
  });

  test('a subscription stream keeps streaming, with the headers', async () => {
    let response: Response | undefined;
    const stream = await openSse(
      async (request) => (response = await h.fetch(request)),
      'http://chat-bff.test',
      'subscription { roomEvents(roomId: "hq") { __typename } }',
      {},
      token,
    );
    try {
      expect(response?.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expectApiHeaders(response as Response);
      const update = await h.request(
        'mutation { updateRoom(input: { roomId: "hq", topic: "news" }) { __typename } }',
        { headers: token },
      );
      expect(update.body.errors).toBeUndefined();
      expect((await stream.next()).data).toBeTruthy();
    } finally {
      await stream.close();
    }
  });

  test("the HTTP server's own 413 carries them too", async () => {
    const server = await startHttpServer(h.fetch, {
      port: 0,
      host: '127.0.0.1',
      log: silentLog,
      shutdownTimeoutMs: 1000,
    });
    try {
      const tooBig = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        body: new Uint8Array(MAX_REQUEST_BYTES + 1),
      });
      expect(tooBig.status).toBe(413);
      expectApiHeaders(tooBig);
    } finally {
      await server.close();
    }
  });
});
