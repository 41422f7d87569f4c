import { isDomainError } from '../../domain/errors.js';
import { checkBody, readBodyObject, type BodyProblem } from '../json-body.js';
import type { RestRequest } from '../rest-request.js';
import type { z } from 'zod';
import { rcInvalidParams } from './rocketchat.errors.js';

/*
 * Request bodies of Rocket.Chat's write calls. A body that does not fit is a 400
 * worded as Rocket.Chat's own parameter validation words it:
 * {success:false, error:"must have required property 'rid' [invalid-params]", errorType:"invalid-params"}.
 */

/** "message.rid" -> "/message/rid", as a JSON pointer names a field. */
export function pointer(path: string): string {
  return path === '' ? '' : `/${path.split('.').join('/')}`;
}

function describeProblem(problem: BodyProblem): string {
  if (problem.missing) return `must have required property '${problem.path.split('.').at(-1) ?? ''}'`;
  const what = problem.expected === undefined ? problem.message : `must be ${problem.expected}`;
  return problem.path === '' ? what : `${pointer(problem.path)} ${what}`;
}

export async function readRcBody<T>(rest: RestRequest, schema: z.ZodType<T>): Promise<T> {
  let body: Record<string, unknown>;
  try {
    body = await readBodyObject(rest);
  } catch (error) {
    // Malformed JSON, or JSON that is not an object.
    if (isDomainError(error)) throw rcInvalidParams([error.message]);
    throw error;
  }
  const checked = checkBody(body, schema);
  if (checked.ok) return checked.value;
  throw rcInvalidParams(checked.problems.map(describeProblem));
}
