import { InvalidInputError } from './errors.js';
import { stringProblem } from './untrusted-input.js';

/*
 * One pagination model for every transport: keyset pages. A page request says how
 * many rows and from which cursor, forward (first/after) or backward (last/before);
 * the repository orders by the sort keys plus a unique tie-breaker and fetches one
 * row more than asked to learn whether there is more. Cursors are opaque to clients:
 * base64url JSON of the row's sort-key values, tagged with the order they belong to,
 * so a cursor from another order is rejected instead of silently misread. A cursor is
 * input like any other: decoding checks each value against the SQL type its key is
 * compared as, so a tampered one is a BAD_USER_INPUT, never a failed cast in the database.
 */

export type CursorValue = string | number | boolean | null;

/** The SQL type a key of an ordering is compared as. */
export type CursorKey = 'timestamptz' | 'int8' | 'text' | 'bool';

/** An ordering as its cursors know it: a name (so another ordering's cursor is refused) and its keys. */
export interface CursorOrder {
  readonly name: string;
  readonly keys: readonly CursorKey[];
}

export interface PageRequest {
  /** Rows wanted. */
  limit: number;
  /** Backward: the rows just before `cursor` (Relay last/before), returned in order. */
  backward: boolean;
  /** Decoded keyset position to start after (forward) or before (backward). */
  cursor: CursorValue[] | null;
}

/** A row of a page with the cursor that points at it (a Relay edge, a REST dialect's next-page marker). */
export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(order: CursorOrder, values: CursorValue[]): string {
  return Buffer.from(JSON.stringify([order.name, ...values])).toString('base64url');
}

// What Date#toISOString writes (years past 9999 carry a sign).
const ISO_TIME = /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function fitsKey(value: unknown, key: CursorKey): boolean {
  switch (key) {
    case 'timestamptz':
      return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
    case 'int8':
      return Number.isSafeInteger(value);
    case 'text':
      return typeof value === 'string' && stringProblem(value) === undefined;
    case 'bool':
      return typeof value === 'boolean';
  }
}

/** Decodes a cursor made by encodeCursor for the same order, or throws BAD_USER_INPUT. */
export function decodeCursor(order: CursorOrder, cursor: string, field = 'cursor'): CursorValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError(`Invalid ${field}: not a cursor this API issued`, { field });
  }
  if (!Array.isArray(parsed) || parsed[0] !== order.name) {
    throw new InvalidInputError(`Invalid ${field}: it belongs to another list or ordering`, { field });
  }
  const values: unknown[] = parsed.slice(1);
  if (values.length !== order.keys.length || !order.keys.every((key, i) => fitsKey(values[i], key))) {
    throw new InvalidInputError(`Invalid ${field}: not a cursor this API issued`, { field });
  }
  return values as CursorValue[];
}

/**
 * Builds a PageRequest from Relay arguments. `first` and `last` are clamped to
 * [0, max]; neither given means `first: defaultSize`.
 */
export function relayPage(
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  order: CursorOrder,
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

export function lazyEdge<T>(node: T, encode: (node: T) => string): Readonly<Edge<T>> {
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
