import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RateLimitStore } from './rate-limiter.js';

/*
 * The store rate limits count in: Redis when REDIS_URL is set (one budget for all
 * instances), else this process. The Redis connection is the limits' own: it queues
 * nothing while Redis is away (enableOfflineQueue false), so a command fails at once and
 * the in-process insurance limiter counts instead of the request waiting. A Redis that is
 * connected but does not answer (frozen, overloaded) fails a command after
 * REDIS_COMMAND_TIMEOUT_MS, and the insurance limiter counts that one too.
 */

export const RATE_LIMIT_KEY_PREFIX = 'chat-bff:';

/** How long a limit waits for Redis before counting in the process instead. */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

export interface RateLimitStoreHandle {
  store: RateLimitStore;
  close(): Promise<void>;
}

export function createRateLimitStore(redisUrl: string | undefined, log: Logger): RateLimitStoreHandle {
  if (!redisUrl) return { store: { kind: 'memory' }, close: () => Promise.resolve() };
  const client = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectionName: 'chat-bff-limits',
  });
  client.on('error', (error: Error) => log.warn({ err: error }, 'redis rate-limit connection error'));
  return {
    store: { kind: 'redis', client, prefix: RATE_LIMIT_KEY_PREFIX },
    async close() {
      client.disconnect();
      return Promise.resolve();
    },
  };
}
