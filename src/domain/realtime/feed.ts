import type { Stop } from '@repeaterjs/repeater';
import { isEventBus, type EventBus } from '../../realtime/event-bus.js';
import type { ChatEvent } from '../../realtime/events.js';
import { StartedRepeater } from '../../realtime/started-repeater.js';
import { SubscriberOverflowError, type TopicSubscription } from '../../realtime/topic-subscription.js';
import type { RequestContext } from '../context.js';
import { isDomainError, UnauthenticatedError, type DomainError } from '../errors.js';
import { createLoaders } from '../loaders.js';

/*
 * What every live feed shares, whatever transport carries it: bus events in, the domain
 * events a viewer may hear out, one at a time as the consumer pulls.
 *
 * Events carry ids only. Before each one the feed's context gets new loaders and a new
 * clock, and what the event shows is read and authorized through the domain again, as a
 * new request would: a member who left stops hearing, and nothing cached at subscribe
 * time is shown. A room's event is read once for all the feeds of this instance that
 * hear it (room-fanout.ts); each feed still authorizes it for its own viewer. The context object is renewed in place because the transport reads the
 * event's fields (a GraphQL payload's message, users) through that same object.
 */

/** The feed's last item: the consumer is told why it ends (left the room, token revoked, too slow). */
export interface FeedEnd {
  end: DomainError | SubscriberOverflowError;
}

export type FeedItem<T> = T | FeedEnd;

export function isFeedEnd(item: object): item is FeedEnd {
  return 'end' in item;
}

/** What a feed's rule makes of one bus event: an event to hand out, nothing (skip it), or the end. */
export type Handled<T> = { event: T; last?: boolean } | { end: DomainError } | null;

/** What the transport that carries a feed decides. */
export interface FeedOptions {
  /** Asked before each event: false ends the feed with UNAUTHENTICATED (the credentials were revoked or expired). */
  stillAuthenticated: () => Promise<boolean>;
  /** Called once when the feed ends, however it ends (the transport gives back what it held for it). */
  onClose?: () => void;
}

/** The process's bus, as the server put it into every request context. */
export function busOf(ctx: RequestContext): EventBus {
  if (!isEventBus(ctx.events)) {
    throw new Error('Live feeds need the event bus: the server passes it into every request context');
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

/**
 * The bus events of `subscription` through `handle`, pulled one at a time: an event is
 * read only once the consumer took the one before (a Repeater's push waits for the next
 * pull), and return() (consumer gone) stops listening and calls onClose at once, also in
 * the middle of a read. The subscription is the feed's: it is closed when the feed ends.
 */
export function streamFeed<T extends object>(
  subscription: TopicSubscription,
  handle: (event: ChatEvent) => Promise<Handled<T>>,
  options: FeedOptions,
): AsyncIterableIterator<FeedItem<T>> {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    subscription.close();
    options.onClose?.();
  };
  return new StartedRepeater<FeedItem<T>>(async (push, stop) => {
    void stop.then(close);
    // Hands out a last item: the consumer pulls it, then the feed is done.
    const finish = (item: FeedItem<T>): undefined => {
      void push(item);
      stop();
      return undefined;
    };
    try {
      for (;;) {
        let next: IteratorResult<ChatEvent> | null;
        try {
          next = await unlessStopped(stop, subscription.next());
        } catch (error) {
          if (error instanceof SubscriberOverflowError) return finish({ end: error });
          throw error;
        }
        if (next === null || next.done) return undefined;
        const authenticated = await unlessStopped(stop, options.stillAuthenticated());
        if (authenticated === false) {
          return finish({
            end: new UnauthenticatedError(
              'The token this subscription was opened with is no longer valid (revoked or expired)',
              { reason: 'INVALID_TOKEN' },
            ),
          });
        }
        const handled = authenticated === null ? null : await unlessStopped(stop, handle(next.value));
        if (closed || handled === null) continue;
        if ('end' in handled) return finish(handled);
        if (handled.last) return finish(handled.event);
        await push(handled.event);
      }
    } finally {
      close();
    }
  });
}

/** `work`'s result, or null as soon as the feed is stopped: a consumer that left does not wait for a read. */
function unlessStopped<T>(stop: Stop, work: Promise<T>): Promise<T | null> {
  return Promise.race([work, stop.then(() => null)]);
}
