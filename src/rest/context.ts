import { authenticate } from '../auth/authenticate.js';
import { readCredentials, type Credentials } from '../auth/credentials.js';
import { createRequestContext, type ViewerContext } from '../context.js';
import { UnauthenticatedError } from '../domain/errors.js';
import type { RestDeps } from './dialect.js';
import type { RestRequest } from './rest-request.js';

export type CredentialKind = Credentials['kind'];

/**
 * Authenticates a request with the credentials its dialect accepts and builds the
 * request context. Missing credentials, or only another dialect's, are UNAUTHENTICATED
 * like wrong ones, so each dialect answers its own 401.
 */
export async function viewerContext(
  deps: RestDeps,
  rest: RestRequest,
  accepted: readonly CredentialKind[],
  missingMessage: string,
): Promise<ViewerContext & { credentials: Credentials }> {
  const credentials = readCredentials(rest.request);
  if (!credentials || !accepted.includes(credentials.kind)) {
    throw new UnauthenticatedError(missingMessage, { reason: 'INVALID_TOKEN' });
  }
  const viewer = await authenticate(deps.db, credentials);
  const ctx = createRequestContext({
    db: deps.db,
    viewer,
    requestId: rest.requestId,
    log: rest.log,
    ...(deps.events && { events: deps.events }),
  });
  return { ...ctx, viewer, credentials };
}
