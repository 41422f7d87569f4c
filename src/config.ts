import { z } from 'zod';
import { parseRateSpec, parseRateSpecList } from './limits/rate-rule-syntax.js';
import { isWriteOperation } from './domain/write-operations.js';
import { parseOriginSetting } from './auth/origin-policy.js';
import { parseTrustedProxies } from './limits/client-address.js';
import { DEFAULT_CLIENT_TOKEN_TTL_SECONDS } from './domain/tokens/token-lifetime.js';

/** Every setting the process reads, from the environment, validated once at start. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(5000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15000),
  /** Run statements as named prepared statements (off behind PgBouncer in transaction mode before 1.21). */
  DB_PREPARED_STATEMENTS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10000),
  /** Every request's deadline: past it, a 503 (SERVICE_UNAVAILABLE) and its statement is cancelled. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(DEFAULT_CLIENT_TOKEN_TTL_SECONDS),
  /** How often `chat-bff serve` deletes tokens dead past the grace below (0 = never; `chat-bff token purge` does it by hand). */
  TOKEN_PURGE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** How long a revoked or expired token is kept before the purge deletes it. */
  TOKEN_PURGE_GRACE_SECONDS: z.coerce.number().int().min(0).default(86400),
  /**
   * Proxies whose X-Forwarded-For is believed (comma-separated IPs and CIDRs, IPv4 or IPv6,
   * e.g. "127.0.0.1,10.0.0.0/8"): the client is the right-most address in it that is not one
   * of them. Empty: the TCP peer is the client, whatever the header says (src/limits/client-address.ts).
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * Password logins (src/limits/login-throttle.ts): an account (app + the user, or the login name) is refused
   * (429) once it has this many failures within the window, the right password included,
   * until the window ends; a success clears its count.
   */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Login attempts (right or wrong) one client address may make per window; past it, 429. */
  LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(20),
  LOGIN_IP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Wrong API keys one client address may present per window; past it, that address's API
   * keys are refused (429) before any is looked up, until the window ends. Client tokens do not count.
   */
  AUTH_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Force the Secure flag on session cookies (it is also set for requests that arrived over TLS). */
  COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Path prefixes the REST dialects are mounted under ('' = at the documented paths). */
  IMKIT_PREFIX: z
    .string()
    .regex(/^(\/[\w.-]+)*$/, 'must be empty or like /imkit')
    .default(''),
  ROCKETCHAT_PREFIX: z
    .string()
    .regex(/^(\/[\w.-]+)*$/, 'must be empty or like /rocketchat')
    .default(''),
  VIROLA_PREFIX: z
    .string()
    .regex(/^(\/[\w.-]+)*$/, 'must be empty or like /virola')
    .default(''),
  /**
   * The app a password login (Rocket.Chat, Virola) signs in to when the request names none
   * (no X-App-Id / IM-CLIENT-KEY header) and the database holds more than one app.
   */
  DEFAULT_APP_ID: z.string().min(1).optional(),
  /**
   * Browser origins (comma-separated, e.g. https://app.example.com) whose pages may use the
   * session cookie and get CORS answers with credentials; this server's own origin (Origin's
   * host = the Host header) always may. "*" is refused: any site could act as the user.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const entry of value.split(',').map((part) => part.trim())) {
        if (entry === '') continue;
        const origin = parseOriginSetting(entry);
        if (origin === null) {
          ctx.addIssue({
            code: 'custom',
            message:
              entry === '*'
                ? '"*" is not allowed: any site could use the session cookie; list the origins'
                : `${JSON.stringify(entry)} is not an origin like https://app.example.com`,
          });
          return z.NEVER;
        }
        origins.push(origin);
      }
      return origins;
    }),
  /**
   * Rate limits and subscription caps (src/limits/): false turns every one of them off (benches, load tests).
   * Failed-login limits are not affected.
   */
  RATE_LIMITS_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * Overrides of the write limits' defaults (src/limits/write-limits.ts), per operation:
   * `sendMessage=60/60s+10` per user, `sendMessage@app=6000/60s+1000` per app, `off` for none.
   */
  RATE_LIMITS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseRateSpecList(value, isWriteOperation);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Subscriptions (SSE and WebSocket together) one user, or the app's API key, may hold open in one instance. */
  SUBSCRIPTIONS_PER_USER: z.coerce.number().int().min(1).default(20),
  SUBSCRIPTIONS_PER_API_KEY: z.coerce.number().int().min(1).default(200),
  /** Operations one WebSocket may have running at once (open subscriptions included). */
  SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(50),
  /** Requests without any credentials, per client address (see TRUSTED_PROXIES): RATE/WINDOW[+BURST]. */
  ANONYMOUS_RATE_LIMIT: z
    .string()
    .default('300/60s')
    .transform((value, ctx) => {
      try {
        return parseRateSpec(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * Largest room avatar upload, in bytes (src/domain/rooms/avatar.ts). At most 3 MiB: the
   * multipart request carrying it must fit in the HTTP server's body limit (4 MiB,
   * MAX_REQUEST_BYTES in src/server.ts), which refuses bigger requests before they are read.
   */
  AVATAR_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(3 * 1024 * 1024)
    .default(1024 * 1024),
  /** Largest avatar width and height, in pixels: a small file may declare a huge canvas (a decompression bomb). */
  AVATAR_MAX_DIMENSION: z.coerce.number().int().min(16).max(16384).default(4096),
  /** What one GraphQL operation may ask for, checked before it runs (src/graphql/request-limits.ts). */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).default(1000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(50),
  GRAPHQL_MAX_ROOT_MUTATIONS: z.coerce.number().int().min(1).default(10),
  /** Nodes an answer may hold, from nested first/last (src/graphql/cost.ts). */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(10000),
  /**
   * Production switches (default on; NODE_ENV=production makes the default off, see
   * PRODUCTION_DEFAULTS): schema introspection (__schema, __type), "Did you mean ...?" in
   * error messages, and the GraphiQL page on GET /graphql.
   */
  GRAPHQL_INTROSPECTION: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  GRAPHQL_SUGGESTIONS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  GRAPHIQL: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (401 without it). */
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  /** When set, /metrics is served on this port (on HOST) instead of the main one. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

/** Defaults that NODE_ENV=production changes; a variable that is set still wins. */
const PRODUCTION_DEFAULTS = {
  GRAPHQL_INTROSPECTION: 'false',
  GRAPHQL_SUGGESTIONS: 'false',
  GRAPHIQL: 'false',
};

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment into a Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse({
    ...(env['NODE_ENV'] === 'production' && PRODUCTION_DEFAULTS),
    ...present,
  });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
