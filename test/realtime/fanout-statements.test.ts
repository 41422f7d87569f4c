import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { markRoomRead } from '../../src/domain/rooms/read-state.service.js';
import { updateRoomPref } from '../../src/domain/rooms/pref.service.js';
import { createRoom } from '../../src/domain/rooms/room.service.js';
import { createEventBus, createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import { createStatementCounter, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';
import { bearer, type SseSubscription } from '../support/graphql-client.js';
import { createInProcessApp, silentLog, type InProcessApp } from '../support/in-process-app.js';
import { mutatorFor, type Mutate } from '../support/mutate.js';

/*
 * A room's fan-out costs the database the same whatever its audience: every subscriber
 * of roomEvents (and of viewerEvents, for a room they are in) receives each message with
 * its own unread count and pref, and the SQL
 * statements a sent message costs (the send's own, then the fan-out) are the same for 1,
 * 10 and 40 subscribers, at most 3 beyond the send's own. Counted through the
 * database's onQuery hook, every statement.
 */

const ROOM_EVENTS = `subscription($roomId: String!) {
  roomEvents(roomId: $roomId) {
    type
    room { unread pref { muted } lastMessage { message } }
    message { messageId message sender { nickname } }
  }
}`;

const VIEWER_EVENTS = `subscription {
  viewerEvents {
    type
    room { unread pref { muted } lastMessage { message } }
    message { messageId message sender { nickname } }
  }
}`;

interface FeedEvent {
  type: string;
  room: { unread: number; pref: { muted: boolean }; lastMessage: { message: unknown } | null } | null;
  message: { messageId: string; message: unknown; sender: { nickname: string } } | null;
}

type FeedResult = Record<string, FeedEvent>;

const FEEDS = [
  { field: 'roomEvents', document: ROOM_EVENTS, variables: { roomId: 'crowd' } },
  { field: 'viewerEvents', document: VIEWER_EVENTS, variables: {} },
] as const;

const AUDIENCES = [1, 10, 40];
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The embedded bus, and Redis (the same room event reaches every subscriber of an instance once). */
const BUSES = [
  { bus: 'memory', create: () => Promise.resolve(createMemoryEventBus({ log: silentLog })) },
  { bus: 'redis', create: () => createEventBus({ log: silentLog, redisUrl: REDIS_URL }) },
] as const;
const USERS = Array.from({ length: 40 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);
const FAN_OUT_BUDGET = 3;

const statements = createStatementCounter();
let database: TestDatabase;
let h: InProcessApp;
let app: TestApp;
let send: Mutate;
/** Messages in the room so far, and how many each user had read when they last read it. */
let sent = 0;
const readUpTo = new Map<string, number>();

beforeAll(async () => {
  database = await createTestDatabase({ onQuery: (event) => statements.onQuery(event) });
  app = await createTestApp(database.db, ['sender', ...USERS]);
  await createRoom(app.as('sender'), { roomId: 'crowd', roomType: 'group', memberIds: USERS });
  await useBus(createMemoryEventBus({ log: silentLog }));
  for (let i = 0; i < 3; i++) await sendText(`before ${i}`);
  // Different read positions and prefs, so each subscriber's payload is its own.
  for (const [i, user] of USERS.entries()) {
    readUpTo.set(user, 0);
    if (i % 3 === 0) {
      await markRoomRead(app.as(user), 'crowd');
      readUpTo.set(user, sent);
    }
    if (i % 2 === 1) await updateRoomPref(app.as(user), 'crowd', { muted: true });
  }
});
afterAll(async () => {
  await h?.events.close();
  await database?.close();
});

/** The app over `bus` (the previous one's bus closed), and the sender's mutations through it. */
async function useBus(bus: EventBus): Promise<void> {
  await h?.events.close();
  // One sender sends every message: its write limit would be the test's limit.
  h = createInProcessApp(database.db, { events: bus, env: { RATE_LIMITS_ENABLED: 'false' } });
  send = mutatorFor(h, bearer(await app.tokenFor('sender')));
}

async function sendText(text: string): Promise<string> {
  const result = await send('sendMessage', { roomId: 'crowd', message: text }, 'chatMessage { messageId }');
  sent += 1;
  return (result['chatMessage'] as { messageId: string }).messageId;
}

/** The statements of one send, until every subscriber received its event. */
async function measureSend(
  field: string,
  subs: readonly { user: string; sub: SseSubscription }[],
  text: string,
) {
  statements.reset();
  const messageId = await sendText(text);
  for (const { user, sub } of subs) {
    const result = await sub.next<FeedResult>();
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    const index = USERS.indexOf(user);
    expect(result.data?.[field], user).toEqual({
      type: 'MESSAGE_ADDED',
      room: {
        unread: sent - (readUpTo.get(user) ?? 0),
        pref: { muted: index % 2 === 1 },
        lastMessage: { message: text },
      },
      message: { messageId, message: text, sender: { nickname: expect.any(String) as string } },
    });
  }
  // Nothing more is read after the last delivery.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { count: statements.count, sql: [...statements.statements] };
}

describe.each(BUSES)('on the $bus bus', ({ create }) => {
  beforeAll(async () => useBus(await create()));

  describe.each(FEEDS)('$field fan-out', ({ field, document, variables }) => {
    test('the statements per sent message do not grow with the number of subscribers', async () => {
      // The send alone (its token already remembered, as for the sends measured below).
      await sendText('warm-up');
      const alone = await measureSend(field, [], 'nobody listens');

      const perAudience = new Map<number, number>();
      for (const size of AUDIENCES) {
        const subs = await Promise.all(
          USERS.slice(0, size).map(async (user) => ({
            user,
            sub: await h.subscribe(document, { variables, headers: bearer(await app.tokenFor(user)) }),
          })),
        );
        try {
          for (const { sub } of subs) expect(sub.status).toBe(200);
          for (let k = 0; k < 2; k++) {
            const { count, sql } = await measureSend(field, subs, `${field} to ${size}, #${k}`);
            const fanOut = count - alone.count;
            expect(fanOut, `fan-out to ${size} subscribers:\n${sql.join('\n')}`).toBeLessThanOrEqual(
              FAN_OUT_BUDGET,
            );
            perAudience.set(size, fanOut);
          }
        } finally {
          await Promise.all(subs.map(({ sub }) => sub.close()));
        }
      }
      expect(new Set(perAudience.values()).size, JSON.stringify([...perAudience])).toBe(1);
    });
  });
});
