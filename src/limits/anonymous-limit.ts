import { readCredentials } from '../auth/credentials.js';
import { clientAddress, UNKNOWN_PEER, type TrustedProxies } from './client-address.js';
import { createRateLimiter, type RateLimitStore, type RateRule } from './rate-limiter.js';

/*
 * Requests that carry no credentials at all (no token, API key, session cookie or
 * Rocket.Chat headers) have no user to count against: they count against their client
 * address instead (ANONYMOUS_RATE_LIMIT, e.g. 300 a minute), in GraphQL and the REST
 * dialects alike. Wrong credentials are not anonymous: the credential throttle counts those.
 * A request whose peer nobody recorded (an in-process call, not from the network) is
 * not counted.
 */

export interface AnonymousLimit {
  /** Counts `request` when it carries no credentials; throws RateLimitedError when its address is over. */
  consume(request: Request): Promise<void>;
}

export const unlimitedAnonymous: AnonymousLimit = { consume: () => Promise.resolve() };

export function createAnonymousLimit(
  rule: RateRule,
  trusted: TrustedProxies,
  store: RateLimitStore,
): AnonymousLimit {
  const limiter = createRateLimiter('anonymous', rule, store);
  return {
    async consume(request) {
      if (readCredentials(request) !== null) return;
      const address = clientAddress(request, trusted);
      if (address !== UNKNOWN_PEER) await limiter.consume(address);
    },
  };
}
