import type { CredentialClient } from '../auth/authenticate-client.js';
import type { LoginClient } from '../domain/apps/password-login.service.js';
import { defaultAuthThrottles, type AuthThrottles } from '../limits/auth-throttles.js';
import { clientAddress } from '../limits/client-address.js';
import type { RestDeps } from './dialect.js';
import type { RestRequest } from './rest-request.js';

/*
 * Who a REST request comes from, for the throttles on presenting a password or an API key:
 * the client's address (src/limits/client-address.ts) and the process's throttles.
 */

/** For a password login (src/domain/apps/password-login.service.ts). */
export function loginClient(rest: RestRequest, deps: RestDeps): LoginClient {
  const throttles = authThrottlesOf(deps);
  return { address: clientAddress(rest.request, throttles.trustedProxies), throttle: throttles.login };
}

/** For credentials on a request (src/auth/authenticate-client.ts). */
export function credentialClient(rest: RestRequest, deps: RestDeps): CredentialClient {
  const throttles = authThrottlesOf(deps);
  return { address: clientAddress(rest.request, throttles.trustedProxies), throttle: throttles.credentials };
}

const fallbacks = new WeakMap<RestDeps, AuthThrottles>();

/** createRestRoutes always sets them; a handler called some other way still counts, once per deps. */
function authThrottlesOf(deps: RestDeps): AuthThrottles {
  if (deps.authThrottles) return deps.authThrottles;
  let made = fallbacks.get(deps);
  if (!made) fallbacks.set(deps, (made = defaultAuthThrottles()));
  return made;
}
