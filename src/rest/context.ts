import { authenticateClient } from '../auth/authenticate-client.js';
import { readCredentials, type Credentials } from '../auth/credentials.js';
import { createRequestContext, type ViewerContext } from '../domain/context.js';
import { missingCredentials } from '../domain/access.js';
import { credentialClient } from './client.js';
import type { RestDeps } from './dialect.js';
import type { RestRequest } from './rest-request.js';

export type CredentialKind = Credentials['kind'];

/**
 * Authenticates a request with the credentials its dialect accepts and builds the
 * request context. Missing credentials, or only another dialect's, are UNAUTHENTICATED
 * with reason MISSING_CREDENTIALS (wrong ones: INVALID_TOKEN), so each dialect answers
 * its own 401 and says which.
 */
export async function viewerContext(
  deps: RestDeps,
  rest: RestRequest,
  accepted: readonly CredentialKind[],
  missingMessage: string,
): Promise<ViewerContext & { credentials: Credentials }> {
  const credentials = readCredentials(rest.request);
  if (!credentials || !accepted.includes(credentials.kind)) {
    throw missingCredentials(missingMessage);
  }
  const viewer = await authenticateClient(deps.db, credentials, credentialClient(rest, deps));
  const ctx = createRequestContext({
    db: deps.db,
    viewer,
    requestId: rest.requestId,
    log: rest.log,
    ...(deps.events && { events: deps.events }),
    ...(deps.writeLimits && { writeLimits: deps.writeLimits }),
  });
  return { ...ctx, viewer, credentials };
}
