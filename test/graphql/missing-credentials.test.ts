import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * "Log in" and "renew your token" are different answers: no credentials at all is
 * UNAUTHENTICATED with reason MISSING_CREDENTIALS, wrong/expired/revoked ones INVALID_TOKEN.
 * And the HTTP status follows GraphQL over HTTP for each media type: under
 * application/graphql-response+json an answer with data is 200 (a 401 only when there is
 * no data: a request error); legacy application/json keeps its 401 for an operation none
 * of whose fields could run.
 */

let h: StartedApp;
let app: TestApp;

beforeAll(async () => {
  h = await startInProcessApp();
  app = await createTestApp(h.db, ['ann']);
});
afterAll(() => h.close());

const NEW = { accept: 'application/graphql-response+json' };
const VIEWER = '{ viewer { userId } }';

describe('reasons', () => {
  test('no credentials: MISSING_CREDENTIALS on the field that needs a viewer', async () => {
    const res = await h.request(VIEWER);
    expect(res.body.data).toEqual({ viewer: null });
    expect(res.body.errors?.[0]).toMatchObject({
      path: ['viewer'],
      extensions: { code: 'UNAUTHENTICATED', reason: 'MISSING_CREDENTIALS' },
    });
  });

  test('no credentials on a mutation: UnauthenticatedError with reason MISSING_CREDENTIALS', async () => {
    const res = await h.request<{ markRoomRead: Record<string, unknown> }>(
      'mutation { markRoomRead(input: { roomId: "r" }) { __typename ... on Error { code reason } } }',
    );
    expect(res.body.data?.markRoomRead).toEqual({
      __typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
      reason: 'MISSING_CREDENTIALS',
    });
  });

  test('a wrong token stays INVALID_TOKEN', async () => {
    const res = await h.request(VIEWER, { headers: bearer('ct_wrong') });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
  });
});

describe('HTTP status by media type', () => {
  test('graphql-response+json: data and errors is 200, even when every field failed', async () => {
    for (const query of [
      VIEWER,
      '{ viewer { userId } room(id: "x") { name } }',
      '{ __typename viewer { userId } }',
    ]) {
      const res = await h.request(query, { headers: NEW });
      expect(res.status, query).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(res.body.data, query).toBeTypeOf('object');
      expect(res.body.errors?.[0]?.extensions?.['reason']).toBe('MISSING_CREDENTIALS');
    }
  });

  test('graphql-response+json: no data (wrong credentials, a request error) keeps its 401', async () => {
    const res = await h.request(VIEWER, { headers: { ...NEW, ...bearer('ct_wrong') } });
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
  });

  test('the first acceptable type decides: graphql-response+json first is 200, application/json first is 401', async () => {
    const newFirst = await h.request(VIEWER, {
      headers: { accept: 'application/graphql-response+json, application/json;q=0.9' },
    });
    expect(newFirst.status).toBe(200);
    const legacyFirst = await h.request(VIEWER, {
      headers: { accept: 'application/json, application/graphql-response+json' },
    });
    expect(legacyFirst.status).toBe(401);
  });

  test('application/json (legacy): 401 with WWW-Authenticate when nothing could run, 200 otherwise', async () => {
    const none = await h.request(VIEWER);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const partly = await h.request('{ __typename viewer { userId } }');
    expect(partly.status).toBe(200);
  });

  test('with credentials, an answer with a field error is 200 in both media types', async () => {
    const token = await app.tokenFor('ann');
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const res = await h.request('{ room(id: "no-such-room") { name } }', {
        headers: { accept, ...bearer(token) },
      });
      expect(res.status, accept).toBe(200);
      expect(res.body.data).toEqual({ room: null });
    }
  });
});
