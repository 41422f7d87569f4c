import DataLoader from 'dataloader';
import type { Db } from '../db/create-database.js';
import type { User } from './users/user.js';
import { findUsersByIds } from './users/user.repository.js';

/*
 * The per-request DataLoaders: the only way relations are read. Each batch function
 * runs one statement for all keys of a tick and returns results in key order. They are
 * scoped to one app (the viewer's), so keys are plain ids.
 */

/** Orders batch results by the keys asked for; missing keys become null. */
export function byKeys<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((key) => map.get(key) ?? null);
}

export function createLoaders(db: Db, appId: string) {
  return {
    user: new DataLoader<string, User | null>(async (ids) =>
      byKeys(ids, await findUsersByIds(db, appId, ids), (u) => u.id),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
