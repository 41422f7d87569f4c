import type { Config } from '../config.js';
import { createAnonymousLimit, unlimitedAnonymous, type AnonymousLimit } from './anonymous-limit.js';
import type { RateLimitStore } from './rate-limiter.js';
import {
  createSubscriptionSlots,
  unlimitedSubscriptions,
  type SubscriptionSlots,
} from './subscription-slots.js';
import { unlimitedWrites, type WriteLimits } from '../domain/write-operations.js';
import { createWriteLimits, writeRules } from './write-limits.js';

/*
 * The process's limits on what one caller may do, built once from the configuration
 * and the rate-limit store (src/main.ts), and shared by every transport: the HTTP
 * routes and the WebSocket server get the same object, so one user has one budget.
 */

export interface Limits {
  /** Write rates, counted by the domain's write services (RequestContext.writeLimits). */
  writes: WriteLimits;
  /** Open subscriptions per user (the subscription fields take a slot). */
  subscriptions: SubscriptionSlots;
  /** Operations one WebSocket may have running at once. */
  operationsPerSocket: number;
  /** Requests without credentials, per client address (GraphQL and REST). */
  anonymous: AnonymousLimit;
}

export type LimitsConfig = Pick<
  Config,
  | 'RATE_LIMITS_ENABLED'
  | 'RATE_LIMITS'
  | 'SUBSCRIPTIONS_PER_USER'
  | 'SUBSCRIPTIONS_PER_API_KEY'
  | 'SUBSCRIPTIONS_PER_SOCKET'
  | 'ANONYMOUS_RATE_LIMIT'
  | 'TRUSTED_PROXIES'
>;

export const NO_LIMITS: Limits = {
  writes: unlimitedWrites,
  subscriptions: unlimitedSubscriptions,
  operationsPerSocket: Number.POSITIVE_INFINITY,
  anonymous: unlimitedAnonymous,
};

export function createLimits(config: LimitsConfig, store: RateLimitStore): Limits {
  if (!config.RATE_LIMITS_ENABLED) return NO_LIMITS;
  return {
    writes: createWriteLimits(writeRules(config.RATE_LIMITS), store),
    subscriptions: createSubscriptionSlots({
      perUser: config.SUBSCRIPTIONS_PER_USER,
      perApiKey: config.SUBSCRIPTIONS_PER_API_KEY,
    }),
    operationsPerSocket: config.SUBSCRIPTIONS_PER_SOCKET,
    anonymous: createAnonymousLimit(config.ANONYMOUS_RATE_LIMIT, config.TRUSTED_PROXIES, store),
  };
}
