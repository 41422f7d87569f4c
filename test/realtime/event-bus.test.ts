import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { createEventBus, createMemoryEventBus, type EventBus } from '../../src/realtime/event-bus.js';
import { roomTopic, userTopic, type ChatEvent, type RoomEvent } from '../../src/realtime/events.js';
import { SubscriberOverflowError } from '../../src/realtime/topic-subscription.js';
import { silentLog } from '../support/in-process-app.js';

/*
 * The bus itself: topics, dynamic topic sets, closing, slow subscribers; in-process and
 * through Redis (two buses on one Redis are two server instances).
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function roomEvent(appId: string, roomId: string, messageId = 'm1'): RoomEvent {
  return {
    scope: 'room',
    type: 'MESSAGE_ADDED',
    appId,
    roomId,
    messageId,
    actorId: 'alice',
    at: new Date().toISOString(),
  };
}

/** The next event, or a failure after `ms`. */
async function nextWithin(iterator: AsyncIterator<ChatEvent>, ms = 2000): Promise<IteratorResult<ChatEvent>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves true if the iterator yields nothing within `ms`. */
async function silentFor(iterator: AsyncIterator<ChatEvent>, ms: number): Promise<boolean> {
  const pending = iterator.next();
  const result = await Promise.race([
    pending.then(() => false),
    new Promise<true>((r) => setTimeout(() => r(true), ms)),
  ]);
  return result;
}

const buses: EventBus[] = [];
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
});

function appId(): string {
  return `bus-${randomBytes(4).toString('hex')}`;
}

describe.each([
  ['memory', async () => createMemoryEventBus({ log: silentLog })],
  ['redis', async () => createEventBus({ log: silentLog, redisUrl: REDIS_URL })],
] as const)('%s bus', (kind, make) => {
  async function bus(options: { maxQueuedPerSubscriber?: number } = {}): Promise<EventBus> {
    const created =
      kind === 'memory'
        ? createMemoryEventBus({ log: silentLog, ...options })
        : options.maxQueuedPerSubscriber
          ? await createEventBus({ log: silentLog, redisUrl: REDIS_URL, ...options })
          : await make();
    buses.push(created);
    return created;
  }

  test('delivers an event to the subscribers of its topic only', async () => {
    const b = await bus();
    expect(b.kind).toBe(kind);
    const app = appId();
    const mine = b.subscribe([roomTopic(app, 'r1')]);
    const other = b.subscribe([roomTopic(app, 'r2'), userTopic(app, 'alice')]);
    await Promise.all([mine.ready(), other.ready()]);
    const event = roomEvent(app, 'r1');
    b.publish(event);
    expect(await nextWithin(mine)).toEqual({ value: event, done: false });
    expect(await silentFor(other, 200)).toBe(true);
    mine.close();
    other.close();
  });

  test('a busy topic with many subscribers delivers to each, without leak warnings', async () => {
    const b = await bus();
    const app = appId();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const subscribers = Array.from({ length: 25 }, () => b.subscribe([roomTopic(app, 'busy')]));
      await Promise.all(subscribers.map((s) => s.ready()));
      const event = roomEvent(app, 'busy');
      b.publish(event);
      for (const subscriber of subscribers)
        expect(await nextWithin(subscriber)).toEqual({ value: event, done: false });
      subscribers.forEach((s) => s.close());
      await new Promise((r) => setTimeout(r, 20));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('topics can be added and removed while listening; closing ends a waiting next()', async () => {
    const b = await bus();
    const app = appId();
    const subscription = b.subscribe([userTopic(app, 'alice')]);
    await subscription.add([roomTopic(app, 'late')]);
    b.publish(roomEvent(app, 'late', 'm-late'));
    expect((await nextWithin(subscription)).value).toMatchObject({ roomId: 'late', messageId: 'm-late' });
    subscription.remove(roomTopic(app, 'late'));
    const waiting = subscription.next();
    b.publish(roomEvent(app, 'late', 'unheard'));
    await new Promise((r) => setTimeout(r, 150));
    subscription.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(b.openSubscriptions).toBe(0);
  });

  test('a subscriber that falls too far behind is ended, not buffered forever', async () => {
    const b = await bus({ maxQueuedPerSubscriber: 3 });
    const app = appId();
    const slow = b.subscribe([roomTopic(app, 'r')]);
    await slow.ready();
    for (let i = 0; i < 5; i++) b.publish(roomEvent(app, 'r', `m${i}`));
    // Redis delivers asynchronously: wait until the overflow happened.
    await expect
      .poll(async () => {
        try {
          await Promise.race([slow.next(), new Promise((r) => setTimeout(r, 50))]);
          return 'no error';
        } catch (error) {
          return error instanceof SubscriberOverflowError ? 'overflow' : String(error);
        }
      })
      .toBe('overflow');
    await slow.return();
    expect(b.openSubscriptions).toBe(0);
  });

  test('closing the bus ends every subscription', async () => {
    const b = await bus();
    const subscription = b.subscribe([roomTopic(appId(), 'r')]);
    const waiting = subscription.next();
    await b.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    b.publish(roomEvent('x', 'r')); // after close: a no-op, not a throw
  });
});

describe('the bound on what waits for a slow subscriber', () => {
  test('exactly maxQueuedPerSubscriber events wait, in order; one more ends the subscription', async () => {
    const b = createMemoryEventBus({ log: silentLog, maxQueuedPerSubscriber: 3 });
    const app = appId();
    const within = b.subscribe([roomTopic(app, 'r')]);
    for (let i = 0; i < 3; i++) b.publish(roomEvent(app, 'r', `m${i}`));
    for (let i = 0; i < 3; i++)
      expect((await nextWithin(within)).value).toMatchObject({ messageId: `m${i}` });
    within.close();

    const over = b.subscribe([roomTopic(app, 'r')]);
    for (let i = 0; i < 4; i++) b.publish(roomEvent(app, 'r', `n${i}`));
    // None of the queued events is handed out once the bound is passed: the first pull already fails.
    await expect(over.next()).rejects.toBeInstanceOf(SubscriberOverflowError);
    expect(b.openSubscriptions).toBe(0);
    await b.close();
  });
});

describe('through Redis', () => {
  test('two buses on one Redis are two instances: one publishes, the other delivers', async () => {
    const [a, b] = await Promise.all([
      createEventBus({ log: silentLog, redisUrl: REDIS_URL }),
      createEventBus({ log: silentLog, redisUrl: REDIS_URL }),
    ]);
    buses.push(a, b);
    const app = appId();
    const onA = a.subscribe([roomTopic(app, 'shared')]);
    await onA.ready();
    const event = roomEvent(app, 'shared', 'from-b');
    b.publish(event);
    expect(await nextWithin(onA)).toEqual({ value: event, done: false });
    onA.close();
  });

  test('in-process buses do not reach each other (what Redis is for)', async () => {
    const a = createMemoryEventBus({ log: silentLog });
    const b = createMemoryEventBus({ log: silentLog });
    const app = appId();
    const onA = a.subscribe([roomTopic(app, 'shared')]);
    b.publish(roomEvent(app, 'shared'));
    expect(await silentFor(onA, 200)).toBe(true);
    onA.close();
  });

  test('a malformed message on a channel is ignored; later events still arrive', async () => {
    const bus = await createEventBus({ log: silentLog, redisUrl: REDIS_URL });
    buses.push(bus);
    const app = appId();
    const subscription = bus.subscribe([roomTopic(app, 'r')]);
    await subscription.ready();
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`chat-bff:${roomTopic(app, 'r')}`, JSON.stringify({ hello: 'world' }));
      await raw.publish(`chat-bff:${roomTopic(app, 'r')}`, 'not json at all');
    } finally {
      raw.disconnect();
    }
    const event = roomEvent(app, 'r', 'valid');
    bus.publish(event);
    expect(await nextWithin(subscription)).toEqual({ value: event, done: false });
    subscription.close();
  });

  test('an unreachable Redis fails the start with a clear message', async () => {
    await expect(createEventBus({ log: silentLog, redisUrl: 'redis://:secret@127.0.0.1:1' })).rejects.toThrow(
      /Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
  });
});
