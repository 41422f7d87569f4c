import { randomUUID } from 'node:crypto';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { getOperationAST, Kind, type ExecutionArgs } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { RouteHandler } from '../app.js';
import { authenticate } from '../auth/authenticate.js';
import { readCredentials, type Credentials } from '../auth/credentials.js';
import { createRequestContext } from '../context.js';
import type { Db } from '../db/create-database.js';
import { DeadlineExceededError, withinDeadline } from '../db/request-deadline.js';
import { asExpectedError, isDomainError, RETRY_AFTER_SECONDS } from '../domain/errors.js';
import { DEFAULT_CLIENT_TOKEN_TTL_SECONDS } from '../domain/platform/platform.service.js';
import type { Viewer } from '../domain/viewer.js';
import type { Logger } from '../logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { GraphQLContext } from './builder.js';
import { deadlineError, maskError, toGraphQLError, useDomainErrors } from './errors.js';
import { GRAPHIQL_DEFAULT_DOCUMENT, GRAPHIQL_TITLE } from './graphiql-examples.js';
import { DEFAULT_GRAPHQL_LIMITS, useRequestLimits, type GraphQLLimits } from './request-limits.js';
import { schema } from './schema.js';
import { useUntrustedInputGuard } from './untrusted-input.js';

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
}

/** What the host (the app's fetch handler) hands yoga with each request. */
export interface GraphQLServerContext {
  requestId?: string;
}

export type GraphQLServer = YogaServerInstance<GraphQLServerContext, GraphQLContext>;

/** Authenticates the request's credentials, if any; wrong ones end the request with 401 UNAUTHENTICATED. */
async function viewerOf(db: Db, credentials: Credentials | null): Promise<Viewer | null> {
  if (!credentials) return null;
  try {
    return await authenticate(db, credentials);
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
      if (first instanceof Error) log[level]({ err: first }, 'graphql-yoga');
      else log[level]({ details: rest }, typeof first === 'string' ? first : 'graphql-yoga');
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * Queries run through graphql-jit: compiled once per document, they cost about 40% less
 * CPU than the interpreter on a room list (bench/README.md). Not for mutations and
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
  return createYoga<GraphQLServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: async ({ request, requestId }) => {
      const credentials = readCredentials(request);
      return {
        ...createRequestContext({
          db: deps.db,
          viewer: await viewerOf(deps.db, credentials),
          requestId: requestId ?? randomUUID(),
          log: deps.log,
          ...(deps.events && { events: deps.events }),
        }),
        tokenTtlSeconds: deps.tokenTtlSeconds ?? DEFAULT_CLIENT_TOKEN_TTL_SECONDS,
        stillAuthenticated: recheck(deps.db, credentials),
      };
    },
    plugins: [
      useDomainErrors(),
      useUntrustedInputGuard(),
      useRequestLimits(deps.limits ?? DEFAULT_GRAPHQL_LIMITS),
      useGraphQlJit({}, { enableIf: jitApplies }),
    ],
    maskedErrors: { maskError },
    logging: yogaLogger(deps.log),
    // Credentials also travel as a session cookie: other sites' pages must not read answers made with it.
    cors: { credentials: false },
    renderGraphiQL,
    graphiql: { title: GRAPHIQL_TITLE, defaultQuery: GRAPHIQL_DEFAULT_DOCUMENT },
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

/** The app's route for GraphQL: answers /graphql (queries, GraphiQL), lets everything else through. */
export function createGraphQLRoute(deps: GraphQLServerDeps): RouteHandler {
  const server = createGraphQLServer(deps);
  return async (request, url, { requestId }) => {
    if (url.pathname !== GRAPHQL_ENDPOINT && url.pathname !== `${GRAPHQL_ENDPOINT}/`) return undefined;
    try {
      return await withinDeadline(Promise.resolve(server.fetch(request, { requestId })));
    } catch (error) {
      if (error instanceof DeadlineExceededError) return deadlineResponse(error);
      throw error;
    }
  };
}
