import type { Db } from './db/create-database.js';
import { createLoaders, type Loaders } from './domain/loaders.js';
import type { Viewer } from './domain/viewer.js';
import type { Logger } from './logger.js';
import { discardEvents, type EventPublisher } from './realtime/events.js';

/**
 * What every service call gets, built once per request by whichever transport took it
 * (GraphQL, a REST dialect, a subscription event): the database, who asks, the
 * request's DataLoaders and one clock reading.
 */
export interface RequestContext {
  db: Db;
  viewer: Viewer | null;
  loaders: Loaders;
  now: Date;
  requestId: string;
  log: Logger;
  /** Where services announce committed writes (subscriptions listen there). */
  events: EventPublisher;
}

/** A context whose viewer is known: what most services require. */
export type ViewerContext = RequestContext & { viewer: Viewer };

export function createRequestContext(input: {
  db: Db;
  viewer: Viewer | null;
  requestId: string;
  log: Logger;
  now?: Date;
  /** The process's event bus; the server always passes it. Without it, events are dropped (CLI, seeding). */
  events?: EventPublisher;
}): RequestContext {
  // Loaders are per app: a request without a viewer gets loaders that can find nothing.
  const loaders = createLoaders(input.db, input.viewer?.appId ?? '', input.viewer?.userId ?? null);
  if (input.viewer?.user) loaders.user.prime(input.viewer.user.id, input.viewer.user);
  return {
    db: input.db,
    viewer: input.viewer,
    loaders,
    now: input.now ?? new Date(),
    requestId: input.requestId,
    log: input.log.child({ requestId: input.requestId }),
    events: input.events ?? discardEvents,
  };
}
