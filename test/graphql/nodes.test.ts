import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { encodeGlobalId } from '../../src/graphql/global-ids.js';
import { createTestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * Relay node(id) and nodes(ids): every Node type's id, as any field returns it,
 * refetches the same object; ids are opaque and checked.
 */

let h: StartedApp;
let token: string;

const FIELDS = `id __typename
  ... on User { userId nickname }
  ... on Room { roomId name unread }
  ... on Member { userId role badge }
  ... on Message { messageId message sender { userId } }`;

interface Ids {
  user: string;
  room: string;
  member: string;
  message: string;
  sender: string;
  lastRead: string;
}

let ids: Ids;

beforeAll(async () => {
  h = await startInProcessApp();
  const app = await createTestApp(h.db, ['ada', 'bo', 'cy']);
  await createRoom(app.as('ada'), {
    roomId: 'room-1',
    name: 'Room one',
    roomType: 'group',
    memberIds: ['bo'],
  });
  await createRoom(app.as('bo'), {
    roomId: 'room-2',
    name: 'Not for ada',
    roomType: 'group',
    memberIds: ['cy'],
  });
  await sendMessage(app.as('ada'), { roomId: 'room-1', body: 'hello' });
  await sendMessage(app.as('bo'), { roomId: 'room-1', body: { rich: true } });
  token = await app.tokenFor('ada');
  const res = await h.request<{
    viewer: {
      id: string;
      rooms: {
        edges: {
          node: {
            id: string;
            lastMessage: { id: string; sender: { id: string } };
            members: { edges: { node: { id: string } }[] };
            viewerMembership: { lastRead: { id: string } };
          };
        }[];
      };
    };
  }>(
    `{ viewer { id rooms(first: 1) { edges { node { id lastMessage { id sender { id } }
        members(first: 2) { edges { node { id } } } viewerMembership { lastRead { id } } } } } } }`,
    { headers: bearer(token) },
  );
  const room = res.body.data!.viewer.rooms.edges[0]!.node;
  ids = {
    user: res.body.data!.viewer.id,
    room: room.id,
    member: room.members.edges[1]!.node.id,
    message: room.lastMessage.id,
    sender: room.lastMessage.sender.id,
    lastRead: room.viewerMembership.lastRead.id,
  };
});
afterAll(() => h.close());

async function node(id: string) {
  return h.request<{ node: Record<string, unknown> | null }>(
    `query($id: ID!) { node(id: $id) { ${FIELDS} } }`,
    {
      variables: { id },
      headers: bearer(token),
    },
  );
}

describe('node(id)', () => {
  test.each([
    ['User', 'user', { __typename: 'User', userId: 'ada', nickname: 'ADA' }],
    ['User (a message sender)', 'sender', { __typename: 'User', userId: 'bo', nickname: 'BO' }],
    ['Room', 'room', { __typename: 'Room', roomId: 'room-1', name: 'Room one', unread: 1 }],
    ['Member', 'member', { __typename: 'Member', userId: 'bo', role: 'MEMBER', badge: 0 }],
    [
      'Message',
      'message',
      {
        __typename: 'Message',
        messageId: expect.any(String),
        message: { rich: true },
        sender: { userId: 'bo' },
      },
    ],
    [
      'Message (a read position)',
      'lastRead',
      { __typename: 'Message', message: 'hello', sender: { userId: 'ada' } },
    ],
  ] as const)('%s round trip', async (_name, key, want) => {
    const res = await node(ids[key]);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.node).toMatchObject({ id: ids[key], ...want });
  });

  test('ids are opaque strings that say nothing a client should parse, and differ per type', () => {
    const all = Object.values(ids);
    expect(new Set([ids.user, ids.room, ids.member, ids.message]).size).toBe(4);
    for (const id of all) expect(id).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('a malformed id is BAD_USER_INPUT, an unknown type or a missing object NOT_FOUND', async () => {
    const malformed = await node('not a global id!');
    expect(malformed.body.data).toEqual({ node: null });
    expect(malformed.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    for (const [id, reason] of [
      [encodeGlobalId('Spaceship', 'x'), undefined],
      [encodeGlobalId('Room', 'no-such-room'), 'ROOM_NOT_FOUND'],
      [encodeGlobalId('User', 'nobody'), 'USER_NOT_FOUND'],
      [encodeGlobalId('Message', '0123456789abcdef01234567'), 'MESSAGE_NOT_FOUND'],
      [encodeGlobalId('Member', 'room-1\u0000cy'), 'MEMBER_NOT_FOUND'],
    ] as const) {
      const res = await node(id);
      expect(res.body.data).toEqual({ node: null });
      expect(res.body.errors?.[0]?.extensions).toMatchObject({
        code: 'NOT_FOUND',
        ...(reason && { reason }),
      });
    }
    const badMember = await node(encodeGlobalId('Member', 'no-separator'));
    expect(badMember.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('nodes(ids)', () => {
  test('returns each object in the order asked, repeated ids included', async () => {
    const order = [ids.message, ids.room, ids.user, ids.member, ids.room];
    const res = await h.request<{ nodes: { id: string }[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      {
        variables: { ids: order },
        headers: bearer(token),
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.nodes.map((n) => n.id)).toEqual(order);
  });

  test('an id the viewer may not see is null with its own error; its neighbours still load', async () => {
    const hidden = encodeGlobalId('Room', 'room-2');
    const res = await h.request<{ nodes: ({ id: string } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Room { name } } }`,
      { variables: { ids: [ids.room, hidden, ids.user] }, headers: bearer(token) },
    );
    expect(res.status).toBe(200);
    expect(res.body.data?.nodes).toEqual([{ id: ids.room, name: 'Room one' }, null, { id: ids.user }]);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['nodes', 1],
        extensions: { code: 'FORBIDDEN', reason: 'NOT_ROOM_MEMBER' },
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain('Not for ada');
  });
});

describe('compiled queries (graphql-jit) answer like the interpreter', () => {
  test('a document with two operations runs the one operationName names, each time', async () => {
    const query = `query Rooms { room(id: "room-1") { name } } query Me { viewer { userId } }`;
    const ask = async (operationName: string) => {
      const response = await h.fetch(
        new Request('http://chat-bff.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(token) },
          body: JSON.stringify({ query, operationName }),
        }),
      );
      return (await response.json()) as { data?: unknown; errors?: unknown };
    };
    for (let i = 0; i < 2; i++) {
      expect(await ask('Rooms')).toEqual({ data: { room: { name: 'Room one' } } });
      expect(await ask('Me')).toEqual({ data: { viewer: { userId: 'ada' } } });
    }
  });

  test('errors among list items keep the list length, each null in its place, with locations', async () => {
    const hidden = encodeGlobalId('Room', 'room-2');
    const res = await h.request<{ nodes: ({ id: string } | null)[] }>(
      `query($ids: [ID!]!) {\n  nodes(ids: $ids) { id }\n}`,
      { variables: { ids: [hidden, ids.room, hidden, ids.user, hidden] }, headers: bearer(token) },
    );
    expect(res.body.data?.nodes).toEqual([null, { id: ids.room }, null, { id: ids.user }, null]);
    expect((res.body.errors ?? []).map((e) => [e.path, (e as { locations?: unknown }).locations])).toEqual(
      [0, 2, 4].map((i) => [['nodes', i], [{ line: 2, column: 3 }]]),
    );
  });
});
