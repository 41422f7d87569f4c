import { GraphQLError } from 'graphql';
import type { RequestContext } from '../../domain/context.js';
import { createLoaders } from '../../domain/loaders.js';
import { isDomainError, UnauthenticatedError, type DomainError } from '../../domain/errors.js';
import { isEventBus, type EventBus } from '../../realtime/event-bus.js';
import type { ChatEvent } from '../../realtime/events.js';
import { SubscriberOverflowError, type TopicSubscription } from '../../realtime/topic-subscription.js';
import type { GraphQLContext } from '../builder.js';

/*
 * What the subscription fields share: the bus, a fresh view of the world per event, and
 * a pull-based stream that turns bus events into payloads one at a time.
 *
 * Events carry ids only. For each one the subscription's context gets new loaders and a
 * new clock, and the payload is read and authorized through the domain again, as a new
 * request would: a member who left stops receiving, and nothing cached at subscribe
 * time is shown. graphql-js resolves a subscription's events one after another with one
 * context object, so renewing that object is what makes each event a fresh request.
 */

/** Ends the stream after the client has been told why (the field resolver throws it). */
export interface StreamEnd {
  end: Error;
}

export function isStreamEnd(item: object): item is StreamEnd {
  return 'end' in item;
}

/** Throws the error a StreamEnd carries; passes payloads through. */
export function payloadOrThrow<T extends object>(item: T | StreamEnd): T {
  if (isStreamEnd(item)) throw item.end;
  return item;
}

/** The process's bus, as the server put it into every request context. */
export function busOf(ctx: RequestContext): EventBus {
  if (!isEventBus(ctx.events)) {
    throw new Error(
      'Subscriptions need the event bus: pass it to the GraphQL server (GraphQLServerDeps.events)',
    );
  }
  return ctx.events;
}

/** New loaders and clock: everything the next event shows is read (and authorized) afresh. */
export function renewContext(ctx: RequestContext): void {
  ctx.loaders = createLoaders(ctx.db, ctx.viewer?.appId ?? '', ctx.viewer?.userId ?? null);
  ctx.now = new Date();
}

/** Runs a domain read; an expected refusal (left the room, room deleted) is null instead of an error. */
export async function unlessRefused<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isDomainError(error)) return null;
    throw error;
  }
}

/** What a handler makes of one bus event: a payload, nothing (skip it), or the last item. */
export type Handled<T> = { payload: T; last?: boolean } | { end: DomainError } | null;

/**
 * Bus events -> payloads, pulled one at a time: an event is only read when the client is
 * ready for it, and return() (client gone) stops listening at once.
 */
export class EventStream<T extends object> implements AsyncIterableIterator<T | StreamEnd> {
  private finished = false;
  private readonly onClose: (() => void)[] = [];

  constructor(
    private readonly subscription: TopicSubscription,
    private readonly handle: (event: ChatEvent) => Promise<Handled<T>>,
    /** Asked before each event: a revoked or expired token ends the stream. */
    private readonly stillAuthenticated: () => Promise<boolean>,
  ) {}

  async next(): Promise<IteratorResult<T | StreamEnd>> {
    try {
      return await this.pull();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private async pull(): Promise<IteratorResult<T | StreamEnd>> {
    while (!this.finished) {
      let event: IteratorResult<ChatEvent>;
      try {
        event = await this.subscription.next();
      } catch (error) {
        if (!(error instanceof SubscriberOverflowError)) throw error;
        return this.finish({
          end: new GraphQLError(
            'The subscription fell too far behind and was ended: subscribe again and re-read',
            {
              extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
            },
          ),
        });
      }
      if (event.done) break;
      if (!(await this.stillAuthenticated())) {
        return this.finish({
          end: new UnauthenticatedError(
            'The token this subscription was opened with is no longer valid (revoked or expired)',
            { reason: 'INVALID_TOKEN' },
          ),
        });
      }
      const handled = await this.handle(event.value);
      if (this.finished || handled === null) continue;
      if ('end' in handled) return this.finish(handled);
      if (handled.last) return this.finish(handled.payload);
      return { value: handled.payload, done: false };
    }
    this.close();
    return { value: undefined, done: true };
  }

  return(): Promise<IteratorResult<T | StreamEnd>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Hands out a last item; the next pull ends the stream. */
  private finish(item: T | StreamEnd): IteratorResult<T | StreamEnd> {
    this.close();
    return { value: item, done: false };
  }

  /** Runs `callback` once the stream has ended, however it ends (at once if it has). */
  whenClosed(callback: () => void): void {
    if (this.finished) callback();
    else this.onClose.push(callback);
  }

  private close(): void {
    this.finished = true;
    this.subscription.close();
    for (const callback of this.onClose.splice(0)) callback();
  }
}

/**
 * Opens a stream holding one of the viewer's subscription slots (SUBSCRIPTIONS_PER_USER,
 * SSE and WebSocket together): RATE_LIMITED when every slot is taken. The slot comes back
 * when the stream ends, however it ends, or at once when opening it fails.
 */
export async function openWithSlot<T extends object>(
  ctx: GraphQLContext,
  open: () => Promise<EventStream<T>>,
): Promise<EventStream<T>> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer);
  try {
    const stream = await open();
    stream.whenClosed(release);
    return stream;
  } catch (error) {
    release();
    throw error;
  }
}
