import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { RateLimitedError, type RateLimitInfo } from '../domain/errors.js';

/*
 * Named limits over rate-limiter-flexible: fixed windows counted in this process, or in
 * Redis when REDIS_URL is set, so every instance counts against the same budget. A
 * Redis that does not answer never fails a request: each Redis limiter has an
 * in-process twin (the library's insurance limiter) that counts while Redis is away.
 *
 * The library reads Date.now() itself and takes no clock; tests move time with
 * vi.setSystemTime (Date only), never by sleeping.
 */

/** `points` per `durationSeconds`; once over, refused for `blockSeconds` (default: the rest of the window). */
export interface RateRule {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

/** Where counts live: this process, or a Redis shared by every instance. */
export type RateLimitStore = { kind: 'memory' } | { kind: 'redis'; client: Redis; prefix: string };

export interface RateLimiter {
  readonly policy: string;
  readonly rule: RateRule;
  /** Counts `points` against `key`; throws RateLimitedError once the key is over its limit. */
  consume(key: string, points?: number): Promise<void>;
  /** Throws RateLimitedError when `key` is over its limit now; counts nothing. */
  check(key: string): Promise<void>;
  /** Forgets `key`'s count (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

export function createRateLimiter(policy: string, rule: RateRule, store: RateLimitStore): RateLimiter {
  const options = {
    keyPrefix: `rl:${policy}`,
    points: rule.points,
    duration: rule.durationSeconds,
    ...(rule.blockSeconds !== undefined && { blockDuration: rule.blockSeconds }),
  };
  const limiter: RateLimiterAbstract =
    store.kind === 'memory'
      ? new RateLimiterMemory(options)
      : new RateLimiterRedis({
          ...options,
          keyPrefix: `${store.prefix}${options.keyPrefix}`,
          storeClient: store.client,
          insuranceLimiter: new RateLimiterMemory(options),
        });

  const refused = (res: RateLimiterRes): RateLimitedError => {
    const info: RateLimitInfo = {
      policy,
      limit: rule.points,
      windowSeconds: rule.durationSeconds,
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
    return new RateLimitedError(`Too many requests: try again in ${info.retryAfterSeconds} s`, info, {
      reason: policy,
    });
  };

  return {
    policy,
    rule,
    async consume(key, points = 1) {
      try {
        await limiter.consume(key, points);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw refused(error);
        throw error;
      }
    },
    async check(key) {
      // A key that has used its whole budget is refused on its next attempt, before any work.
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= rule.points && res.msBeforeNext > 0) throw refused(res);
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
