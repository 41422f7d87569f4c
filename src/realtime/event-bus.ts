import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { redactUrl } from '../redact-url.js';
import { isChatEvent, topicOf, type ChatEvent, type EventPublisher } from './events.js';
import { TopicSubscription, type TopicSource } from './topic-subscription.js';

/*
 * The process's event bus: services publish committed writes, subscriptions listen.
 * Built on graphql-yoga's pub/sub and its event targets: an in-process EventTarget by
 * default, Redis (@graphql-yoga/redis-event-target) when REDIS_URL is set, so that an
 * event published by any instance reaches the subscribers of every instance.
 */

export interface EventBus extends EventPublisher {
  readonly kind: 'memory' | 'redis';
  /** Listens to topics (roomTopic/userTopic); more can be added and removed while it is open. */
  subscribe(topics: Iterable<string>): TopicSubscription;
  /** How many subscriptions are open (for metrics, and for tests that check nothing leaks). */
  readonly openSubscriptions: number;
  /** Ends every open subscription and disconnects. Idempotent. */
  close(): Promise<void>;
}

export interface EventBusOptions {
  log: Logger;
  /** redis:// or rediss:// URL: fan out through Redis. Without it, events stay in this process. */
  redisUrl?: string | undefined;
  /** Events a subscriber may fall behind by before it is ended (it re-syncs on reconnect). */
  maxQueuedPerSubscriber?: number;
  /** Prepended to every Redis channel, so other software on the same Redis is not disturbed. */
  channelPrefix?: string;
}

type Topics = Record<string, [ChatEvent]>;
type Listener = (event: ChatEvent) => void;

/** A listener as the event targets want it: they hand over a CustomEvent whose detail is the event. */
type TargetListener = (event: CustomEvent<unknown>) => void;

interface ListenTarget {
  addEventListener(topic: string, listener: TargetListener): void;
  removeEventListener(topic: string, listener: TargetListener): void;
}

const DEFAULT_MAX_QUEUED = 1000;
const DEFAULT_CHANNEL_PREFIX = 'chat-bff:';

/** Creates the bus; with a Redis URL it resolves once both connections are up (or rejects). */
export async function createEventBus(options: EventBusOptions): Promise<EventBus> {
  if (!options.redisUrl) return createMemoryEventBus(options);
  return createRedisEventBus(options.redisUrl, options);
}

/** The embedded default: one process, no network. */
export function createMemoryEventBus(options: Omit<EventBusOptions, 'redisUrl'>): EventBus {
  const target = new EventTarget();
  // Every subscriber of a busy room listens to one topic: many listeners are normal here, not a leak.
  setMaxListeners(0, target);
  return assembleBus(
    'memory',
    options,
    target as unknown as ListenTarget,
    createPubSub<Topics>({ eventTarget: target }),
    {
      confirm: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
  );
}

async function createRedisEventBus(url: string, options: EventBusOptions): Promise<EventBus> {
  const { log } = options;
  const redisOptions: RedisOptions = {
    lazyConnect: true,
    // Publishing must not wait forever behind a lost connection; subscribers re-subscribe by themselves.
    maxRetriesPerRequest: 3,
    connectionName: 'chat-bff-events',
  };
  const publisher = new Redis(url, redisOptions);
  const subscriber = new Redis(url, redisOptions);
  for (const [role, client] of [
    ['publish', publisher],
    ['subscribe', subscriber],
  ] as const) {
    client.on('error', (error: Error) => log.warn({ err: error, role }, 'redis event bus connection error'));
  }
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(
      `Cannot connect to Redis at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  // redis-event-target publishes without handling the reply; a failed PUBLISH must be a log line, not an unhandled rejection.
  const guardedPublisher = new Proxy(publisher, {
    get(client, property, receiver) {
      if (property !== 'publish') return Reflect.get(client, property, receiver) as unknown;
      return (channel: string, message: string) =>
        client.publish(channel, message).catch((error: unknown) => {
          log.error({ err: error, channel }, 'could not publish an event to redis');
          return 0;
        });
    },
  });
  const target = createRedisEventTarget<CustomEvent<ChatEvent>>({
    publishClient: guardedPublisher,
    subscribeClient: subscriber,
    // It parses inside ioredis's message handler: a throw there would be an uncaught exception.
    serializer: { stringify: (message) => JSON.stringify(message), parse: parseOrNull },
  });
  return assembleBus(
    'redis',
    options,
    target as unknown as ListenTarget,
    createPubSub<Topics>({ eventTarget: target }),
    {
      // Redis answers in order: once a PING sent after the SUBSCRIBEs is answered, they are in effect.
      confirm: async () => {
        await subscriber.ping();
      },
      close: async () => {
        await Promise.allSettled([publisher.quit(), subscriber.quit()]);
      },
    },
  );
}

function assembleBus(
  kind: EventBus['kind'],
  options: Omit<EventBusOptions, 'redisUrl'>,
  target: ListenTarget,
  pubsub: PubSub<Topics>,
  transport: { confirm(): Promise<void>; close(): Promise<void> },
): EventBus {
  const { log } = options;
  const prefix = kind === 'redis' ? (options.channelPrefix ?? DEFAULT_CHANNEL_PREFIX) : '';
  const maxQueued = options.maxQueuedPerSubscriber ?? DEFAULT_MAX_QUEUED;
  const open = new Set<TopicSubscription>();
  // The targets call back with a CustomEvent; subscriptions want the ChatEvent. One adapter per listener and topic set.
  const adapters = new WeakMap<Listener, TargetListener>();
  let closed: Promise<void> | undefined;

  const adapterFor = (listener: Listener): TargetListener => {
    let adapter = adapters.get(listener);
    if (!adapter) {
      adapter = (event) => {
        // A listener that throws would surface as an uncaught exception of the EventTarget.
        try {
          if (isChatEvent(event.detail)) listener(event.detail);
          else log.warn({ topic: event.type }, 'ignored a malformed event');
        } catch (error) {
          log.error({ err: error }, 'an event listener failed');
        }
      };
      adapters.set(listener, adapter);
    }
    return adapter;
  };

  const source: TopicSource = {
    listen: (topic, listener) => target.addEventListener(prefix + topic, adapterFor(listener)),
    unlisten: (topic, listener) => target.removeEventListener(prefix + topic, adapterFor(listener)),
    confirm: () => transport.confirm(),
  };

  return {
    kind,
    get openSubscriptions() {
      return open.size;
    },
    publish(event) {
      if (closed) return;
      try {
        pubsub.publish(prefix + topicOf(event), event);
      } catch (error) {
        // Never into the write that already committed.
        log.error({ err: error, event }, 'could not publish an event');
      }
    },
    subscribe(topics) {
      const subscription = new TopicSubscription(source, closed ? [] : topics, maxQueued, (s) =>
        open.delete(s),
      );
      if (closed) subscription.close();
      else open.add(subscription);
      return subscription;
    },
    close() {
      closed ??= (async () => {
        for (const subscription of [...open]) subscription.close();
        await transport.close();
      })();
      return closed;
    },
  };
}

/** Anything that is not JSON reads as null, which the listeners ignore as malformed. */
function parseOrNull(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return null;
  }
}

/** Whether a context's publisher is a whole bus (the server's), which subscriptions can listen on. */
export function isEventBus(events: EventPublisher): events is EventBus {
  return typeof (events as Partial<EventBus>).subscribe === 'function';
}
