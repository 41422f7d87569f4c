import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { RequestContext } from '../domain/context.js';
import type { SubscriptionSlots } from '../limits/subscription-slots.js';
import { EDGES_COST, FREE, connectionCost, fieldCost } from './cost.js';
import { decodeGlobalId, encodeGlobalId } from './global-ids.js';

/*
 * The SchemaBuilder and nothing else: plugins, scalars' TypeScript shapes, the context
 * type and the defaults. Fields are non-null unless a field says otherwise, as in
 * GitHub's schema; a field that can fail on its own (a room the viewer may not see)
 * is declared nullable where it is defined.
 */

/** A request's context plus the server settings resolvers apply as defaults. */
export type GraphQLContext = RequestContext & {
  /** Lifetime of a client token issued without one (the server's TOKEN_TTL_SECONDS). */
  tokenTtlSeconds: number;
  /**
   * Whether the credentials the request came with are still good (not revoked, not
   * expired): subscriptions ask before each event. Token lookups are cached (10 s).
   */
  stillAuthenticated: () => Promise<boolean>;
  /** The viewer's open subscriptions in this process: a subscription holds a slot while it is open. */
  subscriptionSlots: SubscriptionSlots;
};

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    /** An uploaded file (GraphQL multipart request); input only. */
    File: { Input: File; Output: never };
  };
  // Counting is a separate statement: connections hand over a thunk run only when asked for.
  Connection: { totalCount: () => number | Promise<number> };
}>({
  // Errors first: mutations return typed DomainErrors as union members (src/graphql/mutations/error-types.ts).
  plugins: [ErrorsPlugin, RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // Every field's cost in nodes (src/graphql/cost.ts); the limit is checked per request (request-limits.ts).
  complexity: { fieldComplexity: fieldCost },
  relay: {
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    firstArgOptions: { description: 'Returns the first n items after `after` (default 20, at most 100).' },
    afterArgOptions: { description: 'A cursor: returns items after it.' },
    lastArgOptions: { description: 'Returns the last n items before `before` (at most 100).' },
    beforeArgOptions: { description: 'A cursor: returns items before it.' },
    edgesFieldOptions: { nullable: false, complexity: EDGES_COST },
    nodeFieldOptions: { nullable: false, complexity: FREE },
    pageInfoFieldOptions: { complexity: FREE },
    defaultConnectionFieldOptions: { complexity: connectionCost },
    // node and nodes are defined in types/node.ts: the plugin's nodes() fails all ids when one fails.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});
