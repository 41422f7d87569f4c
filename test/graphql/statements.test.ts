import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setReaction } from '../../src/domain/messages/message-edit.service.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../src/domain/rooms/read-state.service.js';
import { updateRoomPref } from '../../src/domain/rooms/pref.service.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { testDriver } from '../support/database.js';
import { bearer } from '../support/graphql-client.js';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * The room list's statement budget: a page of rooms with lastMessage { sender }, pref,
 * unread, members(first: 5) and viewerMembership costs the same number of SQL
 * statements for 1 room as for 50, at most 6 — authentication included (a Bearer token
 * and its user's row are one statement). Counted through the database's onQuery hook, every statement.
 */

const ROOM_COUNT = 50;
const USERS = Array.from({ length: 20 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);

const ROOM_LIST = `query RoomList($first: Int!) {
  viewer {
    userId
    nickname
    rooms(first: $first) {
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id roomId name unread muted
          pref { tags tagColors folder hidden sticky muted }
          lastMessage { messageId message messageTime sender { userId nickname avatarUrl } }
          members(first: 5) { edges { node { userId nickname avatarUrl role badge } } }
          viewerMembership { role badge joinedTime nickname }
        }
      }
    }
  }
}`;

let h: StartedApp;
let app: TestApp;

beforeAll(async () => {
  h = await startInProcessApp();
  app = await createTestApp(h.db, ['viewer', ...USERS]);
  for (let i = 0; i < ROOM_COUNT; i++) {
    const roomId = `room-${String(i).padStart(2, '0')}`;
    // 8 members each; the sender of the last message joined last, so the first-5 list does not hold them.
    const members = Array.from({ length: 7 }, (_, k) => USERS[(i + k * 3) % USERS.length]!);
    await createRoom(app.as('viewer'), { roomId, name: `room ${i}`, roomType: 'group', memberIds: members });
    const senders = [...members].sort();
    await sendMessage(app.as(senders[0]!), { roomId, body: `first in ${i}` });
    await sendMessage(app.as(senders.at(-1)!), { roomId, body: { text: `last in ${i}` } });
    if (i % 3 === 0) await markRoomRead(app.as('viewer'), roomId);
    if (i % 4 === 0)
      await updateRoomPref(app.as('viewer'), roomId, {
        tags: ['t'],
        tagColors: { t: '#ff0000' },
        folder: 'f',
      });
  }
  // A longer history in one room, from several senders.
  await createRoom(app.as('viewer'), { roomId: 'history', roomType: 'group', memberIds: USERS });
  for (const [k, sender] of USERS.slice(0, 10).entries()) {
    await sendMessage(app.as(sender), { roomId: 'history', body: `history ${k}` });
  }
});
afterAll(() => h.close());

async function measure(query: string, variables: Record<string, unknown>) {
  // A fresh token each time, so its lookup is always counted: tokens are remembered for a
  // few seconds after the first request (resolveToken), and the budget is for a cold one.
  const token = await app.tokenFor('viewer');
  const { result, count, statements } = await h.statements.measure(() =>
    h.request<{
      viewer: { rooms: { edges: { node: { members: { edges: unknown[] }; lastMessage: unknown } }[] } };
    }>(query, { variables, headers: bearer(token) }),
  );
  expect(result.body.errors, JSON.stringify(result.body.errors)).toBeUndefined();
  return { result, count, statements };
}

describe(`statement budget (${testDriver()})`, () => {
  test('a page of 50 rooms costs at most 3 statements, the same as a page of 1', async () => {
    const one = await measure(ROOM_LIST, { first: 1 });
    const fifty = await measure(ROOM_LIST, { first: ROOM_COUNT });
    const rooms = fifty.result.body.data!.viewer.rooms.edges;
    expect(rooms).toHaveLength(ROOM_COUNT);
    expect(rooms.every((r) => r.node.members.edges.length === 5 && r.node.lastMessage !== null)).toBe(true);
    console.info(
      `[${testDriver()}] room list statements: first 1 -> ${one.count}, first 50 -> ${fifty.count}`,
    );
    // The token (with the viewer's user row), the page (with last messages and senders), first members with their users.
    expect(fifty.count, fifty.statements.join('\n---\n')).toBeLessThanOrEqual(3);
    expect(fifty.count).toBe(one.count);
  });

  test('the same holds on every page of a walk, and totalCount adds one statement, not one per room', async () => {
    const withCount = ROOM_LIST.replace('pageInfo {', 'totalCount pageInfo {').replace(
      'members(first: 5) {',
      'members(first: 5) { totalCount',
    );
    const counts: number[] = [];
    let after: string | null = null;
    do {
      const { result, count } = await measure(
        withCount
          .replace('rooms(first: $first)', 'rooms(first: $first, after: $after)')
          .replace('($first: Int!)', '($first: Int!, $after: String)'),
        {
          first: 20,
          after,
        },
      );
      counts.push(count);
      const page = (
        result.body.data!.viewer.rooms as unknown as { pageInfo: { hasNextPage: boolean; endCursor: string } }
      ).pageInfo;
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    console.info(`[${testDriver()}] with totalCount, pages of 20: ${counts.join(', ')} statements`);
    expect(counts).toHaveLength(3);
    expect(Math.max(...counts)).toBeLessThanOrEqual(4);
  });

  test('messages of one room, with senders, reactions and deletion marks, cost a constant number too', async () => {
    const query = `query($first: Int!) { room(id: "history") { messages(first: $first) { totalCount userDeletedIds edges { node {
      messageId sender { nickname } reactions { key count } deletedForViewer room { roomId } } } } } }`;
    const one = await measure(query, { first: 1 });
    const ten = await measure(query, { first: 10 });
    console.info(
      `[${testDriver()}] room messages statements: ${one.count} (first 1), ${ten.count} (first 10)`,
    );
    expect(ten.count).toBe(one.count);
    // The token, the room (with the viewer's membership), the page (with senders and marks), reactions.
    expect(ten.count, ten.statements.join('\n---\n')).toBeLessThanOrEqual(4);
  });

  test('a page nobody reacted to reads no reactions; once someone reacts, the page reads and shows them', async () => {
    const query = `{ room(id: "history") { messages(first: 10) { edges { node {
      messageId reactionCount reactions { key count } } } } } }`;
    type Node = { messageId: string; reactionCount: number; reactions: { key: string; count: number }[] };
    const nodesOf = (result: Awaited<ReturnType<typeof measure>>['result']) =>
      (
        result.body.data as unknown as { room: { messages: { edges: { node: Node }[] } } }
      ).room.messages.edges.map((e) => e.node);
    const reactionReads = (statements: string[]) => statements.filter((s) => s.includes('message_reactions'));

    const quiet = await measure(query, {});
    expect(nodesOf(quiet.result).every((n) => n.reactionCount === 0 && n.reactions.length === 0)).toBe(true);
    expect(reactionReads(quiet.statements)).toEqual([]);

    const target = nodesOf(quiet.result)[3]!.messageId;
    await setReaction(app.as('u01'), target, '👍', true);
    await setReaction(app.as('u02'), target, '👍', true);
    const reacted = await measure(query, {});
    expect(reactionReads(reacted.statements)).toHaveLength(1);
    expect(reacted.count).toBe(quiet.count + 1);
    for (const node of nodesOf(reacted.result)) {
      expect(node.reactions, node.messageId).toEqual(
        node.messageId === target ? [{ key: '👍', count: 2 }] : [],
      );
    }
  });
});
