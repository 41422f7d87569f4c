import { InvalidInputError } from './errors.js';

/*
 * The one rule for every value that comes from outside (REST bodies, query and path
 * parameters, GraphQL variables and literals), applied where it enters: strings carry
 * no NUL (PostgreSQL text cannot hold one) and no lone UTF-16 surrogate (jsonb and
 * UTF-8 cannot), numbers are finite, and JSON nests at most MAX_INPUT_DEPTH levels
 * (serializing a deeper value for jsonb overflows the stack). A value that breaks it is
 * a BAD_USER_INPUT naming where, never a database error.
 */

/** Deeper than any real message body or input object; far below what overflows JSON.stringify. */
export const MAX_INPUT_DEPTH = 64;

// A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one
// (no `u` flag: the pattern works on UTF-16 code units).
const BAD_CHARACTER_PATTERN = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string from outside, or undefined when nothing is. */
export function stringProblem(value: string): string | undefined {
  const match = BAD_CHARACTER_PATTERN.exec(value);
  if (!match) return undefined;
  return match[0] === '\u0000'
    ? 'contains a NUL character (U+0000)'
    : 'contains a lone UTF-16 surrogate (not valid Unicode)';
}

export interface InputProblem {
  /** Where in the value: "message.text", "variables.input.tags.2", "" for the value itself. */
  path: string;
  problem: string;
}

const MAX_PATH_SEGMENTS = 6;

/** The path of a child; past a few levels it ends in "..." (a path 10,000 levels long says nothing). */
function join(path: string, key: string | number, depth: number): string {
  if (depth > MAX_PATH_SEGMENTS) return path;
  if (depth === MAX_PATH_SEGMENTS) return `${path}...`;
  return path === '' ? String(key) : `${path}.${key}`;
}

/**
 * The first thing wrong with a value from outside, walking it once without recursion
 * (so a hostile depth cannot overflow the stack here either).
 */
export function findInputProblem(
  value: unknown,
  path = '',
  maxDepth = MAX_INPUT_DEPTH,
): InputProblem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) return { path: item.path, problem };
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path: item.path, problem: 'is not a finite number' };
    } else if (current !== null && typeof current === 'object') {
      if (item.depth >= maxDepth) {
        return { path: item.path, problem: `nests deeper than ${maxDepth} levels` };
      }
      const entries = Array.isArray(current)
        ? current.map((child, index) => [index, child] as const)
        : Object.entries(current);
      for (const [key, child] of entries) {
        if (typeof key === 'string') {
          // The bad key is not echoed: the path names the object that holds it.
          const problem = stringProblem(key);
          if (problem) return { path: item.path, problem: `has a key that ${problem}` };
        }
        const childPath = join(item.path, key, item.depth + 1);
        stack.push({ value: child, path: childPath, depth: item.depth + 1 });
      }
    }
  }
  return undefined;
}

/** Throws BAD_USER_INPUT when a value from outside breaks the rule; `field` names what it is. */
export function checkUntrustedValue(value: unknown, field: string, maxDepth = MAX_INPUT_DEPTH): void {
  const found = findInputProblem(value, field, maxDepth);
  if (found)
    throw new InvalidInputError(`Invalid ${found.path || 'input'}: it ${found.problem}`, {
      field: found.path,
    });
}
