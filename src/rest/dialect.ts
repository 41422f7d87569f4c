import type { Config } from '../config.js';
import type { Db } from '../db/create-database.js';
import type { EventPublisher } from '../realtime/events.js';
import type { WriteLimits } from '../domain/write-operations.js';
import type { AnonymousLimit } from '../limits/anonymous-limit.js';
import type { AuthThrottles } from '../limits/auth-throttles.js';
import type { RestRequest } from './rest-request.js';
import type { HttpMethod, Route } from './router.js';
import type { OperationDoc } from './openapi-types.js';

/** What the REST dialects need from the process: the database and a few settings. */
export type RestConfig = Pick<
  Config,
  | 'IMKIT_PREFIX'
  | 'ROCKETCHAT_PREFIX'
  | 'VIROLA_PREFIX'
  | 'COOKIE_SECURE'
  | 'TOKEN_TTL_SECONDS'
  | 'DEFAULT_APP_ID'
  | 'CORS_ORIGINS'
>;

export interface RestDeps {
  db: Db;
  config: RestConfig;
  /** Where writes are announced (the process's event bus); without it they go nowhere. */
  events?: EventPublisher;
  /** The process's write limits (src/limits/write-limits.ts); without them, none. */
  writeLimits?: WriteLimits;
  /** Requests without credentials, per client address (src/limits/anonymous-limit.ts); without it, none. */
  anonymousLimit?: AnonymousLimit;
  /** The process's login and API-key throttles (src/limits/auth-throttles.ts); createRestRoutes makes defaults without them. */
  authThrottles?: AuthThrottles;
}

export type RestHandler = (rest: RestRequest, deps: RestDeps) => Promise<Response>;

export interface DialectRoute extends Route<RestHandler> {
  /**
   * For a path another dialect serves too (Rocket.Chat and Virola share /api/v1/login and
   * /api/v1/logout): whether this request is clearly this dialect's.
   */
  claims?: (rest: RestRequest) => Promise<boolean>;
  /** How /openapi.json describes this operation. */
  doc: OperationDoc;
}

export type DialectName = 'imkit' | 'rocketchat' | 'virola';

export interface Dialect {
  name: DialectName;
  /** The configured path prefix ('' = the documented paths). */
  prefix(config: RestConfig): string;
  routes: readonly DialectRoute[];
  /** Any error as this dialect's error response; unexpected ones are logged and masked. */
  errorResponse(error: unknown, rest: RestRequest): Response;
  methodNotAllowed(allowed: readonly HttpMethod[], rest: RestRequest): Response;
}
