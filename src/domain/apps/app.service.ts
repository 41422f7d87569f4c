import type { Db } from '../../db/create-database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import { generateSecret, hashSecret } from '../secrets.js';
import { cachePerOwner } from '../ttl-cache.js';
import type { App, AppCredentials } from './app.js';
import { findAppByClientKey, findAppIdByApiKeyHash, insertApp, updateApiKeyHash } from './app.repository.js';
import { checkLength, INPUT_LIMITS } from '../input-limits.js';

const APP_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${INPUT_LIMITS.appId.max - 1}}$`);

export function validateAppId(appId: string): void {
  if (!APP_ID.test(appId)) {
    throw new InvalidInputError(
      `Invalid app id "${appId}": use 1-${INPUT_LIMITS.appId.max} letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { field: 'appId' },
    );
  }
}

/** Creates a tenant. The API key is returned once and only its hash is kept. */
export async function createApp(db: Db, input: { appId: string; name?: string }): Promise<AppCredentials> {
  validateAppId(input.appId);
  checkLength(input.name, 'appName', 'name');
  const clientKey = generateSecret('ck_', 18);
  const apiKey = generateSecret('sk_');
  try {
    await insertApp(db, {
      id: input.appId,
      name: input.name ?? input.appId,
      clientKey,
      apiKeyHash: hashSecret(apiKey),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`App "${input.appId}" already exists`);
    throw error;
  }
  return { appId: input.appId, name: input.name ?? input.appId, clientKey, apiKey };
}

/** Replaces an app's API key; the old one stops working at once. */
export async function rotateApiKey(db: Db, appId: string): Promise<string> {
  const apiKey = generateSecret('sk_');
  if (!(await updateApiKeyHash(db, appId, hashSecret(apiKey)))) {
    throw new NotFoundError(`App "${appId}" does not exist`);
  }
  return apiKey;
}

/** The app an API key belongs to, or undefined. */
export function findAppIdByApiKey(db: Db, apiKey: string): Promise<string | undefined> {
  return findAppIdByApiKeyHash(db, hashSecret(apiKey));
}

/*
 * IMKit clients send their app's client key with every request; apps and their client
 * keys never change, so the lookup is remembered for a while instead of costing a SQL
 * statement per request (like the token, see resolveToken).
 */
const appsByClientKey = cachePerOwner<Db, string, App>(60_000, 10_000);

/** The app a client key belongs to, or undefined; remembered for a minute. */
export async function findAppByClientKeyCached(
  db: Db,
  clientKey: string,
  now: Date,
): Promise<App | undefined> {
  const cache = appsByClientKey(db);
  const cached = cache.get(clientKey, now.getTime());
  if (cached) return cached;
  const app = await findAppByClientKey(db, clientKey);
  if (app) cache.set(clientKey, app, now.getTime());
  return app;
}
