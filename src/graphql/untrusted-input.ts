import { GraphQLError, visit, type DocumentNode, type ListValueNode, type ObjectValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isDomainError } from '../domain/errors.js';
import { MAX_INPUT_DEPTH, checkUntrustedValue, stringProblem } from '../domain/untrusted-input.js';

/*
 * The input rule (src/domain/untrusted-input.ts) for GraphQL: the variables and the
 * document's string and value literals of every operation, before it runs. It hooks
 * execute and subscribe, so it guards HTTP (GET, POST, SSE) and WebSocket alike; a value
 * that breaks the rule ends the operation with BAD_USER_INPUT (HTTP 400) and nothing runs.
 * Before that, yoga's own reading of the request: a GET whose variables are not JSON, or
 * a multipart request whose map is not {"0": ["variables.file"]}, made its parser throw
 * a TypeError or SyntaxError (a 500); it is a 400 saying what the request must look like.
 */

/** Yoga's request parser (its type is not exported): Request -> params, maybe a promise. */
type RequestParser = Parameters<Parameters<NonNullable<Plugin['onRequestParse']>>[0]['setRequestParser']>[0];

/** Documents already found clean: yoga caches parsed documents, so each is walked once. */
const cleanDocuments = new WeakSet<DocumentNode>();

function checkDocument(document: DocumentNode): void {
  if (cleanDocuments.has(document)) return;
  let valueDepth = 0;
  visit(document, {
    StringValue(node) {
      const problem = stringProblem(node.value);
      if (problem) throw new GraphQLError(`Invalid string literal: it ${problem}`, { nodes: [node] });
    },
    ObjectValue: { enter: enterValue, leave: leaveValue },
    ListValue: { enter: enterValue, leave: leaveValue },
  });
  cleanDocuments.add(document);

  function enterValue(node: ObjectValueNode | ListValueNode): void {
    valueDepth += 1;
    if (valueDepth > MAX_INPUT_DEPTH) {
      throw new GraphQLError(`Invalid literal: it nests deeper than ${MAX_INPUT_DEPTH} levels`, {
        nodes: [node],
      });
    }
  }
  function leaveValue(): void {
    valueDepth -= 1;
  }
}

function badInput(error: unknown): GraphQLError {
  const message = error instanceof Error ? error.message : String(error);
  const field = isDomainError(error) ? error.field : undefined;
  return new GraphQLError(message, {
    ...(error instanceof GraphQLError && { nodes: error.nodes ?? null }),
    extensions: {
      code: 'BAD_USER_INPUT',
      ...(field !== undefined && { field }),
      http: { status: 400 },
    },
  });
}

/** The problem with an operation's input, or null when it may run. */
function inputProblem(document: DocumentNode, variables: unknown): GraphQLError | null {
  try {
    checkDocument(document);
    if (variables != null) checkUntrustedValue(variables, 'variables');
    return null;
  } catch (error) {
    return badInput(error);
  }
}

function unreadableRequest(request: Request, error: unknown): GraphQLError {
  const status = error instanceof GraphQLError ? error.extensions['http'] : undefined;
  if (status !== undefined) return error as GraphQLError; // yoga's own 4xx (413, batching, ...)
  const multipart = request.headers.get('content-type')?.includes('multipart/form-data') ?? false;
  const detail =
    error instanceof GraphQLError
      ? error.message
      : multipart
        ? 'a multipart request carries "operations" (JSON) and "map", a JSON object of arrays of paths such as {"0": ["variables.file"]}'
        : 'the variables and extensions parameters must be URL-encoded JSON objects';
  return new GraphQLError(`Invalid GraphQL request: ${detail}`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

function guardedParser(parse: RequestParser): RequestParser {
  return async (request) => {
    try {
      return await parse(request);
    } catch (error) {
      throw unreadableRequest(request, error);
    }
  };
}

export function useUntrustedInputGuard(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (requestParser) setRequestParser(guardedParser(requestParser));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const problem = inputProblem(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = inputProblem(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}
