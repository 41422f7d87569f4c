import { GraphQLError } from 'graphql';
import { busOf, isFeedEnd, type FeedItem, type FeedOptions } from '../../domain/realtime/feed.js';
import type { EventBus } from '../../realtime/event-bus.js';
import { SubscriberOverflowError } from '../../realtime/topic-subscription.js';
import type { GraphQLContext } from '../builder.js';

/*
 * What the subscription fields share: a domain feed opened under one of the viewer's
 * subscription slots, and its end turned into the error the client is told. The rules
 * (who hears what, each event read afresh) are the feed's.
 */

/**
 * Opens a feed holding one of the viewer's subscription slots (SUBSCRIPTIONS_PER_USER,
 * SSE and WebSocket together): RATE_LIMITED when every slot is taken. The slot comes back
 * when the feed ends, however it ends, or at once when opening it fails.
 */
export async function openFeed<T>(
  ctx: GraphQLContext,
  open: (bus: EventBus, options: FeedOptions) => Promise<AsyncIterableIterator<FeedItem<T>>>,
): Promise<AsyncIterableIterator<FeedItem<T>>> {
  const release = ctx.subscriptionSlots.acquire(ctx.viewer);
  try {
    return await open(busOf(ctx), { stillAuthenticated: ctx.stillAuthenticated, onClose: release });
  } catch (error) {
    release();
    throw error;
  }
}

/** The field's payload; a feed's end is thrown, so the client gets it as the stream's last error. */
export function payloadOrThrow<T extends object>(item: FeedItem<T>): T {
  if (!isFeedEnd(item)) return item;
  if (item.end instanceof SubscriberOverflowError) {
    throw new GraphQLError(
      'The subscription fell too far behind and was ended: subscribe again and re-read',
      {
        extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
      },
    );
  }
  throw item.end;
}
