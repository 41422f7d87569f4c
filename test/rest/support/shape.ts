import { expect } from 'vitest';

/*
 * Compares a response with a documented example field by field: every field of the
 * example is present with the same JSON type; integers stay integers, *MS / *Utc
 * epoch fields are milliseconds, ISO time strings stay ISO time strings. Values may
 * differ (ids, times). `skip` lists paths the test deliberately does not compare, each
 * with its reason at the call site.
 */

type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

export function shapeProblems(
  actual: unknown,
  example: unknown,
  path = '$',
  skip: readonly string[] = [],
): string[] {
  if (skip.includes(path)) return [];
  const problems: string[] = [];
  const expected = jsonType(example);
  const got = jsonType(actual);
  if (got !== expected) return [`${path}: expected ${expected}, got ${got} (${JSON.stringify(actual)})`];
  if (typeof example === 'number' && typeof actual === 'number') {
    if (Number.isInteger(example) && !Number.isInteger(actual))
      problems.push(`${path}: expected an integer, got ${actual}`);
    if (/(MS|Utc)$/.test(path) && example > 1e12 && actual !== 0 && actual < 1e12) {
      problems.push(`${path}: expected epoch milliseconds, got ${actual}`);
    }
  }
  if (
    typeof example === 'string' &&
    typeof actual === 'string' &&
    ISO_TIME.test(example) &&
    !ISO_TIME.test(actual)
  ) {
    problems.push(`${path}: expected an ISO-8601 time, got "${actual}"`);
  }
  if (Array.isArray(example) && Array.isArray(actual)) {
    example.forEach((item, i) => {
      if (actual.length === 0) problems.push(`${path}: expected a non-empty array like the example`);
      else
        problems.push(...shapeProblems(actual[Math.min(i, actual.length - 1)], item, `${path}[${i}]`, skip));
    });
  } else if (expected === 'object') {
    const a = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(example as Record<string, unknown>)) {
      const childPath = `${path}.${key}`;
      if (skip.includes(childPath)) continue;
      if (!Object.hasOwn(a, key)) problems.push(`${childPath}: missing`);
      else problems.push(...shapeProblems(a[key], value, childPath, skip));
    }
  }
  return [...new Set(problems)];
}

export function expectSameShape(actual: unknown, example: unknown, skip: readonly string[] = []): void {
  expect(shapeProblems(actual, example, '$', skip)).toEqual([]);
}
