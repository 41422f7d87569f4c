import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';

/*
 * The shape of the HTTP surface, apart from what assembles it: app.ts, the GraphQL
 * endpoint, the REST dialects, the node:http adapter (server.ts) and the WebSocket
 * server all speak these types, so they live here instead of in app.ts or server.ts
 * (which import the handlers, and so cannot be imported by them).
 * Each route handler looks at the request and either answers it or returns undefined
 * to let the next one try.
 */

/** What every route handler gets besides the request: the request's id and its logger. */
export interface RouteContext {
  requestId: string;
  log: Logger;
}

export type RouteHandler = (
  request: Request,
  url: URL,
  context: RouteContext,
) => Promise<Response | undefined> | Response | undefined;

export type FetchHandler = (request: Request) => Promise<Response>;

/** What answers HTTP upgrade requests: it owns those sockets from then on, and closes them on shutdown. */
export interface UpgradeHandler {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every upgraded connection; resolves when they are gone. */
  close(): Promise<void>;
}
