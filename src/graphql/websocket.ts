import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { OperationResult, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authenticateClient } from '../auth/authenticate-client.js';
import { readCredentials } from '../auth/credentials.js';
import { isTrustedOrigin } from '../auth/origin-policy.js';
import { loadConfig } from '../config.js';
import { DeadlineExceededError, runWithDeadline, withinDeadline } from '../db/request-deadline.js';
import {
  RateLimitedError,
  ServiceUnavailableError,
  UnauthenticatedError,
  asExpectedError,
} from '../domain/errors.js';
import type { UpgradeHandler } from '../http/routes.js';
import { deadlineError, operationError } from './errors.js';
import { NO_LIMITS } from '../limits/limits.js';
import { defaultAuthThrottles } from '../limits/auth-throttles.js';
import { incomingClientAddress, setClientAddress, type TrustedProxies } from '../limits/client-address.js';
import { tooManyOperations } from '../limits/subscription-slots.js';
import { GRAPHQL_ENDPOINT, createGraphQLServer, type GraphQLServerDeps } from './yoga.js';

/*
 * GraphQL over WebSocket (the graphql-ws protocol, subprotocol "graphql-transport-ws")
 * at /graphql, beside Server-Sent Events. Every operation runs through yoga's envelop
 * (the same schema, context factory, error presentation and masking as HTTP).
 *
 * Credentials: the headers of the upgrade request (cookies, Authorization), overridden
 * by the connection_init payload, which browsers use because they cannot set headers on
 * a WebSocket: { "Authorization": "Bearer <token>" }, { "IM-API-KEY": "sk_..." },
 * { "X-User-Id": ..., "X-Auth-Token": ... }, flat or under "headers". Wrong credentials
 * close the socket with 4403; each operation authenticates again, so a revoked token
 * cannot start new ones. A socket that relies on the session cookie must come from a
 * trusted origin (CORS_ORIGINS, or this server's own: src/auth/origin-policy.ts), else any
 * site's page could open one as its user: 4403 too. The verdict waits for connection_init,
 * since a token there makes the cookie irrelevant (and any origin fine).
 */

type ConnectionParams = Record<string, unknown>;

interface EnvelopRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
const HEADER_VALUE = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;
const CLOSE_GRACE_MS = 1000;
const FOREIGN_ORIGIN = 'Forbidden: the session cookie is not accepted from this origin';

/** Whether the page that opened the socket may use the cookie (no Origin: not a browser). */
function isTrustedUpgrade(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  return origin === undefined || isTrustedOrigin(origin, request.headers.host, corsOrigins);
}

/**
 * The upgrade request's headers, overridden by the string values of the connection params;
 * its client address is the upgrade's (no connection param can claim one).
 */
function requestOf(extra: Extra, params: ConnectionParams | undefined, trusted: TrustedProxies): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(extra.request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const nested = params?.['headers'];
  const sources = [
    params,
    typeof nested === 'object' && nested !== null ? (nested as ConnectionParams) : undefined,
  ];
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) {
      if (typeof value === 'string' && /^[\w-]+$/.test(name)) {
        // A value no HTTP header can carry (NUL, CR/LF, non-Latin-1) is no credential: the connection is refused.
        if (!HEADER_VALUE.test(value)) throw new UnauthenticatedError(`Invalid ${name} in connection_init`);
        headers.set(name, value);
      }
    }
  }
  // POST: yoga refuses mutations in GET requests, and an operation on a socket is no GET (no link can trigger it).
  const request = new Request(new URL(extra.request.url ?? GRAPHQL_ENDPOINT, 'http://websocket.local'), {
    method: 'POST',
    headers,
  });
  setClientAddress(request, incomingClientAddress(extra.request, trusted));
  return request;
}

/**
 * A socket operation's result under a request deadline, or SERVICE_UNAVAILABLE when it
 * passes first (the pool cancels the rest, and nothing of it starts afterwards). A
 * subscription's deadline covers only its setup: once it is listening, the deadline is
 * lifted so that its events' reads run.
 */
async function answerWithinDeadline<T>(
  timeoutMs: number,
  work: () => T | Promise<T>,
  isStream: (answer: T) => boolean = () => false,
): Promise<T | { errors: GraphQLError[] }> {
  return runWithDeadline(timeoutMs, async (deadline) => {
    try {
      const answer = await withinDeadline(Promise.resolve(work()), closeIfStream);
      if (isStream(answer)) deadline.at = undefined;
      return answer;
    } catch (error) {
      if (error instanceof DeadlineExceededError) return { errors: [deadlineError(error)] };
      throw error;
    }
  });
}

const isAsyncIterable = (value: unknown): value is AsyncIterableIterator<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** A subscription whose setup finished after its deadline: nobody listens, so it ends at once. */
function closeIfStream(late: unknown): void {
  if (isAsyncIterable(late)) void late.return?.().catch(() => undefined);
}

/** Handles WebSocket upgrades to /graphql for the node:http server (server.ts). */
export function createGraphQLWebSocketHandler(
  deps: GraphQLServerDeps & { /** REQUEST_TIMEOUT_MS */ requestTimeoutMs?: number },
): UpgradeHandler {
  const timeoutMs = deps.requestTimeoutMs ?? loadConfig({}).REQUEST_TIMEOUT_MS;
  const throttles = deps.authThrottles ?? defaultAuthThrottles();
  const yoga = createGraphQLServer({ ...deps, authThrottles: throttles });
  const trusted = throttles.trustedProxies;
  const operationsPerSocket = (deps.rateLimits ?? NO_LIMITS).operationsPerSocket;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const server = useServer<ConnectionParams>(
    {
      onConnect: async (ctx) => {
        try {
          const request = requestOf(ctx.extra, ctx.connectionParams, trusted);
          const credentials = readCredentials(request);
          if (!credentials) return true; // anonymous: each operation answers UNAUTHENTICATED itself
          // The upgrade's own Origin, never one from connection_init (the page writes that).
          if (
            credentials.kind === 'session' &&
            !isTrustedUpgrade(ctx.extra.request, deps.corsOrigins ?? [])
          ) {
            ctx.extra.socket.close(4403, FOREIGN_ORIGIN);
            return false;
          }
          const client = {
            address: incomingClientAddress(ctx.extra.request, trusted),
            throttle: throttles.credentials,
          };
          const checked = await answerWithinDeadline(timeoutMs, () =>
            authenticateClient(deps.db, credentials, client),
          );
          if ('errors' in checked) throw new ServiceUnavailableError('Service unavailable: try again later');
          return true;
        } catch (error) {
          // The database is down: not the client's fault. 1013 Try Again Later, not 4403 Forbidden.
          if (asExpectedError(error)?.code === 'SERVICE_UNAVAILABLE')
            ctx.extra.socket.close(1013, 'Service unavailable: try again later');
          // Too many wrong API keys from this address: 4429, like graphql-ws's own "too many" closes.
          else if (error instanceof RateLimitedError) ctx.extra.socket.close(4429, error.message);
          return false; // 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, _id, payload: SubscribePayload) => {
        // graphql-ws lists the socket's running operations, this one included, until each ends.
        if (Object.keys(ctx.subscriptions).length > operationsPerSocket)
          return [operationError(tooManyOperations(operationsPerSocket))];
        const request = requestOf(ctx.extra, ctx.connectionParams, trusted);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          request,
          requestId: request.headers.get('x-request-id') ?? randomUUID(),
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Could not parse the document')];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        let contextValue;
        try {
          const made = await answerWithinDeadline(timeoutMs, () => contextFactory());
          if ('errors' in made) return made.errors;
          contextValue = made;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const rootValue: EnvelopRoot = { execute, subscribe };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
          rootValue,
        };
      },
      // An operation on a socket has the deadline of a request; a subscription's only until it is set up.
      execute: (args) => answerWithinDeadline(timeoutMs, () => (args.rootValue as EnvelopRoot).execute(args)),
      subscribe: (args) =>
        answerWithinDeadline(
          timeoutMs,
          () => (args.rootValue as EnvelopRoot).subscribe(args),
          isAsyncIterable,
        ),
    },
    wss,
  );

  let closing = false;
  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      const path = new URL(request.url ?? '/', 'http://websocket.local').pathname;
      if (closing || (path !== GRAPHQL_ENDPOINT && path !== `${GRAPHQL_ENDPOINT}/`)) {
        socket.end(
          `HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`,
        );
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    async close() {
      closing = true;
      // Closes every socket with 1001 Going Away; clients that do not answer the close are cut off.
      const disposed = Promise.resolve(server.dispose());
      const cutOff = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      try {
        await disposed;
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}
