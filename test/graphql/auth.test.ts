import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/credentials.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom, deleteRoom } from '../../src/domain/rooms/room.service.js';
import { removeMember } from '../../src/domain/rooms/membership.service.js';
import { issueToken, revokeToken } from '../../src/domain/tokens/token.service.js';
import { encodeGlobalId, memberNodeKey } from '../../src/graphql/global-ids.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * Who may ask what: every credential a dialect sends works for GraphQL; without one, or
 * with a wrong one, the answer is UNAUTHENTICATED (401 when nothing could run); a room
 * the viewer is not in is invisible; another app's rows are never reachable.
 */

let h: StartedApp;
let a: TestApp;
let b: TestApp;
let aliceA: string;
let aliceB: string;
let messageInA: string;

const VIEWER = '{ viewer { userId nickname } }';
const ROOM = `query Room($id: String!) { room(id: $id) { roomId name isSuperuser unread viewerMembership { userId } } }`;
const NODE = `query Node($id: ID!) { node(id: $id) { id __typename ... on Room { name } ... on Message { message } ... on User { nickname } ... on Member { userId } } }`;

beforeAll(async () => {
  h = await startInProcessApp();
  // Two tenants with the same user ids and the same room id, holding different data.
  a = await createTestApp(h.db, ['alice', 'bob', 'zed']);
  b = await createTestApp(h.db, ['alice', 'bob']);
  await createRoom(a.as('alice'), {
    roomId: 'shared',
    roomType: 'group',
    name: 'A shared',
    memberIds: ['bob'],
  });
  await createRoom(a.as('alice'), {
    roomId: 'a-only',
    roomType: 'group',
    name: 'A only',
    memberIds: ['bob'],
  });
  await createRoom(a.as('bob'), {
    roomId: 'bob-private',
    roomType: 'group',
    name: 'Bob and Zed',
    memberIds: ['zed'],
  });
  await createRoom(b.as('alice'), {
    roomId: 'shared',
    roomType: 'group',
    name: 'B shared',
    memberIds: ['bob'],
  });
  messageInA = (await sendMessage(a.as('bob'), { roomId: 'a-only', body: 'secret of A' })).id;
  await sendMessage(a.as('zed'), { roomId: 'bob-private', body: 'not for alice' });
  aliceA = await a.tokenFor('alice');
  aliceB = await b.tokenFor('alice');
});
afterAll(() => h.close());

function codes(res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }): unknown[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.['code']);
}

describe('credentials', () => {
  test('Authorization: Bearer <client token>', async () => {
    const res = await h.request(VIEWER, { headers: bearer(aliceA) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { viewer: { userId: 'alice', nickname: 'ALICE' } } });
  });

  test('IMKit headers: IM-CLIENT-KEY + IM-Authorization (and IM-CLIENT-ID when sent)', async () => {
    const res = await h.request(VIEWER, {
      headers: { 'IM-CLIENT-KEY': a.clientKey, 'IM-Authorization': aliceA, 'IM-CLIENT-ID': 'alice' },
    });
    expect(res.body.data).toEqual({ viewer: { userId: 'alice', nickname: 'ALICE' } });
  });

  test("IMKit headers with another app's client key are refused", async () => {
    const res = await h.request(VIEWER, {
      headers: { 'IM-CLIENT-KEY': b.clientKey, 'IM-Authorization': aliceA },
    });
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
  });

  test('Rocket.Chat headers: X-User-Id + X-Auth-Token; a token of someone else is refused', async () => {
    const { token } = await issueToken(h.db, {
      appId: a.appId,
      userId: 'bob',
      kind: 'login',
      ttlSeconds: 600,
    });
    const ok = await h.request(VIEWER, { headers: { 'X-User-Id': 'bob', 'X-Auth-Token': token } });
    expect(ok.body.data).toEqual({ viewer: { userId: 'bob', nickname: 'BOB' } });
    const wrong = await h.request(VIEWER, { headers: { 'X-User-Id': 'alice', 'X-Auth-Token': token } });
    expect(wrong.status).toBe(401);
  });

  test('Virola session cookie', async () => {
    const { token } = await issueToken(h.db, {
      appId: a.appId,
      userId: 'zed',
      kind: 'session',
      ttlSeconds: 600,
    });
    const res = await h.request(VIEWER, { headers: { cookie: `other=1; ${SESSION_COOKIE}=${token}` } });
    expect(res.body.data).toEqual({ viewer: { userId: 'zed', nickname: 'ZED' } });
  });

  test("the app's API key is the platform admin: any room of its app, as superuser, but no `viewer`", async () => {
    const viewer = await h.request(VIEWER, { headers: { 'IM-API-KEY': a.apiKey } });
    expect(viewer.status).toBe(200);
    expect(viewer.body.data).toEqual({ viewer: null });
    expect(viewer.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'USER_REQUIRED' });

    const room = await h.request(ROOM, { variables: { id: 'bob-private' }, headers: bearer(a.apiKey) });
    expect(room.body).toEqual({
      data: {
        room: {
          roomId: 'bob-private',
          name: 'Bob and Zed',
          isSuperuser: true,
          unread: 0,
          viewerMembership: null,
        },
      },
    });
    const other = await h.request(ROOM, {
      variables: { id: 'bob-private' },
      headers: { 'IM-API-KEY': b.apiKey },
    });
    expect(other.body.data).toEqual({ room: null });
    expect(codes(other)).toEqual(['NOT_FOUND']);
  });
});

describe('failures', () => {
  test('no credentials: UNAUTHENTICATED, HTTP 401 when the whole operation needs a viewer', async () => {
    for (const [query, variables] of [
      [VIEWER, {}],
      [ROOM, { id: 'shared' }],
      [NODE, { id: encodeGlobalId('Room', 'shared') }],
      ['{ viewer { userId } room(id: "shared") { name } }', {}],
    ] as const) {
      const res = await h.request(query, { variables });
      expect(res.status, query).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(new Set(codes(res))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(Object.values(res.body.data ?? {}).every((v) => v === null)).toBe(true);
    }
  });

  test('no credentials, but part of the operation needs none: 200 with the data that could be read', async () => {
    const res = await h.request('{ __typename viewer { userId } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ __typename: 'Query', viewer: null });
    expect(res.body.errors?.[0]).toMatchObject({ path: ['viewer'], extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('a wrong, revoked or expired token: 401 UNAUTHENTICATED (INVALID_TOKEN) for the whole request', async () => {
    const revoked = await a.tokenFor('alice');
    await revokeToken(h.db, revoked);
    const expired = await issueToken(h.db, {
      appId: a.appId,
      userId: 'alice',
      kind: 'client',
      ttlSeconds: 60,
      now: new Date(Date.now() - 3_600_000),
    });
    for (const token of ['ct_not-a-token', revoked, expired.token]) {
      const res = await h.request('{ __typename viewer { userId } }', { headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toEqual([
        { message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' } },
      ]);
    }
  });

  test('a room the viewer is not in is invisible: null + FORBIDDEN, by id and through node()', async () => {
    const byId = await h.request(ROOM, { variables: { id: 'bob-private' }, headers: bearer(aliceA) });
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual({ room: null });
    expect(byId.body.errors?.[0]).toMatchObject({
      path: ['room'],
      extensions: { code: 'FORBIDDEN', reason: 'NOT_ROOM_MEMBER' },
    });
    expect(JSON.stringify(byId.body)).not.toContain('Bob and Zed');

    const ids = [
      encodeGlobalId('Room', 'bob-private'),
      encodeGlobalId('Member', memberNodeKey('bob-private', 'zed')),
    ];
    for (const id of ids) {
      const res = await h.request(NODE, { variables: { id }, headers: bearer(aliceA) });
      expect(res.body.data).toEqual({ node: null });
      expect(codes(res)).toEqual(['FORBIDDEN']);
    }
    const list = await h.request<{ viewer: { rooms: { edges: { node: { roomId: string } }[] } } }>(
      '{ viewer { rooms(first: 50) { edges { node { roomId } } } } }',
      { headers: bearer(aliceA) },
    );
    expect(list.body.data?.viewer.rooms.edges.map((e) => e.node.roomId).sort()).toEqual(['a-only', 'shared']);
  });

  test('a room the viewer left, or that was deleted, is invisible too', async () => {
    const app = await createTestApp(h.db, ['ann', 'ben']);
    await createRoom(app.as('ann'), { roomId: 'left', roomType: 'group', memberIds: ['ben'] });
    await createRoom(app.as('ann'), { roomId: 'gone', roomType: 'group', memberIds: ['ben'] });
    await removeMember(app.as('ben'), 'left', 'ben');
    await deleteRoom(app.as('ann'), 'gone');
    const token = await app.tokenFor('ben');
    const left = await h.request(ROOM, { variables: { id: 'left' }, headers: bearer(token) });
    expect(codes(left)).toEqual(['FORBIDDEN']);
    const gone = await h.request(ROOM, { variables: { id: 'gone' }, headers: bearer(token) });
    expect(gone.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ROOM_NOT_FOUND' });
  });

  test("another user's room list is not readable through User.rooms", async () => {
    const res = await h.request<{ room: { lastMessage: { sender: { rooms: unknown } } } }>(
      '{ room(id: "a-only") { lastMessage { sender { userId rooms(first: 5) { totalCount } } } } }',
      { headers: bearer(aliceA) },
    );
    expect(res.body.data?.room.lastMessage.sender).toEqual({ userId: 'bob', rooms: null });
    expect(res.body.errors?.[0]).toMatchObject({
      path: ['room', 'lastMessage', 'sender', 'rooms'],
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('tenant isolation', () => {
  test("the same ids in two apps: each viewer gets their own app's rows, never the other's", async () => {
    const inA = await h.request(ROOM, { variables: { id: 'shared' }, headers: bearer(aliceA) });
    const inB = await h.request(ROOM, { variables: { id: 'shared' }, headers: bearer(aliceB) });
    expect(inA.body.data).toMatchObject({ room: { name: 'A shared' } });
    expect(inB.body.data).toMatchObject({ room: { name: 'B shared' } });
    const rooms = await h.request('{ viewer { rooms(first: 50) { totalCount edges { node { name } } } } }', {
      headers: bearer(aliceB),
    });
    expect(rooms.body.data).toEqual({
      viewer: { rooms: { totalCount: 1, edges: [{ node: { name: 'B shared' } }] } },
    });
  });

  test('global ids minted in app A find nothing in app B', async () => {
    const ids = {
      room: encodeGlobalId('Room', 'a-only'),
      message: encodeGlobalId('Message', messageInA),
      user: encodeGlobalId('User', 'zed'),
      member: encodeGlobalId('Member', memberNodeKey('a-only', 'bob')),
    };
    // In app A, alice reaches each of them...
    const ownApp = await h.request<{ nodes: ({ id: string } | null)[] }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
      { variables: { ids: Object.values(ids) }, headers: bearer(aliceA) },
    );
    expect(ownApp.body.errors).toBeUndefined();
    expect(ownApp.body.data?.nodes.map((n) => n?.id)).toEqual(Object.values(ids));
    // ...in app B, alice gets nothing of A's.
    for (const id of Object.values(ids)) {
      const res = await h.request(NODE, { variables: { id }, headers: bearer(aliceB) });
      expect(res.body.data).toEqual({ node: null });
      expect(codes(res)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(res.body)).not.toMatch(/secret of A|A only|ZED/);
    }
  });

  test("an app's API key sees nothing of another app", async () => {
    const res = await h.request(NODE, {
      variables: { id: encodeGlobalId('Message', messageInA) },
      headers: bearer(b.apiKey),
    });
    expect(res.body.data).toEqual({ node: null });
    expect(codes(res)).toEqual(['NOT_FOUND']);
  });
});
