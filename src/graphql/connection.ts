import type { Edge, Page } from '../domain/pagination.js';

/*
 * A domain page of edges as a Relay connection. totalCount is a thunk: its statement
 * runs only when a client selects the field.
 */

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: () => number | Promise<number>;
}

export function toConnection<T>(
  page: Page<Edge<T>>,
  totalCount: () => number | Promise<number>,
): Connection<T> {
  return {
    edges: page.rows,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.rows[0]?.cursor ?? null,
      endCursor: page.rows.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Relay connection arguments as Pothos hands them over (null when not given). */
export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

/** The Relay arguments in the shape relayPage takes. */
export function relayArgs(args: ConnectionArgs): {
  first: number | null;
  after: string | null;
  last: number | null;
  before: string | null;
} {
  return {
    first: args.first ?? null,
    after: args.after ?? null,
    last: args.last ?? null,
    before: args.before ?? null,
  };
}
