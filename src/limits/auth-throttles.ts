import { loadConfig, type Config } from '../config.js';
import { createCredentialThrottle, type CredentialThrottle } from './credential-throttle.js';
import type { LoginThrottle } from '../domain/apps/password-login.service.js';
import { createLoginThrottle } from './login-throttle.js';
import type { TrustedProxies } from './client-address.js';
import type { RateLimitStore } from './rate-limiter.js';

/*
 * The throttles on presenting a secret (a password, an API key), built once per process on
 * its rate-limit store (src/main.ts) and shared by the HTTP routes and the WebSocket server,
 * so one address has one budget. Not switched off by RATE_LIMITS_ENABLED.
 */

export interface AuthThrottles {
  login: LoginThrottle;
  credentials: CredentialThrottle;
  /** Whose X-Forwarded-For names the client (TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
}

export type AuthThrottlesConfig = Pick<
  Config,
  | 'LOGIN_MAX_FAILURES'
  | 'LOGIN_FAILURE_WINDOW_SECONDS'
  | 'LOGIN_MAX_ATTEMPTS_PER_IP'
  | 'LOGIN_IP_WINDOW_SECONDS'
  | 'AUTH_MAX_FAILURES_PER_IP'
  | 'AUTH_FAILURE_WINDOW_SECONDS'
  | 'TRUSTED_PROXIES'
>;

export function createAuthThrottles(config: AuthThrottlesConfig, store: RateLimitStore): AuthThrottles {
  return {
    login: createLoginThrottle(config, store),
    credentials: createCredentialThrottle(config, store),
    trustedProxies: config.TRUSTED_PROXIES,
  };
}

/** The throttles with the default settings, counted in this process (for a server built without them). */
export function defaultAuthThrottles(): AuthThrottles {
  return createAuthThrottles(loadConfig({}), { kind: 'memory' });
}
