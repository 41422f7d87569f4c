import { RateLimitedError } from '../domain/errors.js';
import type { Viewer } from '../domain/viewer.js';

/*
 * How many subscriptions one caller may hold open at once in this process, over SSE and
 * WebSocket together. A stream takes a slot when it opens and gives it back when it ends,
 * however it ends (the client leaves, the server closes, an error). It is a count of
 * what is open here, not a rate: each instance counts its own streams (a count across
 * instances would need leases in Redis that expire with a crashed instance).
 */

export interface SubscriptionCaps {
  /** Streams one user may hold open (SUBSCRIPTIONS_PER_USER). */
  perUser: number;
  /** Streams the app's API key may hold open (SUBSCRIPTIONS_PER_API_KEY). */
  perApiKey: number;
}

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

export interface SubscriptionSlots {
  /** Takes one of `viewer`'s slots; throws RateLimitedError when all are taken. Anonymous callers take none. */
  acquire(viewer: Viewer | null): ReleaseSlot;
  /** Slots taken now (tests, metrics). */
  inUse(): number;
}

/** Seconds a refused client is told to wait: a slot comes back when one of its streams ends. */
export const SLOT_RETRY_AFTER_SECONDS = 5;

/** Refused: a WebSocket already runs `cap` operations (SUBSCRIPTIONS_PER_SOCKET); the socket stays open. */
export function tooManyOperations(cap: number): RateLimitedError {
  return new RateLimitedError(
    `Too many operations on this WebSocket: ${cap} at most at once; complete one first`,
    {
      policy: 'operations-per-socket',
      limit: cap,
      windowSeconds: SLOT_RETRY_AFTER_SECONDS,
      retryAfterSeconds: SLOT_RETRY_AFTER_SECONDS,
    },
    { reason: 'operations-per-socket' },
  );
}

export const unlimitedSubscriptions: SubscriptionSlots = { acquire: () => () => {}, inUse: () => 0 };

export function createSubscriptionSlots(caps: SubscriptionCaps): SubscriptionSlots {
  const open = new Map<string, number>();
  let total = 0;
  return {
    acquire(viewer) {
      if (!viewer) return () => {};
      const platform = viewer.userId === null || viewer.superuser;
      const key = platform ? `${viewer.appId}` : `${viewer.appId}:${viewer.userId}`;
      const cap = platform ? caps.perApiKey : caps.perUser;
      const held = open.get(key) ?? 0;
      if (held >= cap) {
        const policy = platform ? 'subscriptions-per-api-key' : 'subscriptions-per-user';
        throw new RateLimitedError(
          `Too many open subscriptions: ${cap} at most at once; end one, or try again in ${SLOT_RETRY_AFTER_SECONDS} s`,
          {
            policy,
            limit: cap,
            windowSeconds: SLOT_RETRY_AFTER_SECONDS,
            retryAfterSeconds: SLOT_RETRY_AFTER_SECONDS,
          },
          { reason: policy },
        );
      }
      open.set(key, held + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      };
    },
    inUse: () => total,
  };
}
