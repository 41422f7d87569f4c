import { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';
import { INSTANT_FORMS, readInstant } from '../domain/instant.js';

/*
 * A route's query parameters, declared once as a zod object: each property is one
 * parameter (its type, constraints, default and description), read from the raw string.
 * From that one declaration come the parsing (parseQuery), the refusal of a bad value
 * (a BAD_USER_INPUT naming the parameter, which each dialect words as its own 400) and
 * the parameter list of /openapi.json (openapi.ts).
 *
 * A parameter's schema sees the raw string, or undefined when the parameter is absent or
 * blank ("?limit=" counts as not given). Its failures say what was expected ("expected a
 * non-negative integer"); parseQuery adds which parameter and what value. A dialect that
 * words a refusal its own way gives the whole sentence with refuse().
 */

export type QueryParams = z.ZodObject<Record<string, z.ZodType>>;

interface Sentence {
  /** The issue's message is the whole refusal, not a reason to prefix. */
  sentence: true;
  /** The parameter the refusal names, when it is not the one that failed. */
  field?: string;
}

/** Adds a refusal worded in full (a dialect's own words); the transform then returns z.NEVER. */
export function refuse(
  ctx: { addIssue(issue: { code: 'custom'; message: string; params: Sentence }): void },
  message: string,
  field?: string,
): typeof z.NEVER {
  ctx.addIssue({
    code: 'custom',
    message,
    params: field === undefined ? { sentence: true } : { sentence: true, field },
  });
  return z.NEVER;
}

/** A refused value as the refusal shows it: quoted, and no more than its first 100 characters. */
function shown(value: string): string {
  return JSON.stringify(value.slice(0, 100));
}

function refusal(issue: z.core.$ZodIssue, raw: Record<string, string | undefined>): InvalidInputError {
  const name = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const params = issue.code === 'custom' ? (issue.params as Partial<Sentence> | undefined) : undefined;
  const field = params?.field ?? name;
  if (params?.sentence || name === undefined) {
    return new InvalidInputError(issue.message, field === undefined ? {} : { field });
  }
  return new InvalidInputError(`Invalid ${name} ${shown(raw[name] ?? '')}: ${issue.message}`, {
    field: name,
  });
}

/** The declared parameters of `query`, parsed; the first bad one is a BAD_USER_INPUT naming it. */
export function parseQuery<T extends QueryParams>(query: URLSearchParams, declared: T): z.output<T> {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(declared.shape)) {
    const value = query.get(name);
    raw[name] = value === null || value.trim() === '' ? undefined : value;
  }
  const parsed = declared.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [first] = parsed.error.issues;
  throw first ? refusal(first, raw) : new InvalidInputError('Invalid query parameters');
}

/** The names `declared` reads: only these are checked under the input rule, others are never read. */
export function queryParamNames(declared: QueryParams | undefined): string[] {
  return declared === undefined ? [] : Object.keys(declared.shape);
}

/** "20" -> 20 when it is written as an integer; anything else is left for the type check to refuse. */
function integerText(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/** An integer of either sign ("0", "1", "-1"). */
export function integerParam() {
  const reason = 'expected an integer';
  return z.preprocess(integerText, z.int({ error: reason }));
}

/** A non-negative integer ("0", "20"); "-1", "1.5" and "abc" are refused. */
export function nonNegativeIntParam() {
  const reason = 'expected a non-negative integer';
  return z.preprocess(integerText, z.int({ error: reason }).min(0, { error: reason }));
}

/**
 * A point in time by the domain's one rule for instants (ISO-8601 with its zone, a date,
 * or epoch milliseconds). `worded`: the dialect's own sentence for a bad one.
 */
export function instantParam(worded?: { message: string; field?: string }) {
  return z
    .string()
    .transform((value, ctx) => {
      const instant = readInstant(value);
      if (instant) return instant;
      if (worded) return refuse(ctx, worded.message, worded.field);
      ctx.addIssue({ code: 'custom', message: `expected ${INSTANT_FORMS}` });
      return z.NEVER;
    })
    .meta({ type: ['string', 'integer'] });
}
