import type { Logger } from './logger.js';

/*
 * The shape of the HTTP surface, apart from the app that assembles it: app.ts, the
 * GraphQL endpoint and the REST dialects all speak these types, so they live here
 * instead of in app.ts (which imports the routes, and so cannot be imported by them).
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
