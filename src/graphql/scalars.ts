import { GraphQLError, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { builder } from './builder.js';

/*
 * DateTime goes out as ISO-8601 (UTC, milliseconds) and comes in as ISO-8601 or as
 * epoch milliseconds, the two forms the REST dialects accept. JSON is any JSON value
 * (a message body is whatever the client sent).
 */

// A date, or a date-time with an explicit offset: "2024-05-01T10:00:00" alone would be read in the server's zone.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

function invalidDateTime(value: unknown): GraphQLError {
  return new GraphQLError(
    `DateTime must be an ISO-8601 string with a time zone or epoch milliseconds, got ${JSON.stringify(value)}`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

export function parseDateTime(value: unknown): Date {
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value);
  else if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) date = new Date(Number(value));
  else if (typeof value === 'string' && ISO_8601.test(value)) date = new Date(value);
  if (!date || Number.isNaN(date.getTime())) throw invalidDateTime(value);
  return date;
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
