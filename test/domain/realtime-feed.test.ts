import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRequestContext, type RequestContext } from '../../src/domain/context.js';
import { ForbiddenError } from '../../src/domain/errors.js';
import { editMessage } from '../../src/domain/messages/message-edit.service.js';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import type { FeedItem, FeedOptions } from '../../src/domain/realtime/feed.js';
import { openRoomFeed } from '../../src/domain/realtime/room-feed.js';
import { openViewerFeed } from '../../src/domain/realtime/viewer-feed.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { addMembers, removeMember } from '../../src/domain/rooms/membership.service.js';
import { platformViewer, userViewer } from '../../src/domain/viewer.js';
import { createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import { SubscriberOverflowError } from '../../src/realtime/topic-subscription.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';
import { silentLog } from '../support/in-process-app.js';

/*
 * The live feeds consumed directly, with no transport in between: the rules of who hears
 * what are the domain's, so a second transport gets the same filtered events by opening
 * the same feed. Writes go through the services with the bus in their context, as the
 * server wires them.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

interface World {
  bus: EventBus;
  as(userId: string): RequestContext;
  admin(): RequestContext;
}

async function world(userIds: string[], maxQueuedPerSubscriber?: number): Promise<World> {
  const app = await createTestApp(database.db, userIds);
  const bus = createMemoryEventBus({
    log: silentLog,
    ...(maxQueuedPerSubscriber ? { maxQueuedPerSubscriber } : {}),
  });
  const context = (viewer: RequestContext['viewer']) =>
    createRequestContext({ db: database.db, viewer, requestId: 'feed-test', log: silentLog, events: bus });
  return {
    bus,
    as: (userId) => context(userViewer(app.appId, userId)),
    admin: () => context(platformViewer(app.appId)),
  };
}

function options(onClose: () => void = () => {}): FeedOptions {
  return { stillAuthenticated: () => Promise.resolve(true), onClose };
}

/** The next item, or a failure after `ms` (a feed that stays silent would hang the test). */
async function nextItem<T>(
  feed: AsyncIterator<FeedItem<T>>,
  ms = 2000,
): Promise<IteratorResult<FeedItem<T>>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      feed.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('viewer feed', () => {
  test("hears what changes the viewer's room list, in order, each with the room read afresh", async () => {
    const w = await world(['alice', 'bob', 'carol']);
    const shared = await createRoom(w.as('bob'), { roomType: 'group', memberIds: ['alice'] });
    const elsewhere = await createRoom(w.as('carol'), { roomType: 'group', memberIds: ['bob'] });
    let closed = 0;
    const feed = await openViewerFeed(
      w.as('alice'),
      w.bus,
      options(() => closed++),
    );

    const first = await sendMessage(w.as('bob'), { roomId: shared.id, body: 'one' });
    // Not the viewer's room, and an edit: neither changes alice's list, so the next item is the second message.
    await sendMessage(w.as('carol'), { roomId: elsewhere.id, body: 'not for alice' });
    await editMessage(w.as('bob'), first.id, { body: 'one, edited' });
    const second = await sendMessage(w.as('bob'), { roomId: shared.id, body: 'two' });

    expect((await nextItem(feed)).value).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: shared.id,
      messageId: first.id,
      view: { unread: 1 },
    });
    expect((await nextItem(feed)).value).toMatchObject({
      type: 'MESSAGE_ADDED',
      messageId: second.id,
      view: { unread: 2 },
    });

    // Joins are followed: the room added is heard from then on.
    await addMembers(w.admin(), elsewhere.id, ['alice']);
    expect((await nextItem(feed)).value).toMatchObject({ type: 'ROOM_ADDED', roomId: elsewhere.id });
    const later = await sendMessage(w.as('carol'), { roomId: elsewhere.id, body: 'now for alice' });
    expect((await nextItem(feed)).value).toMatchObject({ type: 'MESSAGE_ADDED', messageId: later.id });

    // Leaves are dropped: after ROOM_REMOVED the room's messages are not heard.
    await removeMember(w.admin(), shared.id, 'alice');
    expect((await nextItem(feed)).value).toMatchObject({
      type: 'ROOM_REMOVED',
      roomId: shared.id,
      view: null,
    });
    await sendMessage(w.as('bob'), { roomId: shared.id, body: 'after alice left' });
    const last = await sendMessage(w.as('carol'), { roomId: elsewhere.id, body: 'still heard' });
    expect((await nextItem(feed)).value).toMatchObject({ roomId: elsewhere.id, messageId: last.id });

    expect(await feed.return?.()).toMatchObject({ done: true });
    expect(closed).toBe(1);
    expect(w.bus.openSubscriptions).toBe(0);
  });

  test('a feed closed before its first pull still gives back its topics and calls onClose', async () => {
    const w = await world(['dan']);
    let closed = 0;
    const feed = await openViewerFeed(
      w.as('dan'),
      w.bus,
      options(() => closed++),
    );
    expect(w.bus.openSubscriptions).toBe(1);
    await feed.return?.();
    expect(closed).toBe(1);
    expect(w.bus.openSubscriptions).toBe(0);
    expect(await feed.next()).toMatchObject({ done: true });
  });

  test('revoked credentials end the feed at the next event', async () => {
    const w = await world(['erin', 'fay']);
    const room = await createRoom(w.as('fay'), { roomType: 'group', memberIds: ['erin'] });
    const feed = await openViewerFeed(w.as('erin'), w.bus, {
      stillAuthenticated: () => Promise.resolve(false),
    });
    await sendMessage(w.as('fay'), { roomId: room.id, body: 'hello' });
    const item = (await nextItem(feed)).value;
    expect(item).toMatchObject({ end: { code: 'UNAUTHENTICATED' } });
    expect(await nextItem(feed)).toMatchObject({ done: true });
    expect(w.bus.openSubscriptions).toBe(0);
  });

  test('a consumer that falls too far behind is ended with an overflow, not buffered forever', async () => {
    const w = await world(['gus', 'hal'], 2);
    const room = await createRoom(w.as('hal'), { roomType: 'group', memberIds: ['gus'] });
    let closed = 0;
    const feed = await openViewerFeed(
      w.as('gus'),
      w.bus,
      options(() => closed++),
    );
    for (let i = 0; i < 6; i++) await sendMessage(w.as('hal'), { roomId: room.id, body: `m${i}` });
    const items: unknown[] = [];
    for (;;) {
      const result = await nextItem(feed);
      if (result.done) break;
      items.push(result.value);
    }
    expect(items.at(-1)).toMatchObject({ end: expect.any(SubscriberOverflowError) as unknown });
    expect(items.length).toBeLessThan(6);
    expect(closed).toBe(1);
  });
});

describe('room feed', () => {
  test('a member who is removed gets a last FORBIDDEN and the feed ends', async () => {
    const w = await world(['ivy', 'jon']);
    const room = await createRoom(w.as('jon'), { roomType: 'group', memberIds: ['ivy'] });
    let closed = 0;
    const feed = await openRoomFeed(
      w.as('ivy'),
      w.bus,
      room.id,
      options(() => closed++),
    );
    const sent = await sendMessage(w.as('jon'), { roomId: room.id, body: 'hi' });
    expect((await nextItem(feed)).value).toMatchObject({ type: 'MESSAGE_ADDED', messageId: sent.id });
    await removeMember(w.admin(), room.id, 'ivy');
    expect((await nextItem(feed)).value).toMatchObject({ end: expect.any(ForbiddenError) as unknown });
    expect(await nextItem(feed)).toMatchObject({ done: true });
    expect(closed).toBe(1);
    expect(w.bus.openSubscriptions).toBe(0);
  });

  test('outsiders are refused when it opens', async () => {
    const w = await world(['kim', 'lee']);
    const room = await createRoom(w.as('lee'), { roomType: 'group', memberIds: [] });
    await expect(openRoomFeed(w.as('kim'), w.bus, room.id, options())).rejects.toMatchObject({
      code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) as unknown,
    });
    expect(w.bus.openSubscriptions).toBe(0);
  });
});
