import type { Db } from '../../db/create-database.js';
import { InvalidInputError, UnauthenticatedError } from '../errors.js';
import { findAppByClientKey, findAppById, listAppIds } from './app.repository.js';

/*
 * Which app a password login signs in to. Rocket.Chat and Virola clients know nothing of
 * tenants, so the request may name none. The rule, most specific first:
 *   1. an app named by the request (X-App-Id, or an IMKit client key);
 *   2. the operator's DEFAULT_APP_ID;
 *   3. the only app in the database.
 * An app that is named but unknown fails like a wrong password (no tenant enumeration).
 */

export interface LoginAppHint {
  appId?: string | undefined;
  clientKey?: string | undefined;
  defaultAppId?: string | undefined;
}

export async function resolveLoginAppId(db: Db, hint: LoginAppHint): Promise<string> {
  if (hint.appId !== undefined) {
    const app = await findAppById(db, hint.appId);
    if (!app) throw new UnauthenticatedError('Wrong username or password', { reason: 'INVALID_CREDENTIALS' });
    return app.id;
  }
  if (hint.clientKey !== undefined) {
    const app = await findAppByClientKey(db, hint.clientKey);
    if (!app) throw new UnauthenticatedError('Wrong username or password', { reason: 'INVALID_CREDENTIALS' });
    return app.id;
  }
  if (hint.defaultAppId !== undefined) return hint.defaultAppId;
  const ids = await listAppIds(db, 2);
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  throw new InvalidInputError(
    ids.length === 0
      ? 'No app exists yet: create one first'
      : 'Several apps exist: send an X-App-Id header naming one, or set DEFAULT_APP_ID',
    { field: 'X-App-Id', reason: 'APP_NOT_DETERMINED' },
  );
}
