import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  parse,
  type ExecutionArgs,
  type ExecutionResult,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { loadConfig, type Config } from '../config.js';
import { operationCost } from './cost.js';
import { maxRootMutationsRule } from './root-mutation-limit.js';

/*
 * What one GraphQL request may ask for, decided before anything runs (src/graphql/yoga.ts
 * puts this plugin on HTTP, SSE and WebSocket alike):
 *   tokens        parsing stops past the limit (graphql-js `maxTokens`), so a 280 KB document
 *                 of 3,000 aliases costs a few microseconds, not the heap;
 *   aliases, depth, directives   graphql-armor's validation rules; introspection's __schema
 *                 is left out of depth (graphql-js's own MaxIntrospectionDepthRule bounds it);
 *   rootMutations root fields of one mutation, each a write (root-mutation-limit.ts);
 *   cost          nodes the answer can hold from first/last (cost.ts, @pothos/plugin-complexity),
 *                 with the request's variables, checked as execution starts.
 * A request over any of them gets HTTP 400 and one error per limit with extensions
 * { code: "QUERY_TOO_COMPLEX", limit, max, found } (found is absent for tokens: parsing
 * stops at the limit); a rejected cost also reports extensions.cost { requested, limit }
 * on the response.
 */

export const LIMIT_ERROR_CODE = 'QUERY_TOO_COMPLEX';

export interface GraphQLLimits {
  aliases: number;
  depth: number;
  tokens: number;
  directives: number;
  rootMutations: number;
  /** Nodes, from first/last (src/graphql/cost.ts). */
  cost: number;
}

export type GraphQLLimitName = keyof GraphQLLimits;

/** The limits the configuration sets (GRAPHQL_MAX_*). */
export function graphqlLimits(config: Config): GraphQLLimits {
  return {
    aliases: config.GRAPHQL_MAX_ALIASES,
    depth: config.GRAPHQL_MAX_DEPTH,
    tokens: config.GRAPHQL_MAX_TOKENS,
    directives: config.GRAPHQL_MAX_DIRECTIVES,
    rootMutations: config.GRAPHQL_MAX_ROOT_MUTATIONS,
    cost: config.GRAPHQL_MAX_COST,
  };
}

/** The configuration's defaults, for servers built without a configuration (tools, tests). */
export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = graphqlLimits(loadConfig({}));

function limitError(
  limit: GraphQLLimitName,
  max: number,
  found: number | undefined,
  message: string,
): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: LIMIT_ERROR_CODE,
      limit,
      max,
      ...(found !== undefined && { found }),
    },
  });
}

/** graphql-armor reports through a callback: its error becomes ours, with the numbers it found. */
function reportArmorRejection(limit: GraphQLLimitName, max: number) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    // Armor words its errors "Syntax Error: <limit> of N exceeded, found M."; they are no syntax errors.
    const message = error.message.replace(/^Syntax Error: /, '');
    const found = /found (\d+)/.exec(message)?.[1];
    context?.reportError(limitError(limit, max, found === undefined ? undefined : Number(found), message));
  };
}

function armorOptions(limit: GraphQLLimitName, max: number) {
  return {
    n: max,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [reportArmorRejection(limit, max)],
  };
}

/** The rejection of an operation over the cost limit, or undefined when it is within it. */
function costRejection(args: ExecutionArgs, max: number): ExecutionResult | undefined {
  const requested = operationCost(args);
  if (requested === undefined || requested <= max) return undefined;
  return {
    errors: [
      limitError('cost', max, requested, `Query cost limit of ${max} nodes exceeded, found ${requested}.`),
    ],
    extensions: { cost: { requested, limit: max } },
  };
}

/** The envelop plugin that enforces `limits` on every operation. */
export function useRequestLimits(limits: GraphQLLimits): Plugin {
  const rules = [
    maxAliasesRule(armorOptions('aliases', limits.aliases)),
    maxDepthRule({
      ...armorOptions('depth', limits.depth),
      ignoreIntrospection: true,
      flattenFragments: true,
    }),
    maxDirectivesRule(armorOptions('directives', limits.directives)),
    maxRootMutationsRule(limits.rootMutations, (found) =>
      limitError(
        'rootMutations',
        limits.rootMutations,
        found,
        `Root mutation fields limit of ${limits.rootMutations} exceeded, found ${found}.`,
      ),
    ),
  ];
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.tokens });
        } catch (error) {
          // graphql-js words it "Document contains more that N tokens. Parsing aborted." (sic).
          if (error instanceof GraphQLError && / tokens\. Parsing aborted\.$/.test(error.message)) {
            throw limitError('tokens', limits.tokens, undefined, `Token limit of ${limits.tokens} exceeded.`);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const rejection = costRejection(args, limits.cost);
      if (rejection) setResultAndStopExecution(rejection);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const rejection = costRejection(args, limits.cost);
      if (rejection) setResultAndStopExecution(rejection);
    },
    // A refused operation is a 400 whatever the Accept header (yoga answers the spec's parse and
    // validation errors 200 to application/json); yoga drops extensions.http from the body.
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      if (result.errors?.some((e) => e.extensions['code'] === LIMIT_ERROR_CODE))
        setResult({ ...result, extensions: { ...result.extensions, http: { status: 400 } } });
    },
  };
}
