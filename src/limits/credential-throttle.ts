import type { Config } from '../config.js';
import { UNKNOWN_PEER } from './client-address.js';
import { createRateLimiter, type RateLimitStore } from './rate-limiter.js';

/*
 * API-key guessing: failed API-key authentications (IM-API-KEY, a Bearer sk_..., an API
 * key in a WebSocket's connection_init) count per client address; past
 * AUTH_MAX_FAILURES_PER_IP per AUTH_FAILURE_WINDOW_SECONDS the address is refused
 * (RateLimitedError: 429, GraphQL RATE_LIMITED) before any key is looked up, until the
 * window ends. src/auth/authenticate-client.ts decides which credentials count.
 */

export type CredentialThrottleConfig = Pick<
  Config,
  'AUTH_MAX_FAILURES_PER_IP' | 'AUTH_FAILURE_WINDOW_SECONDS'
>;

export interface CredentialThrottle {
  /** Throws RateLimitedError when `address` has failed too often; counts nothing. */
  check(address: string): Promise<void>;
  /** Counts a failure from `address`. */
  failed(address: string): Promise<void>;
}

export function createCredentialThrottle(
  config: CredentialThrottleConfig,
  store: RateLimitStore,
): CredentialThrottle {
  const limiter = createRateLimiter(
    'auth-failures-per-ip',
    { points: config.AUTH_MAX_FAILURES_PER_IP, durationSeconds: config.AUTH_FAILURE_WINDOW_SECONDS },
    store,
  );
  // A call made in-process (tests, tools) has no peer to count by; every request through the HTTP server has one.
  const known = (address: string) => address !== UNKNOWN_PEER;
  return {
    check: (address) => (known(address) ? limiter.check(address) : Promise.resolve()),
    failed: (address) => (known(address) ? limiter.consume(address) : Promise.resolve()),
  };
}
