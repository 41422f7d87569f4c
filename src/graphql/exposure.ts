import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { NoSchemaIntrospectionCustomRule, type ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/*
 * What the GraphQL endpoint tells about itself, each switched by configuration
 * (GRAPHQL_INTROSPECTION, GRAPHQL_SUGGESTIONS, GRAPHIQL): schema introspection, the
 * "Did you mean ...?" hints in error messages, and the GraphiQL page. All on by default
 * (the demo, development); a public deployment may turn them off. The WebSocket path builds
 * its server with createGraphQLServer too, so it follows the same switches.
 */

export interface GraphQLExposure {
  introspection: boolean;
  suggestions: boolean;
  graphiql: boolean;
}

export const DEFAULT_GRAPHQL_EXPOSURE: GraphQLExposure = {
  introspection: true,
  suggestions: true,
  graphiql: true,
};

export function graphqlExposure(config: Config): GraphQLExposure {
  return {
    introspection: config.GRAPHQL_INTROSPECTION,
    suggestions: config.GRAPHQL_SUGGESTIONS,
    graphiql: config.GRAPHIQL,
  };
}

/**
 * The plugins the switches call for. Introspection off: graphql-js's
 * NoSchemaIntrospectionCustomRule (a validation error naming __schema / __type; __typename
 * stays), added to every validation. Not graphql-yoga's useDisableIntrospection: it marks
 * requests in onRequestParse, which the WebSocket path (websocket.ts, getEnveloped) never
 * runs, so introspection over a socket would still answer. Suggestions off: graphql-armor's
 * plugin removes them from validation errors; its
 * pattern misses the enum form ("Did you mean the enum value ...?") and the errors of
 * variables that do not coerce (raised at execution), so those are removed here too.
 */
export function exposurePlugins(exposure: GraphQLExposure) {
  return [
    ...(exposure.introspection ? [] : [useNoIntrospection()]),
    ...(exposure.suggestions ? [] : [blockFieldSuggestionsPlugin({ mask: '' }), useNoSuggestions()]),
  ];
}

function useNoIntrospection(): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) };
}

const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(errors: readonly Error[]): void {
  for (const error of errors) error.message = error.message.replace(SUGGESTION, '').trim();
}

function useNoSuggestions(): Plugin {
  const strip = ({ result }: { result: ExecutionResult }) => {
    if (result.errors) withoutSuggestions(result.errors);
  };
  return {
    onValidate:
      () =>
      ({ result }) =>
        withoutSuggestions(result),
    onExecute: () => ({ onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, strip) }),
    onSubscribe: () => ({
      onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, strip),
    }),
  };
}
