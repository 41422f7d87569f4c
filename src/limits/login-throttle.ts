import type { Config } from '../config.js';
import type { LoginThrottle } from '../domain/apps/password-login.service.js';
import { UNKNOWN_PEER } from './client-address.js';
import { createRateLimiter, type RateLimitStore } from './rate-limiter.js';

/*
 * Password guessing (every password login: Rocket.Chat's, Virola's, any later one goes
 * through src/domain/apps/password-login.service.ts), refused before any hash is computed:
 * - per client address: LOGIN_MAX_ATTEMPTS_PER_IP attempts, right or wrong, per
 *   LOGIN_IP_WINDOW_SECONDS (password spraying over many accounts);
 * - per account: after LOGIN_MAX_FAILURES failures within LOGIN_FAILURE_WINDOW_SECONDS,
 *   every attempt is refused until the window ends, the right password included (else a
 *   429 on wrong guesses and a 200 on the right one would still tell the guesser). A
 *   success clears the account's failures.
 * Refusals are RateLimitedError: 429 with Retry-After in each dialect's shape.
 */

export type LoginThrottleConfig = Pick<
  Config,
  | 'LOGIN_MAX_FAILURES'
  | 'LOGIN_FAILURE_WINDOW_SECONDS'
  | 'LOGIN_MAX_ATTEMPTS_PER_IP'
  | 'LOGIN_IP_WINDOW_SECONDS'
>;

export function createLoginThrottle(config: LoginThrottleConfig, store: RateLimitStore): LoginThrottle {
  const perAddress = createRateLimiter(
    'login-attempts-per-ip',
    { points: config.LOGIN_MAX_ATTEMPTS_PER_IP, durationSeconds: config.LOGIN_IP_WINDOW_SECONDS },
    store,
  );
  const perAccount = createRateLimiter(
    'login-failures',
    { points: config.LOGIN_MAX_FAILURES, durationSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS },
    store,
  );
  return {
    // A call made in-process (tests, tools) has no peer to count by; every request through the HTTP server has one.
    attempt: (address) => (address === UNKNOWN_PEER ? Promise.resolve() : perAddress.consume(address)),
    checkAccount: (account) => perAccount.check(account),
    failed: (account) => perAccount.consume(account),
    succeeded: (account) => perAccount.reset(account),
  };
}
