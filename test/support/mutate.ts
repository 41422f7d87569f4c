import type { GraphQLClient } from './graphql-client.js';

/*
 * Calls one mutation the way a client does: `input` as a variable, the result union
 * selected with `__typename`, the shared Error fields, and the payload's fields.
 */

export interface MutationResult {
  __typename: string;
  /** On errors. */
  code?: string;
  reason?: string | null;
  field?: string | null;
  message?: string;
  clientMutationId?: string | null;
  [key: string]: unknown;
}

const REACTION_INPUT = new Set(['addReaction', 'removeReaction']);

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function mutationDocument(field: string, select: string): string {
  const inputType = REACTION_INPUT.has(field) ? 'ReactionInput' : `${capitalize(field)}Input`;
  return `mutation Call($input: ${inputType}!) {
    ${field}(input: $input) {
      __typename
      ... on Error { code reason field message }
      ... on ${capitalize(field)}Payload { clientMutationId ${select} }
    }
  }`;
}

export type Mutate = (
  field: string,
  input: Record<string, unknown>,
  select?: string,
) => Promise<MutationResult>;

/** A mutate function for one set of credentials; fails the test on top-level errors. */
export function mutatorFor(h: GraphQLClient, headers: Record<string, string>): Mutate {
  return async (field, input, select = '') => {
    const { status, body } = await h.request<Record<string, MutationResult>>(
      mutationDocument(field, select),
      { variables: { input }, headers },
    );
    if (body.errors?.length || !body.data?.[field]) {
      throw new Error(`${field} answered ${status} ${JSON.stringify(body)}`);
    }
    return body.data[field];
  };
}

/** Expects a typed error result and returns it. */
export function expectError(
  result: MutationResult,
  typename: string,
  reason?: string | null,
): MutationResult {
  if (result.__typename !== typename || (reason !== undefined && result.reason !== reason)) {
    throw new Error(
      `expected ${typename}${reason === undefined ? '' : ` (${String(reason)})`}, got ${JSON.stringify(result)}`,
    );
  }
  return result;
}
