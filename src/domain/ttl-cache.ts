import { LRUCache } from 'lru-cache';

/*
 * A small in-process memo with a time limit, for lookups every request repeats (the
 * token behind a bearer header, the app behind an IMKit client key). One cache per
 * database handle (a WeakMap key), so tests with their own database never share entries.
 * lru-cache bounds it: past `max` entries the least recently used go first. Expiry is
 * judged against the caller's clock (the request's `now`), not lru-cache's own ttl: that
 * reads performance.now(), while an entry must die at the moment the request's clock
 * says (a token's own expiry, to the millisecond), and tests move that clock.
 */

export interface TtlCache<K, V> {
  get(key: K, now: number): V | undefined;
  set(key: K, value: V, now: number, validUntil?: number): void;
  delete(key: K): void;
  /** Removes every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void;
}

export function createTtlCache<K extends NonNullable<unknown>, V>(
  ttlMs: number,
  max: number,
): TtlCache<K, V> {
  const entries = new LRUCache<K, { value: V; until: number }>({ max });
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= now) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, now, validUntil) {
      if (ttlMs <= 0) return;
      entries.set(key, { value, until: Math.min(now + ttlMs, validUntil ?? Infinity) });
    },
    delete(key) {
      entries.delete(key);
    },
    deleteWhere(matches) {
      const doomed = [...entries.entries()].filter(([, entry]) => matches(entry.value)).map(([key]) => key);
      for (const key of doomed) entries.delete(key);
    },
  };
}

/** One cache per owner object (the database handle), made on first use. */
export function cachePerOwner<O extends object, K extends NonNullable<unknown>, V>(
  ttlMs: number,
  max: number,
): (owner: O) => TtlCache<K, V> {
  const caches = new WeakMap<O, TtlCache<K, V>>();
  return (owner) => {
    let cache = caches.get(owner);
    if (!cache) {
      cache = createTtlCache<K, V>(ttlMs, max);
      caches.set(owner, cache);
    }
    return cache;
  };
}
