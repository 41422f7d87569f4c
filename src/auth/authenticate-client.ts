import type { Db } from '../db/create-database.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Viewer } from '../domain/viewer.js';
import type { CredentialThrottle } from '../limits/credential-throttle.js';
import { authenticate } from './authenticate.js';
import type { Credentials } from './credentials.js';

/** Where credentials come from: the client's address (src/limits/client-address.ts) and its throttle. */
export interface CredentialClient {
  address: string;
  throttle: CredentialThrottle;
}

/**
 * authenticate(), for credentials a client presents: a wrong API key counts against the
 * client's address, and an address past its limit is refused (RATE_LIMITED) before the
 * key is looked up. Client tokens (bearer, session, Rocket.Chat, IMKit) do not count:
 * they are 256-bit random, so guessing one is hopeless, while stale ones are routine (a
 * password change or a logout elsewhere revokes them, they expire) and would let one
 * stale client lock everyone behind its NAT out.
 */
export async function authenticateClient(
  db: Db,
  credentials: Credentials,
  client: CredentialClient,
): Promise<Viewer> {
  if (credentials.kind !== 'apiKey') return authenticate(db, credentials);
  await client.throttle.check(client.address);
  try {
    return await authenticate(db, credentials);
  } catch (error) {
    if (error instanceof UnauthenticatedError) await client.throttle.failed(client.address);
    throw error;
  }
}
