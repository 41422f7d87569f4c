import {
  Kind,
  type FragmentDefinitionNode,
  type GraphQLError,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/*
 * At most `max` root fields in one mutation: each runs a write (and its transaction) one
 * after another, so 1,000 aliased sendMessage calls are 1,000 writes in one request. No
 * maintained library counts these (graphql-armor's aliases limit counts aliases anywhere
 * in a query, not writes), hence this rule. __typename is no write and is not counted;
 * fields reached through fragments are.
 */

/** The mutation's root fields, through inline fragments and fragment spreads (each spread once). */
function countRootFields(
  selectionSet: SelectionSetNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
  visited: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, fragment, visited);
    } else if (!visited.has(selection.name.value)) {
      // A cycle is NoFragmentCyclesRule's to report; counting a spread once keeps this one finite.
      visited.add(selection.name.value);
      const definition = fragment(selection.name.value);
      if (definition) count += countRootFields(definition.selectionSet, fragment, visited);
    }
  }
  return count;
}

/** A validation rule: mutations with more than `max` root fields get `reject(count, operation)`. */
export function maxRootMutationsRule(
  max: number,
  reject: (found: number, operation: OperationDefinitionNode) => GraphQLError,
): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      const found = countRootFields(operation.selectionSet, (name) => context.getFragment(name), new Set());
      if (found > max) context.reportError(reject(found, operation));
    },
  });
}
