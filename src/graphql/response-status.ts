import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/*
 * GraphQL over HTTP: under `application/graphql-response+json`, an answer whose `data` is
 * not null MUST come with a 2xx. errors.ts gives an operation whose every root field failed
 * with UNAUTHENTICATED, RATE_LIMITED or SERVICE_UNAVAILABLE a 401, 429 or 503
 * (`{ viewer { userId } }` without credentials is `data: { viewer: null }`); legacy
 * `application/json` clients keep that status (they may rely on it). Only yoga knows which
 * media type it answers in, so once the response is built, one in the new media type that
 * carries data is set back to 200; an answer without data (a request error) keeps its status.
 */

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/** Requests whose result had data and a failure's status. */
const answeredWithData = new WeakSet<Request>();

export function useGraphQLResponseStatus(): Plugin {
  return {
    onResultProcess({ request, result }) {
      if (isAsyncIterable(result) || Array.isArray(result)) return;
      if (result.data != null && result.extensions?.http?.status !== undefined) answeredWithData.add(request);
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (!answeredWithData.has(request) || response.status === 200) return;
      if (!response.headers.get('content-type')?.startsWith(GRAPHQL_RESPONSE_JSON)) return;
      setResponse(new fetchAPI.Response(response.body, { status: 200, headers: response.headers }));
    },
  };
}
