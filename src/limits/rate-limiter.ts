import {
  BurstyRateLimiter,
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

/**
 * `points` per `durationSeconds`; once over, refused for `blockSeconds` (default: the rest of the window).
 * With `burst`, the rate is spread: counted in the shortest whole-second window of the same ratio
 * (60 per 60 s is 1 per second), and up to `burst` more points per `durationSeconds` absorb bursts
 * (rate-limiter-flexible's BurstyRateLimiter); `blockSeconds` does not apply.
 */
export interface RateRule {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
  burst?: number;
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
  const build = (keyPrefix: string, points: number, duration: number, blockSeconds?: number) => {
    const options = {
      keyPrefix,
      points,
      duration,
      ...(blockSeconds !== undefined && { blockDuration: blockSeconds }),
    };
    return store.kind === 'memory'
      ? new RateLimiterMemory(options)
      : new RateLimiterRedis({
          ...options,
          keyPrefix: `${store.prefix}${keyPrefix}`,
          storeClient: store.client,
          insuranceLimiter: new RateLimiterMemory(options),
        });
  };
  const steady = spreadRate(rule);
  const main: RateLimiterAbstract = build(
    `rl:${policy}`,
    steady.points,
    steady.durationSeconds,
    rule.burst === undefined ? rule.blockSeconds : undefined,
  );
  const burst = rule.burst ? build(`rl:${policy}:burst`, rule.burst, rule.durationSeconds) : undefined;
  const limiter: Pick<RateLimiterAbstract, 'consume'> = burst ? new BurstyRateLimiter(main, burst) : main;

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
      const res = await main.get(key);
      if (!res || res.consumedPoints < steady.points || res.msBeforeNext <= 0) return;
      if (!burst) throw refused(res);
      const extra = await burst.get(key);
      if (extra && extra.consumedPoints >= (rule.burst ?? 0) && extra.msBeforeNext > 0)
        throw refused(extra.msBeforeNext < res.msBeforeNext ? extra : res);
    },
    async reset(key) {
      await Promise.all([main.delete(key), burst?.delete(key)]);
    },
  };
}

/** The steady part of a bursty rule: the same ratio in the shortest whole-second window (60/60 s -> 1/1 s). */
function spreadRate(rule: RateRule): { points: number; durationSeconds: number } {
  if (rule.burst === undefined) return rule;
  const divisor = gcd(rule.points, rule.durationSeconds);
  return { points: rule.points / divisor, durationSeconds: rule.durationSeconds / divisor };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
