import { randomUUID } from 'node:crypto';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { getOperationAST, Kind, type ExecutionArgs } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { RouteHandler } from '../http/routes.js';
import { authenticate } from '../auth/authenticate.js';
import { authenticateClient, type CredentialClient } from '../auth/authenticate-client.js';
import { readCredentials, type Credentials } from '../auth/credentials.js';
import { createRequestContext } from '../domain/context.js';
import type { Db } from '../db/create-database.js';
import { DeadlineExceededError, withinDeadline } from '../db/request-deadline.js';
import { asExpectedError, isDomainError, RETRY_AFTER_SECONDS } from '../domain/errors.js';
import type { AvatarLimits } from '../domain/rooms/avatar-limits.js';
import { DEFAULT_CLIENT_TOKEN_TTL_SECONDS } from '../domain/platform/platform.service.js';
import type { Viewer } from '../domain/viewer.js';
import type { Logger } from '../logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { GraphQLContext } from './builder.js';
import { graphqlCors, useCrossSiteGuard } from './cross-site.js';
import { deadlineError, maskError, toGraphQLError, useDomainErrors } from './errors.js';
import { DEFAULT_GRAPHQL_EXPOSURE, exposurePlugins, type GraphQLExposure } from './exposure.js';
import { GRAPHIQL_DEFAULT_DOCUMENT, GRAPHIQL_TITLE } from './graphiql-examples.js';
import { DEFAULT_GRAPHQL_LIMITS, useRequestLimits, type GraphQLLimits } from './request-limits.js';
import { NO_LIMITS, type Limits } from '../limits/limits.js';
import { defaultAuthThrottles, type AuthThrottles } from '../limits/auth-throttles.js';
import { clientAddress } from '../limits/client-address.js';
import { useGraphQLResponseStatus } from './response-status.js';
import { schema } from './schema.js';
import { useUntrustedInputGuard } from './untrusted-input.js';
import { isClientDisconnect } from '../http/client-disconnect.js';

export const GRAPHQL_ENDPOINT = '/graphql';

export interface GraphQLServerDeps {
  db: Db;
  log: Logger;
  /** The process's event bus: services publish to it, subscriptions listen on it. */
  events?: EventBus;
  /** Lifetime of client tokens issued without one (TOKEN_TTL_SECONDS); default 30 days. */
  tokenTtlSeconds?: number;
  /** What one operation may ask for (GRAPHQL_MAX_*); default the configuration's defaults. */
  limits?: GraphQLLimits;
  /** Introspection, "Did you mean" hints, GraphiQL (GRAPHQL_INTROSPECTION, GRAPHQL_SUGGESTIONS, GRAPHIQL); default all on. */
  exposure?: GraphQLExposure;
  /** The process's write rates and subscription caps (src/limits/limits.ts); default none. */
  rateLimits?: Limits;
  /** Origins whose pages may use the session cookie (CORS_ORIGINS); default none but this server's own. */
  corsOrigins?: readonly string[];
  /** How large an uploaded avatar may be (AVATAR_MAX_BYTES, AVATAR_MAX_DIMENSION); default the configuration's defaults. */
  avatarLimits?: AvatarLimits;
  /** The process's throttles on wrong API keys (src/limits/auth-throttles.ts); default: the default settings, in memory. */
  authThrottles?: AuthThrottles;
}

/** What the host (the app's fetch handler) hands yoga with each request. */
export interface GraphQLServerContext {
  requestId?: string;
}

export type GraphQLServer = YogaServerInstance<GraphQLServerContext, GraphQLContext>;

/** Authenticates the request's credentials, if any; wrong ones end the request with 401 UNAUTHENTICATED. */
async function viewerOf(
  db: Db,
  credentials: Credentials | null,
  client: CredentialClient,
): Promise<Viewer | null> {
  if (!credentials) return null;
  try {
    return await authenticateClient(db, credentials, client);
  } catch (error) {
    const expected = asExpectedError(error);
    throw expected ? toGraphQLError(expected) : error;
  }
}

/** Asks again whether credentials that were good still are (a revoked or expired token is not). */
function recheck(db: Db, credentials: Credentials | null): () => Promise<boolean> {
  if (!credentials) return () => Promise.resolve(true);
  return () =>
    authenticate(db, credentials).then(
      () => true,
      (error: unknown) => (isDomainError(error) ? false : Promise.reject(error)),
    );
}

function yogaLogger(log: Logger): YogaLogger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      // A client that went away (an aborted request or stream) is ordinary: debug, not error.
      if (first instanceof Error && isClientDisconnect(first, true))
        log.debug({ err: first }, 'graphql-yoga');
      else if (first instanceof Error) log[level]({ err: first }, 'graphql-yoga');
      else log[level]({ details: rest }, typeof first === 'string' ? first : 'graphql-yoga');
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * Queries run through graphql-jit: compiled once per document, they cost less CPU than the
 * interpreter, ~18% on a room list, ~35% on a message page, ~7% on one room (A/B pairs of
 * bench:profile, bench/README.md). Not for mutations and
 * subscriptions (graphql-jit's subscription support does not cover ours), not for
 * documents with several operations (the plugin caches one compilation per document,
 * whatever operationName asks for), and not when variables do not coerce: the
 * interpreter reports those with the scalar's own message.
 */
function jitApplies(args: ExecutionArgs): boolean {
  const operations = args.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = getOperationAST(args.document, args.operationName);
  if (operations.length !== 1 || operation?.operation !== 'query') return false;
  const coerced = getVariableValues(
    args.schema,
    operation.variableDefinitions ?? [],
    args.variableValues ?? {},
  );
  return coerced.errors === undefined;
}

/** The GraphQL server: schema, per-request context, error presentation and the offline GraphiQL page. */
export function createGraphQLServer(deps: GraphQLServerDeps): GraphQLServer {
  const throttles = deps.authThrottles ?? defaultAuthThrottles();
  return createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: async ({ request, requestId }) => {
      const credentials = readCredentials(request);
      // No credentials: the client's address has a budget (ANONYMOUS_RATE_LIMIT).
      if (!credentials) await (deps.rateLimits ?? NO_LIMITS).anonymous.consume(request);
      return {
        ...createRequestContext({
          db: deps.db,
          viewer: await viewerOf(deps.db, credentials, {
            address: clientAddress(request, throttles.trustedProxies),
            throttle: throttles.credentials,
          }),
          requestId: requestId ?? randomUUID(),
          log: deps.log,
          ...(deps.events && { events: deps.events }),
          writeLimits: (deps.rateLimits ?? NO_LIMITS).writes,
          ...(deps.avatarLimits && { avatarLimits: deps.avatarLimits }),
        }),
        tokenTtlSeconds: deps.tokenTtlSeconds ?? DEFAULT_CLIENT_TOKEN_TTL_SECONDS,
        stillAuthenticated: recheck(deps.db, credentials),
        subscriptionSlots: (deps.rateLimits ?? NO_LIMITS).subscriptions,
      };
    },
    plugins: [
      useCrossSiteGuard(deps.corsOrigins ?? []),
      useDomainErrors(),
      useGraphQLResponseStatus(),
      ...exposurePlugins(deps.exposure ?? DEFAULT_GRAPHQL_EXPOSURE),
      useUntrustedInputGuard(),
      useRequestLimits(deps.limits ?? DEFAULT_GRAPHQL_LIMITS),
      useGraphQlJit({}, { enableIf: jitApplies }),
    ],
    maskedErrors: { maskError },
    logging: yogaLogger(deps.log),
    // Credentials also travel as a session cookie: only trusted origins' pages may read answers made with it.
    cors: graphqlCors(deps.corsOrigins ?? []),
    renderGraphiQL,
    graphiql: (deps.exposure ?? DEFAULT_GRAPHQL_EXPOSURE).graphiql && {
      title: GRAPHIQL_TITLE,
      defaultQuery: GRAPHIQL_DEFAULT_DOCUMENT,
    },
    landingPage: false,
    // The HTTP server reads bodies whole and refuses big ones (server.ts MAX_REQUEST_BYTES);
    // yoga's own limit wraps every request in a web TransformStream, a tenth of a small query's CPU.
    maxRequestBodySize: false,
  });
}

/** The answer when the request's deadline passes before yoga answers: a GraphQL error, HTTP 503. */
function deadlineResponse(error: DeadlineExceededError): Response {
  return new Response(JSON.stringify({ errors: [deadlineError(error)] }), {
    status: 503,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(RETRY_AFTER_SECONDS),
    },
  });
}

/** An answer nobody will read (its request's deadline passed first): a stream's end closes its subscription. */
function cancelBody(late: Response): void {
  late.body?.cancel().catch(() => undefined);
}

/** The app's route for GraphQL: answers /graphql (queries, GraphiQL), lets everything else through. */
export function createGraphQLRoute(deps: GraphQLServerDeps): RouteHandler {
  const server = createGraphQLServer(deps);
  return async (request, url, { requestId }) => {
    if (url.pathname !== GRAPHQL_ENDPOINT && url.pathname !== `${GRAPHQL_ENDPOINT}/`) return undefined;
    try {
      return await withinDeadline(Promise.resolve(server.fetch(request, { requestId })), cancelBody);
    } catch (error) {
      if (error instanceof DeadlineExceededError) return deadlineResponse(error);
      throw error;
    }
  };
}
