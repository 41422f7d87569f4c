import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { createTestWorld } from '../support/world.js';
import type { Mutate } from '../support/mutate.js';
import { apiKey, bearer, type SseSubscription } from '../support/graphql-client.js';
import { createInProcessApp, type InProcessApp } from '../support/in-process-app.js';

/*
 * roomEvents and viewerEvents over Server-Sent Events (graphql-yoga's default transport),
 * in-process: what each write makes subscribers hear, who may subscribe, and that
 * authorization is checked again for every event.
 */

let database: TestDatabase;
let h: InProcessApp;
beforeAll(async () => {
  database = await createTestDatabase();
  h = createInProcessApp(database.db);
});
afterAll(() => database?.close());

const ROOM_EVENTS = `subscription($roomId: String!) {
  roomEvents(roomId: $roomId) {
    type roomId at
    room { name unread lastMessage { messageId } members(first: 10) { totalCount } }
    message { messageId message isDeleted reactionCount }
    users { userId }
    actor { userId }
  }
}`;

const VIEWER_EVENTS = `subscription {
  viewerEvents {
    type roomId
    room { roomId name unread lastMessage { messageId } pref { muted tags } }
    message { messageId message }
  }
}`;

interface RoomEventResult {
  roomEvents: {
    type: string;
    roomId: string;
    room: {
      name: string;
      unread: number;
      lastMessage: { messageId: string } | null;
      members: { totalCount: number };
    } | null;
    message: { messageId: string; message: unknown; isDeleted: boolean; reactionCount: number } | null;
    users: { userId: string }[];
    actor: { userId: string } | null;
  };
}

interface ViewerEventResult {
  viewerEvents: {
    type: string;
    roomId: string;
    room: {
      roomId: string;
      name: string;
      unread: number;
      lastMessage: { messageId: string } | null;
      pref: { muted: boolean; tags: string[] };
    } | null;
    message: { messageId: string; message: unknown } | null;
  };
}

interface World {
  app: TestApp;
  m: Record<'owner' | 'alice' | 'bob' | 'outsider', Mutate>;
  admin: Mutate;
  headers: Record<'owner' | 'alice' | 'bob' | 'outsider', Record<string, string>>;
}

/** "room": owner (owner), alice and bob (members). outsider is in the app but not the room. */
async function world(): Promise<World> {
  const {
    app,
    as: m,
    headers,
    admin,
  } = await createTestWorld(h, database.db, ['owner', 'alice', 'bob', 'outsider']);
  await m.owner('createRoom', { roomId: 'room', name: 'Room', memberIds: ['alice', 'bob'] });
  return { app, m, headers, admin };
}

async function nextRoomEvent(sub: SseSubscription) {
  const result = await sub.next<RoomEventResult>();
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.roomEvents;
}

async function nextViewerEvent(sub: SseSubscription) {
  const result = await sub.next<ViewerEventResult>();
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.viewerEvents;
}

const open: SseSubscription[] = [];
async function subscribe(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const sub = await h.subscribe(query, { variables, headers });
  open.push(sub);
  return sub;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

describe('roomEvents', () => {
  test('every kind of change in the room, with the room as the subscriber sees it now', async () => {
    const w = await world();
    const sub = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.bob);
    expect(sub.status).toBe(200);

    const sent = await w.m.alice(
      'sendMessage',
      { roomId: 'room', message: 'hi' },
      'chatMessage { messageId }',
    );
    const messageId = (sent['chatMessage'] as { messageId: string }).messageId;
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: 'room',
      room: { unread: 1, lastMessage: { messageId } },
      message: { messageId, message: 'hi', isDeleted: false },
      users: [],
      actor: { userId: 'alice' },
    });

    await w.m.alice('editMessage', { messageId, message: 'hello' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MESSAGE_UPDATED',
      message: { messageId, message: 'hello' },
    });

    await w.m.owner('addReaction', { messageId, key: '👍' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'REACTION_CHANGED',
      message: { reactionCount: 1 },
      actor: { userId: 'owner' },
    });

    await w.m.alice('deleteMessage', { messageId, scope: 'FOR_EVERYONE' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MESSAGE_DELETED',
      message: { messageId, isDeleted: true },
    });

    await w.m.owner('addMembers', { roomId: 'room', userIds: ['outsider'] });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MEMBER_JOINED',
      users: [{ userId: 'outsider' }],
      room: { members: { totalCount: 4 } },
    });

    await w.m.owner('setMemberRole', { roomId: 'room', userId: 'alice', role: 'MODERATOR' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MEMBER_ROLE_CHANGED',
      users: [{ userId: 'alice' }],
    });

    await w.m.outsider('leaveRoom', { roomId: 'room' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MEMBER_LEFT',
      users: [{ userId: 'outsider' }],
      actor: { userId: 'outsider' },
    });

    await w.admin('updateRoom', { roomId: 'room', name: 'Renamed' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'ROOM_UPDATED',
      room: { name: 'Renamed' },
      actor: null,
    });

    await w.m.owner('deleteRoom', { roomId: 'room' });
    expect(await nextRoomEvent(sub)).toMatchObject({ type: 'ROOM_DELETED', roomId: 'room', room: null });
    await sub.waitForComplete();
  });

  test('a member who is removed gets a last FORBIDDEN and the stream ends; the others keep hearing', async () => {
    const w = await world();
    const bob = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.bob);
    const alice = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.alice);
    await w.m.owner('removeMember', { roomId: 'room', userId: 'bob' });
    const last = await bob.next<RoomEventResult>();
    expect(last.data).toBeNull();
    expect(last.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ROOM_MEMBER' });
    await bob.waitForComplete();
    expect(await nextRoomEvent(alice)).toMatchObject({ type: 'MEMBER_LEFT', users: [{ userId: 'bob' }] });

    await w.m.alice('sendMessage', { roomId: 'room', message: 'bob is gone' });
    expect(await nextRoomEvent(alice)).toMatchObject({
      type: 'MESSAGE_ADDED',
      message: { message: 'bob is gone' },
    });
  });

  test('authorized at subscribe time: outsiders, unknown rooms, other apps and anonymous clients are refused', async () => {
    const w = await world();
    const outsider = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.outsider);
    expect((await outsider.next()).errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'NOT_ROOM_MEMBER',
    });
    await outsider.waitForComplete();

    const unknown = await subscribe(ROOM_EVENTS, { roomId: 'nope' }, w.headers.alice);
    expect((await unknown.next()).errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      reason: 'ROOM_NOT_FOUND',
    });

    const other = await createTestApp(database.db);
    const foreign = await subscribe(ROOM_EVENTS, { roomId: 'room' }, apiKey(other.apiKey));
    expect((await foreign.next()).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });

    const anonymous = await subscribe(ROOM_EVENTS, { roomId: 'room' }, {});
    expect((await anonymous.next()).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });

    // Nothing is left listening for the refused ones.
    await Promise.all([outsider, unknown, foreign, anonymous].map((s) => s.close()));
  });

  test("the app's API key hears any room of its app", async () => {
    const w = await world();
    const sub = await subscribe(ROOM_EVENTS, { roomId: 'room' }, apiKey(w.app.apiKey));
    await w.m.bob('sendMessage', { roomId: 'room', message: 'to the bot' });
    expect(await nextRoomEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      room: { unread: 0 },
      actor: { userId: 'bob' },
    });
  });

  test('a client that goes away stops listening', async () => {
    const w = await world();
    const before = h.events.openSubscriptions;
    const sub = await h.subscribe(ROOM_EVENTS, { variables: { roomId: 'room' }, headers: w.headers.bob });
    expect(h.events.openSubscriptions).toBe(before + 1);
    await sub.close();
    await expect.poll(() => h.events.openSubscriptions).toBe(before);
  });
});

describe('viewerEvents', () => {
  test("new messages in any of the viewer's rooms, with the new unread count; reads and prefs from other devices", async () => {
    const w = await world();
    await w.m.alice('createRoom', { roomId: 'second', name: 'Second', memberIds: ['bob'] });
    const sub = await subscribe(VIEWER_EVENTS, {}, w.headers.bob);

    await w.m.alice('sendMessage', { roomId: 'room', message: 'one' });
    await w.m.alice('sendMessage', { roomId: 'second', message: 'two' });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: 'room',
      room: { unread: 1 },
      message: { message: 'one' },
    });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: 'second',
      room: { unread: 1 },
      message: { message: 'two' },
    });

    await w.m.bob('markRoomRead', { roomId: 'room' });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'READ_UPDATED',
      roomId: 'room',
      room: { unread: 0 },
    });

    await w.m.bob('updateRoomPref', { roomId: 'second', muted: true, tags: ['fun'] });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'PREF_UPDATED',
      roomId: 'second',
      room: { pref: { muted: true, tags: ['fun'] } },
    });

    await w.m.owner('updateRoom', { roomId: 'room', name: 'Renamed' });
    expect(await nextViewerEvent(sub)).toMatchObject({ type: 'ROOM_UPDATED', room: { name: 'Renamed' } });

    // Edits and reactions do not change the room list.
    const sent = await w.m.bob(
      'sendMessage',
      { roomId: 'room', message: 'mine' },
      'chatMessage { messageId }',
    );
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      room: { unread: 0 },
      message: { message: 'mine' },
    });
    await w.m.alice('addReaction', {
      messageId: (sent['chatMessage'] as { messageId: string }).messageId,
      key: '❤️',
    });
    await sub.expectSilence(300);
  });

  test('follows rooms joined after subscribing, and drops rooms left or deleted', async () => {
    const w = await world();
    const sub = await subscribe(VIEWER_EVENTS, {}, w.headers.outsider);

    await w.m.alice('createRoom', { roomId: 'new', name: 'New', memberIds: ['outsider'] });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'ROOM_ADDED',
      roomId: 'new',
      room: { name: 'New', unread: 0 },
    });
    await w.m.alice('sendMessage', { roomId: 'new', message: 'welcome' });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: 'new',
      room: { unread: 1 },
    });

    await w.m.owner('addMembers', { roomId: 'room', userIds: ['outsider'] });
    expect(await nextViewerEvent(sub)).toMatchObject({ type: 'ROOM_ADDED', roomId: 'room' });
    await w.m.bob('sendMessage', { roomId: 'room', message: 'hello newcomer' });
    expect(await nextViewerEvent(sub)).toMatchObject({
      type: 'MESSAGE_ADDED',
      roomId: 'room',
      message: { message: 'hello newcomer' },
    });

    await w.m.outsider('leaveRoom', { roomId: 'new' });
    expect(await nextViewerEvent(sub)).toMatchObject({ type: 'ROOM_REMOVED', roomId: 'new', room: null });
    await w.m.alice('sendMessage', { roomId: 'new', message: 'you left' });
    await sub.expectSilence(300);

    await w.m.owner('deleteRoom', { roomId: 'room' });
    expect(await nextViewerEvent(sub)).toMatchObject({ type: 'ROOM_REMOVED', roomId: 'room', room: null });
  });

  test('needs a user: the API key and anonymous clients are refused', async () => {
    const w = await world();
    const admin = await subscribe(VIEWER_EVENTS, {}, apiKey(w.app.apiKey));
    expect((await admin.next()).errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'USER_REQUIRED',
    });
    const anonymous = await subscribe(VIEWER_EVENTS, {}, {});
    expect((await anonymous.next()).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('credentials are checked again for every event', () => {
  test('revoking the token a subscription was opened with ends it at the next event', async () => {
    const w = await world();
    const token = await w.app.tokenFor('bob'); // a second token of bob's, only for these streams
    const roomStream = await subscribe(ROOM_EVENTS, { roomId: 'room' }, bearer(token));
    const viewerStream = await subscribe(VIEWER_EVENTS, {}, bearer(token));
    const alice = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.alice);

    await w.m.alice('sendMessage', { roomId: 'room', message: 'before' });
    expect(await nextRoomEvent(roomStream)).toMatchObject({ type: 'MESSAGE_ADDED' });
    expect(await nextViewerEvent(viewerStream)).toMatchObject({ type: 'MESSAGE_ADDED' });

    await w.admin('revokeClientToken', { token }, 'revoked');
    await w.m.alice('sendMessage', { roomId: 'room', message: 'after' });
    for (const stream of [roomStream, viewerStream]) {
      const last = await stream.next();
      expect(last.data).toBeNull();
      expect(last.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'INVALID_TOKEN',
      });
      await stream.waitForComplete();
    }
    // Others keep hearing, and bob's other token still works.
    expect(await nextRoomEvent(alice)).toMatchObject({ type: 'MESSAGE_ADDED' });
    expect(await nextRoomEvent(alice)).toMatchObject({
      type: 'MESSAGE_ADDED',
      message: { message: 'after' },
    });
    const bob = await subscribe(ROOM_EVENTS, { roomId: 'room' }, w.headers.bob);
    await w.m.alice('sendMessage', { roomId: 'room', message: 'again' });
    expect(await nextRoomEvent(bob)).toMatchObject({ message: { message: 'again' } });
  });
});
