import type { Db } from '../db/create-database.js';
import { createLoaders, type Loaders } from './loaders.js';
import { DEFAULT_AVATAR_LIMITS, type AvatarLimits } from './rooms/avatar-limits.js';
import type { Viewer } from './viewer.js';
import type { Logger } from '../logger.js';
import { discardEvents, type EventPublisher } from '../realtime/events.js';
import { unlimitedWrites, type WriteLimits } from './write-operations.js';

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
  /** How fast the viewer may write: write services count themselves here first (src/limits/write-limits.ts). */
  writeLimits: WriteLimits;
  /** How large an uploaded avatar may be (AVATAR_MAX_BYTES, AVATAR_MAX_DIMENSION; src/domain/rooms/avatar-limits.ts). */
  avatarLimits: AvatarLimits;
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
  /** The process's write limits; the server always passes them. Without them, none (CLI, seeding). */
  writeLimits?: WriteLimits;
  /** The configured avatar limits; without them, the defaults. */
  avatarLimits?: AvatarLimits;
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
    writeLimits: input.writeLimits ?? unlimitedWrites,
    avatarLimits: input.avatarLimits ?? DEFAULT_AVATAR_LIMITS,
  };
}
