import { z } from 'zod';

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
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(60 * 60 * 24 * 30),
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
  /** What one GraphQL operation may ask for, checked before it runs (src/graphql/request-limits.ts). */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(1).default(1000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(50),
  GRAPHQL_MAX_ROOT_MUTATIONS: z.coerce.number().int().min(1).default(10),
  /** Nodes an answer may hold, from nested first/last (src/graphql/cost.ts). */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(10000),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment into a Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
