/*
 * A tiny method + path router for the REST dialects: patterns like
 * "/rooms/:id/messages/v3", matched segment by segment. Nothing else: each dialect
 * brings its own handlers and error shape.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route<H> {
  method: HttpMethod;
  /** "/rooms/:id": a ":name" segment captures one path segment. */
  path: string;
  handler: H;
}

export type RouteMatch<R> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'none' };

interface CompiledRoute<R> {
  route: R;
  segments: string[];
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape stays as sent; the handler's validation rejects it
  }
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const actual = path[i] as string;
    if (expected.startsWith(':')) params[expected.slice(1)] = decodeSegment(actual);
    else if (expected !== actual) return null;
  }
  return params;
}

export interface RouteTable<R> {
  readonly routes: readonly R[];
  match(method: string, path: string): RouteMatch<R>;
}

export function createRouteTable<R extends Route<unknown>>(routes: readonly R[]): RouteTable<R> {
  const compiled: CompiledRoute<R>[] = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  return {
    routes,
    match(method, path) {
      const segments = splitPath(path);
      const allowed: HttpMethod[] = [];
      for (const entry of compiled) {
        const params = matchSegments(entry.segments, segments);
        if (!params) continue;
        if (entry.route.method === method) return { kind: 'found', route: entry.route, params };
        allowed.push(entry.route.method);
      }
      return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'none' };
    },
  };
}

/** The part of `pathname` below `prefix` ('' mounts at the root), or null when outside it. */
export function stripPrefix(pathname: string, prefix: string): string | null {
  if (prefix === '') return pathname;
  if (pathname === prefix) return '/';
  return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : null;
}
