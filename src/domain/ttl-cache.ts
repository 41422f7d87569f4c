/*
 * A small in-process memo with a time limit, for lookups every request repeats (the
 * token behind a bearer header, the app behind an IMKit client key). One cache per
 * database handle (a WeakMap key), so tests with their own database never share entries.
 * Bounded: past `max` entries the oldest go first.
 */

export interface TtlCache<K, V> {
  get(key: K, now: number): V | undefined;
  set(key: K, value: V, now: number, validUntil?: number): void;
  delete(key: K): void;
  /** Removes every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void;
}

export function createTtlCache<K, V>(ttlMs: number, max: number): TtlCache<K, V> {
  const entries = new Map<K, { value: V; until: number }>();
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
      entries.delete(key);
      if (entries.size >= max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, until: Math.min(now + ttlMs, validUntil ?? Infinity) });
    },
    delete(key) {
      entries.delete(key);
    },
    deleteWhere(matches) {
      for (const [key, entry] of entries) if (matches(entry.value)) entries.delete(key);
    },
  };
}

/** One cache per owner object (the database handle), made on first use. */
export function cachePerOwner<O extends object, K, V>(
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
