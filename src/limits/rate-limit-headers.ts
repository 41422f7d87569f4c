import type { RateLimitInfo } from '../domain/errors.js';

/**
 * The headers of a refused request: Retry-After (RFC 9110) and the IETF RateLimit
 * fields (draft-ietf-httpapi-ratelimit-headers-08, as express-rate-limit's "draft-8"
 * sends them): `RateLimit-Policy: "send-message";q=30;w=60` and
 * `RateLimit: "send-message";r=0;t=12`.
 */
export function rateLimitHeaders(limit: RateLimitInfo): Record<string, string> {
  const name = JSON.stringify(limit.policy);
  return {
    'retry-after': String(limit.retryAfterSeconds),
    'ratelimit-policy': `${name};q=${limit.limit};w=${limit.windowSeconds}`,
    ratelimit: `${name};r=0;t=${limit.retryAfterSeconds}`,
  };
}
