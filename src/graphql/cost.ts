import { PothosValidationError } from '@pothos/core';
import { complexityFromQuery, type FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  getOperationAST,
  isLeafType,
  isListType,
  type ExecutionArgs,
  type GraphQLOutputType,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../domain/pagination.js';

/*
 * What an operation costs, in nodes: the objects its answer can hold, counted before it
 * runs by @pothos/plugin-complexity from these per-field rules (a field costs `field`
 * plus `multiplier` times what is selected under it). Scalars are free; an object is 1;
 * a connection holds first/last edges (20 when neither is given, at most 100, as
 * relayPage pages); another list is taken to hold 10 items (the plugin's default guess),
 * nodes(ids) 100. So
 *   rooms(first: 50) { edges { node { messages(first: 100) { edges { node { messageId } } } } } }
 * costs 1 + 50 × (1 + 1 + 100 × 1) = 5,101.
 */

/** relayPage's page size when a connection gets neither first nor last. */
const DEFAULT_PAGE_SIZE = 20;
/** How many items a list whose length the request does not name is taken to hold. */
const UNKNOWN_LIST_LENGTH = 10;

/** n items, each a node plus what is selected under it. */
function items(n: number): FieldComplexityValue {
  return { field: n, multiplier: n };
}

/** The default rule for every field without its own: scalars 0, objects 1, lists n each. */
export function fieldCost(
  _args: unknown,
  _ctx: unknown,
  field: { type: GraphQLOutputType },
): FieldComplexityValue {
  if (isLeafType(getNamedType(field.type))) return 0;
  return isListType(getNullableType(field.type)) ? items(UNKNOWN_LIST_LENGTH) : 1;
}

/*
 * node(id) and nodes(ids) have fixed costs: a function's arguments are decoded first, and
 * a malformed global id would then fail the count, not just its own field.
 */
export const NODE_COST: FieldComplexityValue = 1;
/** nodes(ids) is counted as a full page of items, whatever the ids. */
export const NODES_COST: FieldComplexityValue = items(MAX_PAGE_SIZE);

function pageSize(requested: unknown): number | undefined {
  return typeof requested === 'number' && requested >= 0 ? Math.min(requested, MAX_PAGE_SIZE) : undefined;
}

/** A connection field: the connection object, and first/last times what its edges hold. */
export function connectionCost(args: { first?: unknown; last?: unknown }): FieldComplexityValue {
  return { field: 1, multiplier: pageSize(args.first) ?? pageSize(args.last) ?? DEFAULT_PAGE_SIZE };
}

/** A connection's edges: each edge is one node (the connection's multiplier makes it n). */
export const EDGES_COST: FieldComplexityValue = { field: 1, multiplier: 1 };
/** An edge's node is the node its edge already counted; pageInfo is not a node. */
export const FREE: FieldComplexityValue = 0;

/**
 * The cost of the operation `args` executes, with its variables; undefined when it cannot
 * be measured (no such operation, variables that do not coerce): execution reports those.
 */
export function operationCost(args: ExecutionArgs): number | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return undefined;
  const fragments = args.document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  try {
    // complexityFromQuery measures a document's first operation: hand it the one that runs.
    return complexityFromQuery(
      { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
      {
        schema: args.schema,
        ctx: (args.contextValue ?? {}) as object,
        variables: (args.variableValues ?? {}) as Record<string, unknown>,
      },
    ).complexity;
  } catch (error) {
    if (error instanceof GraphQLError || error instanceof PothosValidationError) return undefined;
    throw error;
  }
}
