import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deleteMessage, editMessage, setReaction } from '../../src/domain/messages/message-edit.service.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { removeMember } from '../../src/domain/rooms/membership.service.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * Room.messages against a seeded room: every filter (each time field, types, deleted),
 * keyset walks both ways that visit every message exactly once, also while messages
 * arrive, and the per-viewer parts (userDeletedIds, deletedForViewer, viewerReacted).
 */

const BASE = Date.parse('2025-05-01T00:00:00.000Z');
const at = (minute: number) => new Date(BASE + minute * 60_000);

interface ModelMessage {
  id: string;
  body: unknown;
  sender: string;
  type: string;
  messageTime: number;
  createdAt: number;
  updatedAt: number;
  isDeleted: boolean;
  deletedForEve: boolean;
  reactions: { key: string; users: string[] }[];
}

const SENDERS = ['fred', 'gina', 'eve'];
const COUNT = 24;
let h: StartedApp;
let app: TestApp;
let token: string;
const model: ModelMessage[] = [];

const MESSAGES = `query Messages($first: Int, $after: String, $last: Int, $before: String, $filter: MessageFilter) {
  room(id: "chat") {
    messages(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      userDeletedIds
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { messageId } }
    }
  }
}`;

interface MessagesPage {
  totalCount: number;
  userDeletedIds: string[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: { messageId: string } }[];
}

async function messages(variables: Record<string, unknown>): Promise<MessagesPage> {
  const res = await h.request<{ room: { messages: MessagesPage } }>(MESSAGES, {
    variables,
    headers: bearer(token),
  });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data!.room.messages;
}

async function walk(
  variables: Record<string, unknown>,
  size: number,
  backward: boolean,
  between?: () => Promise<void>,
) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await messages(
      backward ? { ...variables, last: size, before: cursor } : { ...variables, first: size, after: cursor },
    );
    pages.push(page.edges.map((e) => e.node.messageId));
    if (!(backward ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage)) break;
    cursor = backward ? page.pageInfo.startCursor : page.pageInfo.endCursor;
    await between?.();
  }
  return backward ? pages.reverse().flat() : pages.flat();
}

type TimeField = 'UPDATED_AT' | 'CREATED_AT' | 'MESSAGE_TIME';
const timeOf = (m: ModelMessage, field: TimeField) =>
  field === 'UPDATED_AT' ? m.updatedAt : field === 'CREATED_AT' ? m.createdAt : m.messageTime;

interface Filter {
  afterTime?: string | number;
  beforeTime?: string | number;
  timeRangeField?: TimeField;
  messageTypes?: string[];
  includeDeleted?: boolean;
}

/** A DateTime input as the API reads it: ISO-8601, or epoch milliseconds as a number or a string of digits. */
const millis = (value: string | number | undefined) =>
  value === undefined
    ? undefined
    : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value).getTime();

function expected(filter: Filter): string[] {
  const field = filter.timeRangeField ?? 'UPDATED_AT';
  const after = millis(filter.afterTime);
  const before = millis(filter.beforeTime);
  return model
    .filter(
      (m) =>
        (after === undefined || timeOf(m, field) > after) &&
        (before === undefined || timeOf(m, field) < before) &&
        (!filter.messageTypes?.length || filter.messageTypes.includes(m.type)) &&
        (filter.includeDeleted !== false || !m.isDeleted),
    )
    .map((m) => m.id);
}

beforeAll(async () => {
  h = await startInProcessApp();
  app = await createTestApp(h.db, ['eve', 'fred', 'gina']);
  await createRoom(app.as('eve', at(0)), {
    roomId: 'chat',
    roomType: 'group',
    memberIds: ['fred', 'gina'],
    createdAt: at(0),
  });
  for (let i = 0; i < COUNT; i++) {
    const sender = SENDERS[i % 3]!;
    const type = i % 7 === 3 ? 'file' : i % 4 === 1 ? 'image' : 'text';
    // Written out of order: messageTime is the client's clock, createdAt the server's.
    const messageTime = at(10 + ((i * 7) % COUNT));
    const body = type === 'text' ? `text ${i}` : { kind: type, n: i, tags: ['a', 'b'] };
    const message = await sendMessage(app.as(sender, at(100 + i)), {
      roomId: 'chat',
      body,
      messageType: type,
      messageTime,
    });
    model.push({
      id: message.id,
      body,
      sender,
      type,
      messageTime: messageTime.getTime(),
      createdAt: at(100 + i).getTime(),
      updatedAt: at(100 + i).getTime(),
      isDeleted: false,
      deletedForEve: false,
      reactions: [],
    });
  }
  // Later changes bump updatedAt: edits, deletions for everyone, reactions.
  for (const [i, minute] of [
    [2, 300],
    [8, 301],
    [15, 302],
  ] as const) {
    const m = model[i]!;
    await editMessage(app.as(m.sender, at(minute)), m.id, { body: `edited ${i}` });
    Object.assign(m, { body: `edited ${i}`, updatedAt: at(minute).getTime() });
  }
  for (const [i, minute] of [
    [5, 310],
    [20, 311],
  ] as const) {
    const m = model[i]!;
    await deleteMessage(app.as(m.sender, at(minute)), m.id, 'FOR_EVERYONE');
    Object.assign(m, { body: '', isDeleted: true, updatedAt: at(minute).getTime() });
  }
  for (const i of [1, 9, 22]) {
    await deleteMessage(app.as('eve'), model[i]!.id, 'FOR_ME');
    model[i]!.deletedForEve = true;
  }
  for (const [i, user, key, minute] of [
    [4, 'gina', '👍', 320],
    [4, 'eve', '👍', 321],
    [4, 'fred', '🎉', 322],
    [11, 'fred', '👍', 323],
  ] as const) {
    await setReaction(app.as(user, at(minute)), model[i]!.id, key, true);
    const m = model[i]!;
    const reaction =
      m.reactions.find((r) => r.key === key) ?? m.reactions[m.reactions.push({ key, users: [] }) - 1]!;
    reaction.users.push(user);
    m.updatedAt = at(minute).getTime();
  }
  token = await app.tokenFor('eve');
});
afterAll(() => h.close());

describe('messages', () => {
  test('in sending order, with every field', async () => {
    const res = await h.request<{ room: { messages: { edges: { node: Record<string, unknown> }[] } } }>(
      `{ room(id: "chat") { messages(first: 100) { edges { node {
          id messageId numericId message messageType messageTime createdAt updatedAt isDeleted deletedForViewer
          reactionCount reactions { key count viewerReacted } sender { userId } room { roomId }
      } } } } }`,
      { headers: bearer(token) },
    );
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.room.messages.edges.map((e) => e.node);
    expect(nodes.map((n) => n['messageId'])).toEqual(model.map((m) => m.id));
    nodes.forEach((node, i) => {
      const m = model[i]!;
      expect(node).toEqual({
        id: expect.any(String),
        messageId: m.id,
        numericId: expect.any(Number),
        message: m.body,
        messageType: m.type,
        messageTime: new Date(m.messageTime).toISOString(),
        createdAt: new Date(m.createdAt).toISOString(),
        updatedAt: new Date(m.updatedAt).toISOString(),
        isDeleted: m.isDeleted,
        deletedForViewer: m.deletedForEve,
        reactionCount: m.reactions.reduce((n, r) => n + r.users.length, 0),
        reactions: m.reactions.map((r) => ({
          key: r.key,
          count: r.users.length,
          viewerReacted: r.users.includes('eve'),
        })),
        sender: { userId: m.sender },
        room: { roomId: 'chat' },
      });
    });
    expect(new Set(nodes.map((n) => n['id'])).size).toBe(COUNT);
  });

  test('last: n is the newest n; userDeletedIds lists what the viewer deleted on that page', async () => {
    const page = await messages({ last: 5 });
    expect(page.edges.map((e) => e.node.messageId)).toEqual(model.slice(-5).map((m) => m.id));
    expect(page.userDeletedIds).toEqual([model[22]!.id]);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const all = await messages({ first: 100 });
    expect(all.userDeletedIds.sort()).toEqual([1, 9, 22].map((i) => model[i]!.id).sort());
    expect(all.totalCount).toBe(COUNT);
  });

  const T = (minute: number) => at(minute).toISOString();
  const FILTERS: Filter[] = [
    { afterTime: T(110) },
    { afterTime: at(110).getTime() }, // epoch milliseconds
    { afterTime: T(110), timeRangeField: 'UPDATED_AT' },
    { afterTime: T(300) }, // only what changed after the sends
    { afterTime: T(110), timeRangeField: 'CREATED_AT' },
    { beforeTime: T(105), timeRangeField: 'CREATED_AT' },
    { afterTime: T(103), beforeTime: T(112), timeRangeField: 'CREATED_AT' },
    { afterTime: T(20), timeRangeField: 'MESSAGE_TIME' },
    { beforeTime: String(at(15).getTime()), timeRangeField: 'MESSAGE_TIME' }, // epoch ms as a string
    { afterTime: T(12), beforeTime: T(25), timeRangeField: 'MESSAGE_TIME' },
    { messageTypes: ['image'] },
    { messageTypes: ['image', 'file'] },
    { messageTypes: [] },
    { includeDeleted: false },
    { includeDeleted: true },
    { messageTypes: ['text'], includeDeleted: false, afterTime: T(105), timeRangeField: 'CREATED_AT' },
    {
      messageTypes: ['image', 'text'],
      afterTime: T(15),
      timeRangeField: 'MESSAGE_TIME',
      includeDeleted: false,
    },
  ];

  test.each(FILTERS)('filter %j', async (filter) => {
    const want = expected(filter);
    const page = await messages({ first: 100, filter });
    expect(page.edges.map((e) => e.node.messageId)).toEqual(want);
    expect(page.totalCount).toBe(want.length);
    expect(want.length).toBeGreaterThan(0);
  });

  test.each([
    ['no filter', {}],
    ['a type filter', { filter: { messageTypes: ['text', 'file'] } }],
    ['a time range', { filter: { afterTime: T(15), timeRangeField: 'MESSAGE_TIME' } }],
  ])('walks with %s visit every message exactly once, both ways', async (_name, variables) => {
    const all = (await messages({ first: 100, ...variables })).edges.map((e) => e.node.messageId);
    for (const size of [1, 4, 7]) {
      expect(await walk(variables, size, false)).toEqual(all);
      expect(await walk(variables, size, true)).toEqual(all);
    }
  });

  test('while messages arrive: forward walks reach the new ones once, backward walks see the old ones once', async () => {
    const before = (await messages({ first: 100 })).edges.map((e) => e.node.messageId);
    const arrived: string[] = [];
    const arrive = async () => {
      arrived.push((await sendMessage(app.as('fred'), { roomId: 'chat', body: `new ${arrived.length}` })).id);
    };
    const forward = await walk({}, 5, false, arrive);
    expect(forward).toEqual([...before, ...arrived]);
    const snapshot = (await messages({ first: 100 })).edges.map((e) => e.node.messageId);
    const backward = await walk({}, 5, true, arrive);
    // Walking back from the newest, what arrives meanwhile is newer than the first page: not visited.
    expect(backward).toEqual(snapshot);
    expect(new Set([...forward, ...arrived]).size).toBe(before.length + arrived.length);
  });

  test('a sender who left the room is still the sender', async () => {
    await removeMember(app.as('gina'), 'chat', 'gina');
    const res = await h.request<{
      room: { messages: { edges: { node: { sender: { userId: string; nickname: string } } }[] } };
    }>('{ room(id: "chat") { messages(first: 3) { edges { node { sender { userId nickname } } } } } }', {
      headers: bearer(token),
    });
    expect(res.body.data!.room.messages.edges.map((e) => e.node.sender)).toEqual([
      { userId: 'fred', nickname: 'FRED' },
      { userId: 'gina', nickname: 'GINA' },
      { userId: 'eve', nickname: 'EVE' },
    ]);
  });
});
