import { GraphQLError, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { parseInstant } from '../domain/instant.js';
import { builder } from './builder.js';

/*
 * DateTime goes out as ISO-8601 (UTC, milliseconds) and comes in by the rule every
 * transport shares (src/domain/instant.ts): ISO-8601 with a zone, a date, or epoch ms. JSON is any JSON value
 * (a message body is whatever the client sent).
 */

function invalidDateTime(value: unknown): GraphQLError {
  return new GraphQLError(
    `DateTime must be an ISO-8601 string with a time zone or epoch milliseconds, got ${JSON.stringify(value)}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

/** The domain's one rule for instants (parseInstant), with GraphQL's error. */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidDateTime(value);
  try {
    return parseInstant(value, 'DateTime');
  } catch {
    throw invalidDateTime(value);
  }
}

function dateTimeLiteral(ast: ValueNode): Date {
  if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
  }
  throw invalidDateTime(ast.kind);
}

builder.scalarType('DateTime', {
  description:
    'A point in time. Output: ISO-8601 in UTC with milliseconds. Input: ISO-8601 with a time zone, or epoch milliseconds.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    throw new GraphQLError('DateTime cannot represent a non-Date value');
  },
  parseValue: parseDateTime,
  parseLiteral: dateTimeLiteral,
});

builder.scalarType('JSON', {
  description: 'Any JSON value: object, array, string, number, boolean or null.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
