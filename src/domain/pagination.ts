import { InvalidInputError } from './errors.js';

/*
 * One pagination model for every transport: keyset pages. A page request says how
 * many rows and from which cursor, forward (first/after) or backward (last/before);
 * the repository orders by the sort keys plus a unique tie-breaker and fetches one
 * row more than asked to learn whether there is more. Cursors are opaque to clients:
 * base64url JSON of the row's sort-key values, tagged with the order they belong to,
 * so a cursor from another order is rejected instead of silently misread.
 */

export type CursorValue = string | number | boolean | null;

export interface PageRequest {
  /** Rows wanted. */
  limit: number;
  /** Backward: the rows just before `cursor` (Relay last/before), returned in order. */
  backward: boolean;
  /** Decoded keyset position to start after (forward) or before (backward). */
  cursor: CursorValue[] | null;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(order: string, values: CursorValue[]): string {
  return Buffer.from(JSON.stringify([order, ...values])).toString('base64url');
}

/** Decodes a cursor made by encodeCursor for the same order, or throws BAD_USER_INPUT. */
export function decodeCursor(order: string, cursor: string, field = 'cursor'): CursorValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError(`Invalid ${field}: not a cursor this API issued`, { field });
  }
  if (!Array.isArray(parsed) || parsed[0] !== order) {
    throw new InvalidInputError(`Invalid ${field}: it belongs to another list or ordering`, { field });
  }
  return parsed.slice(1) as CursorValue[];
}

/**
 * Builds a PageRequest from Relay arguments. `first` and `last` are clamped to
 * [0, max]; neither given means `first: defaultSize`.
 */
export function relayPage(
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  order: string,
  options: { defaultSize?: number; max?: number } = {},
): PageRequest {
  const max = options.max ?? MAX_PAGE_SIZE;
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidInputError(`\`${name}\` must be a non-negative integer`, { field: name });
    }
  }
  if (args.first != null && args.last != null) {
    throw new InvalidInputError('Pass `first` or `last`, not both', { field: 'last' });
  }
  if (args.last != null || (args.before != null && args.first == null)) {
    return {
      limit: Math.min(args.last ?? options.defaultSize ?? 20, max),
      backward: true,
      cursor: args.before ? decodeCursor(order, args.before, 'before') : null,
    };
  }
  return {
    limit: Math.min(args.first ?? options.defaultSize ?? 20, max),
    backward: false,
    cursor: args.after ? decodeCursor(order, args.after, 'after') : null,
  };
}

/**
 * An edge whose cursor is encoded when first read: a room list with members(first: 5)
 * has 120 edges, and clients read the cursors of a few.
 */
class LazyEdge<T> {
  #cursor: string | undefined;
  constructor(
    readonly node: T,
    private readonly encode: (node: T) => string,
  ) {}
  get cursor(): string {
    return (this.#cursor ??= this.encode(this.node));
  }
}

export function lazyEdge<T>(
  node: T,
  encode: (node: T) => string,
): { readonly cursor: string; readonly node: T } {
  return new LazyEdge(node, encode);
}

/**
 * Trims the limit+1 rows a repository fetched into a page, restoring order for backward pages.
 * `fromPosition`: the page starts somewhere (a cursor or an anchor), so there is more on the other side.
 */
export function toPage<T>(fetched: T[], page: PageRequest, fromPosition = page.cursor !== null): Page<T> {
  const more = fetched.length > page.limit;
  const rows = more ? fetched.slice(0, page.limit) : fetched;
  if (page.backward) {
    rows.reverse();
    return { rows, hasPreviousPage: more, hasNextPage: fromPosition };
  }
  return { rows, hasNextPage: more, hasPreviousPage: fromPosition };
}
