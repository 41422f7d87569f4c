import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult, maskError as maskYogaError, type Plugin } from 'graphql-yoga';
import {
  asExpectedError,
  deadlinePassed,
  RateLimitedError,
  RETRY_AFTER_SECONDS,
  ServiceUnavailableError,
  type DomainError,
} from '../domain/errors.js';
import type { GraphQLContext } from './builder.js';
import { withLocations } from './error-locations.js';
import { rateLimitHeaders } from '../limits/rate-limit-headers.js';
import type { DeadlineExceededError } from '../db/request-deadline.js';

/*
 * Services throw typed DomainErrors; GraphQL clients get them as errors with
 * extensions.code (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, CONFLICT,
 * RATE_LIMITED with retryAfter, SERVICE_UNAVAILABLE with retryAfter) and,
 * where the service gave one, extensions.reason and extensions.field. Anything else is a
 * bug: logged with the request id and replaced by "Unexpected error." (code
 * INTERNAL_SERVER_ERROR, with the request id to quote). Yoga's own masking stays on
 * behind this, for errors outside execution.
 */

const UNEXPECTED = 'Unexpected error.';

function domainExtensions(error: DomainError): Record<string, unknown> {
  return {
    code: error.code,
    ...(error.reason !== undefined && { reason: error.reason }),
    ...(error.field !== undefined && { field: error.field }),
    ...(error instanceof ServiceUnavailableError && { retryAfter: error.retryAfterSeconds }),
    ...(error instanceof RateLimitedError && {
      retryAfter: error.retryAfterSeconds,
      rateLimit: { policy: error.limit.policy, limit: error.limit.limit, window: error.limit.windowSeconds },
    }),
  };
}

/** The HTTP status and headers yoga should answer with when `error` stopped the whole operation. */
function httpOf(error: DomainError): { status: number; headers: Record<string, string> } | undefined {
  if (error.code === 'UNAUTHENTICATED') return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
  if (error instanceof ServiceUnavailableError)
    return { status: 503, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  if (error instanceof RateLimitedError) return { status: 429, headers: rateLimitHeaders(error.limit) };
  return undefined;
}

/** A GraphQL error for a DomainError; `at` gives the path and locations when it came from a field. */
export function toGraphQLError(error: DomainError, at?: GraphQLError): GraphQLError {
  const http = at ? undefined : httpOf(error);
  return new GraphQLError(error.message, {
    ...(at && {
      nodes: at.nodes ?? null,
      source: at.source ?? null,
      positions: at.positions ?? null,
      path: at.path ?? null,
    }),
    extensions: {
      ...domainExtensions(error),
      // Yoga turns this into the response status (and drops it from the body).
      ...(http && { http }),
    },
  });
}

/** A DomainError as the error of one WebSocket operation (no HTTP status: the socket stays open). */
export function operationError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { extensions: domainExtensions(error) });
}

/**
 * The error for a request whose deadline passed before it was answered (the routes'
 * 503, a WebSocket operation): SERVICE_UNAVAILABLE, reason DEADLINE_EXCEEDED, retryAfter.
 */
export function deadlineError(error: DeadlineExceededError): GraphQLError {
  const unavailable = deadlinePassed(error);
  return new GraphQLError(unavailable.message, { extensions: domainExtensions(unavailable) });
}

/** The error a client sees for one error of an execution result. */
function presentError(error: GraphQLError, ctx: GraphQLContext): GraphQLError {
  const original = error.originalError;
  if (!original || original instanceof GraphQLError) return error; // validation, coercion, our own
  const expected = asExpectedError(original);
  if (expected) {
    if (expected instanceof ServiceUnavailableError)
      ctx.log.warn(
        { err: original, path: error.path },
        'a GraphQL field failed: the database is unavailable',
      );
    return toGraphQLError(expected, error);
  }
  ctx.log.error({ err: original, path: error.path }, 'unexpected error while executing a GraphQL operation');
  return new GraphQLError(UNEXPECTED, {
    nodes: error.nodes ?? null,
    path: error.path ?? null,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: ctx.requestId },
  });
}

/** Whether nothing of the operation could run, and an error with `code` is why. */
function wholeOperationFailed(result: ExecutionResult, code: string): boolean {
  const failed = result.errors?.some((e) => e.extensions['code'] === code) ?? false;
  const data = result.data;
  return failed && (data == null || Object.values(data).every((value) => value === null));
}

function presentResult(
  result: ExecutionResult,
  ctx: GraphQLContext,
  operation: { document: DocumentNode; operationName?: string | null | undefined },
): ExecutionResult {
  if (!result.errors?.length) return result;
  const presented: ExecutionResult = {
    ...result,
    errors: result.errors.map((e) =>
      presentError(withLocations(e, operation.document, operation.operationName), ctx),
    ),
  };
  if (ctx.viewer === null && wholeOperationFailed(presented, 'UNAUTHENTICATED')) {
    presented.extensions = {
      ...presented.extensions,
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    };
  } else if (wholeOperationFailed(presented, 'RATE_LIMITED')) {
    const limited = result.errors.map((e) => e.originalError).find((e) => e instanceof RateLimitedError);
    if (limited) presented.extensions = { ...presented.extensions, http: httpOf(limited) };
  } else if (wholeOperationFailed(presented, 'SERVICE_UNAVAILABLE')) {
    // Nothing was answered because the database could not be reached: a 503 tells clients and proxies to retry.
    presented.extensions = {
      ...presented.extensions,
      http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    };
  }
  return presented;
}

/** The envelop plugin that presents every execution and subscription result. */
export function useDomainErrors(): Plugin<GraphQLContext> {
  return {
    onExecute() {
      return {
        onExecuteDone: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult, args }) => {
            setResult(presentResult(result, args.contextValue, args));
          }),
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult: (payload) =>
          handleStreamOrSingleExecutionResult(payload, ({ result, setResult, args }) => {
            setResult(presentResult(result, args.contextValue, args));
          }),
      };
    },
  };
}

/** Yoga's error masking, taught DomainErrors: for errors raised outside execution (context, subscribe). */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const expected = asExpectedError(original);
  if (expected) return toGraphQLError(expected, error instanceof GraphQLError ? error : undefined);
  return maskYogaError(error, message, isDev);
}
