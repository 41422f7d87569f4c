import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { deleteMessage } from '../../src/domain/messages/message-edit.service.js';
import {
  countRoomMessages,
  listRoomMessages,
  messageOrderKey,
  sendMessage,
} from '../../src/domain/messages/message.service.js';
import { relayPage } from '../../src/domain/pagination.js';
import { createRoom, getRoomForViewer } from '../../src/domain/rooms/room.service.js';
import { markRoomRead } from '../../src/domain/rooms/read-state.service.js';
import { createTestDatabase, createStatementCounter, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';

const counter = createStatementCounter();
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: counter.onQuery });
});
afterAll(() => database?.close());

const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);

describe('sendMessage', () => {
  it('keeps sequences gapless, unread counts exact and lastMessage newest under 200 concurrent sends', async () => {
    const app = await createTestApp(database.db, users);
    const room = await createRoom(app.as('user-0'), {
      roomId: 'busy',
      roomType: 'group',
      memberIds: users.slice(1),
    });
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        sendMessage(app.as(users[i % 20]!), { roomId: room.id, body: `message ${i}` }),
      ),
    );
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const view = await getRoomForViewer(app.as('user-0'), room.id);
    const newest = sent.find((m) => m.seq === 200)!;
    expect(view.room.messageSeq).toBe(200);
    expect(view.room.lastMessageId).toBe(newest.id);

    // Each user has read up to their own latest message: unread = messages after it.
    for (const userId of users) {
      const lastOwn = Math.max(...sent.filter((m) => m.senderId === userId).map((m) => m.seq));
      const { unread } = await getRoomForViewer(app.as(userId), room.id);
      expect(unread, userId).toBe(200 - lastOwn);
    }
  });

  it('returns the first message for a retried clientMessageId, also when retries race', async () => {
    const app = await createTestApp(database.db, ['a', 'b']);
    const room = await createRoom(app.as('a'), { roomType: 'direct', memberIds: ['b'] });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        sendMessage(app.as('a'), { roomId: room.id, body: 'once', clientMessageId: 'client-1' }),
      ),
    );
    expect(new Set(results.map((m) => m.id)).size).toBe(1);
    const page = await listRoomMessages(
      app.as('b'),
      room.id,
      { filter: {}, orderBy: 'SEQUENCE' },
      relayPage({ first: 50 }, messageOrderKey('SEQUENCE')),
    );
    expect(page.rows.map((e) => e.node.body)).toEqual(['once']);
    expect((await getRoomForViewer(app.as('b'), room.id)).room.messageSeq).toBe(1);
  });

  it('writes O(1) rows whatever the room size', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `m-${i}`);
    const app = await createTestApp(database.db, ['small-a', 'small-b', ...many]);
    const small = await createRoom(app.as('small-a'), { roomType: 'group', memberIds: ['small-b'] });
    const large = await createRoom(app.as('m-0'), { roomType: 'group', memberIds: many.slice(1) });
    const cost = async (ctxUser: string, roomId: string) => {
      const ctx = app.as(ctxUser);
      await getRoomForViewer(ctx, roomId); // warm the loaders the send reads
      return (await counter.measure(() => sendMessage(ctx, { roomId, body: 'x' }))).count;
    };
    const smallCost = await cost('small-a', small.id);
    const largeCost = await cost('m-0', large.id);
    expect(largeCost).toBe(smallCost);
    const changed = await sql<{
      n: number;
    }>`select count(*)::int as n from memberships where app_id = ${app.appId} and room_id = ${large.id} and read_seq > 0`.execute(
      database.db,
    );
    expect(changed.rows[0]?.n).toBe(1); // only the sender's read position moved
  });

  it('rejects non-members, read-only rooms for members, bad bodies, and changes nothing', async () => {
    const app = await createTestApp(database.db, ['owner', 'member', 'outsider']);
    const room = await createRoom(app.as('owner'), {
      roomType: 'group',
      readOnly: true,
      memberIds: ['member'],
    });
    await expect(sendMessage(app.as('outsider'), { roomId: room.id, body: 'hi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'NOT_ROOM_MEMBER',
    });
    await expect(sendMessage(app.as('member'), { roomId: room.id, body: 'hi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: 'ROOM_READ_ONLY',
    });
    await expect(sendMessage(app.as('owner'), { roomId: room.id, body: null })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(
      sendMessage(app.as('owner'), { roomId: room.id, body: 'x', messageType: 'bad type!' }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'messageType' });
    expect((await getRoomForViewer(app.as('owner'), room.id)).room.messageSeq).toBe(0);
    await sendMessage(app.as('owner'), { roomId: room.id, body: 'announcement' });
    expect((await getRoomForViewer(app.as('member'), room.id)).unread).toBe(1);
  });

  it('marks read only forward and by message', async () => {
    const app = await createTestApp(database.db, ['a', 'b']);
    const room = await createRoom(app.as('a'), { roomType: 'group', memberIds: ['b'] });
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push(await sendMessage(app.as('a'), { roomId: room.id, body: i }));
    expect((await markRoomRead(app.as('b'), room.id, messages[2]!.id)).unread).toBe(2);
    expect((await markRoomRead(app.as('b'), room.id, messages[0]!.id)).unread).toBe(2);
    expect((await markRoomRead(app.as('b'), room.id)).unread).toBe(0);
    const other = await createRoom(app.as('a'), { roomType: 'group', memberIds: ['b'] });
    const foreign = await sendMessage(app.as('a'), { roomId: other.id, body: 'elsewhere' });
    await expect(markRoomRead(app.as('b'), room.id, foreign.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('message pages and counts', () => {
  it('count what a scan counts, with and without filters, after deletes of both kinds', async () => {
    const app = await createTestApp(database.db, ['c-a', 'c-b']);
    const room = await createRoom(app.as('c-a'), { roomType: 'group', memberIds: ['c-b'] });
    const sent = [];
    for (let i = 0; i < 5; i++) {
      sent.push(
        await sendMessage(app.as(i % 2 ? 'c-b' : 'c-a'), {
          roomId: room.id,
          body: `m${i}`,
          messageType: i === 4 ? 'image' : 'text',
        }),
      );
    }
    await deleteMessage(app.as('c-a'), sent[0]!.id, 'FOR_EVERYONE');
    await deleteMessage(app.as('c-b'), sent[2]!.id, 'FOR_ME');
    const scan = async (extra: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from messages where app_id = ${app.appId} and room_id = ${room.id} ${sql.raw(extra)}`.execute(
            database.db,
          )
        ).rows[0]?.n,
      );
    const viewer = app.as('c-b');
    expect(await countRoomMessages(viewer, room.id, {})).toBe(await scan(''));
    expect(await countRoomMessages(viewer, room.id, {})).toBe(5);
    expect(await countRoomMessages(viewer, room.id, { includeDeleted: false })).toBe(
      await scan('and not is_deleted'),
    );
    expect(await countRoomMessages(viewer, room.id, { messageTypes: ['image'] })).toBe(1);

    // The page brings senders and the viewer's own deleted-for-me marks in one statement.
    const measured = await counter.measure(async () => {
      const ctx = app.as('c-b');
      const page = await listRoomMessages(
        ctx,
        room.id,
        { filter: {}, orderBy: 'SEQUENCE' },
        relayPage({ first: 50 }, messageOrderKey('SEQUENCE')),
      );
      const senders = await Promise.all(page.rows.map((e) => ctx.loaders.user.load(e.node.senderId)));
      const marks = await Promise.all(page.rows.map((e) => ctx.loaders.deletedForViewer.load(e.node.id)));
      return { page, senders, marks };
    });
    const { page, senders, marks } = measured.result;
    expect(page.rows.map((e) => e.node.id)).toEqual(sent.map((m) => m.id));
    expect(senders.map((u) => u?.id)).toEqual(['c-a', 'c-b', 'c-a', 'c-b', 'c-a']);
    expect(marks).toEqual([false, false, true, false, false]);
    expect(page.userDeletedIds).toEqual([sent[2]!.id]);
    expect(measured.count).toBe(2); // the room (with the viewer's membership) and the page
    // Another viewer's marks are their own.
    const other = await listRoomMessages(
      app.as('c-a'),
      room.id,
      { filter: {}, orderBy: 'SEQUENCE' },
      relayPage({ first: 50 }, messageOrderKey('SEQUENCE')),
    );
    expect(other.userDeletedIds).toEqual([]);
  });
});
