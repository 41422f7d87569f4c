import type { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';
import type { RestRequest } from './rest-request.js';

/*
 * Request bodies of the write calls: a JSON (or form) object checked against a zod
 * schema. Every mistake is a BAD_USER_INPUT naming the field, which each dialect turns
 * into its own 400 body.
 */

export interface BodyProblem {
  /** "message.rid" for a nested field, "" for the body itself. */
  path: string;
  /** The field is absent (rather than of the wrong type or value). */
  missing: boolean;
  /** The validator's message ("Invalid input: expected string, received number"). */
  message: string;
  /** For a value of the wrong type: the JSON type expected ("string", "object"). */
  expected?: string;
}

/** The body as an object; an empty body is {} so that required fields are reported by name. */
export async function readBodyObject(rest: RestRequest): Promise<Record<string, unknown>> {
  const body = await rest.body();
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidInputError('The request body must be a JSON object', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Checks a body against a schema: the parsed value, or the problems with their paths. */
export function checkBody<T>(
  body: unknown,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problems: BodyProblem[] } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      missing: issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined,
      message: issue.message,
      ...(issue.code === 'invalid_type' && { expected: issue.expected }),
    })),
  };
}

/** A body that fits the schema, or BAD_USER_INPUT saying which fields do not ("message: required"). */
export function parseBody<T>(body: unknown, schema: z.ZodType<T>): T {
  const checked = checkBody(body, schema);
  if (checked.ok) return checked.value;
  const [first] = checked.problems;
  const text = checked.problems
    .map((p) => `${p.path || 'body'}: ${p.missing ? 'required' : p.message}`)
    .join('; ');
  throw new InvalidInputError(`Invalid request body (${text})`, { field: first?.path || 'body' });
}
