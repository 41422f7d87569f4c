import {
  GraphQLError,
  Kind,
  getOperationAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/*
 * graphql-jit (yoga.ts) reports field errors with their path but without the AST nodes
 * graphql-js attaches, so they would reach clients without `locations`. This finds the
 * field nodes again by walking the operation along the path.
 */

function fieldsNamed(
  selectionSet: SelectionSetNode,
  responseKey: string,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): FieldNode[] {
  const found: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if ((selection.alias ?? selection.name).value === responseKey) found.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      found.push(...fieldsNamed(selection.selectionSet, responseKey, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) found.push(...fieldsNamed(fragment.selectionSet, responseKey, fragments, seen));
    }
  }
  return found;
}

/** The field nodes a response path points at, or [] when the path leads nowhere. */
export function fieldNodesAt(
  document: DocumentNode,
  operationName: string | null | undefined,
  path: readonly (string | number)[],
): FieldNode[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let nodes: FieldNode[] = [];
  let sets: SelectionSetNode[] = [operation.selectionSet];
  for (const segment of path) {
    if (typeof segment === 'number') continue; // list indexes do not change the selection
    nodes = sets.flatMap((set) => fieldsNamed(set, segment, fragments));
    sets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  }
  return nodes;
}

/** The error with `locations` restored from its path, when it came without them. */
export function withLocations(
  error: GraphQLError,
  document: DocumentNode,
  operationName: string | null | undefined,
): GraphQLError {
  if (error.nodes?.length || !error.path?.length) return error;
  const nodes = fieldNodesAt(document, operationName, error.path);
  if (nodes.length === 0) return error;
  return new GraphQLError(error.message, {
    nodes,
    path: error.path,
    originalError: error.originalError ?? null,
    extensions: error.extensions,
  });
}
