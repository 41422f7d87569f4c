import type { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';
import type { LoginAppHint } from '../domain/apps/password-login.service.js';
import type { RestConfig } from './dialect.js';
import type { RestRequest } from './rest-request.js';

/** Parses a login body against a schema; a wrong shape is a 400 saying what is missing. */
export async function readLoginBody<T>(
  rest: RestRequest,
  schema: z.ZodType<T>,
  expected: string,
): Promise<T> {
  const parsed = schema.safeParse(await rest.body());
  if (!parsed.success) {
    throw new InvalidInputError(`Invalid login request: expected ${expected}`, { field: 'body' });
  }
  return parsed.data;
}

/** Which app a password login is for, as far as the request says (see resolveLoginAppId). */
export function loginAppHint(rest: RestRequest, config: RestConfig): LoginAppHint {
  const appId = rest.request.headers.get('x-app-id')?.trim() || undefined;
  const clientKey = rest.request.headers.get('im-client-key')?.trim() || undefined;
  return { appId, clientKey, defaultAppId: config.DEFAULT_APP_ID };
}

/** Whether the body is a JSON or form object with one of these keys (for telling dialects apart). */
export async function bodyHasKey(rest: RestRequest, keys: readonly string[]): Promise<boolean> {
  const present = await rest.bodyKeys();
  return keys.some((key) => present.includes(key));
}
