/*
 * A small JSON Schema (2020-12) checker for the subset /openapi.json uses: $ref into
 * components, type (with "integer" and "null"), const, enum, properties, required,
 * additionalProperties, items, anyOf, oneOf. Returns every problem with its path.
 */

type Schema = Record<string, unknown>;

export function validateAgainst(value: unknown, schema: Schema, root: Schema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
    if (!target) return [`${path}: unresolvable $ref ${schema.$ref}`];
    return validateAgainst(value, target as Schema, root, path);
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) {
      return [`${path}: expected ${types.join(' | ')}, got ${JSON.stringify(value)}`];
    }
  }
  if ('const' in schema && value !== schema.const)
    problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (Array.isArray(schema.anyOf)) {
    const ok = (schema.anyOf as Schema[]).some((s) => validateAgainst(value, s, root, path).length === 0);
    if (!ok) problems.push(`${path}: matches none of anyOf`);
  }
  if (Array.isArray(schema.oneOf)) {
    const matches = (schema.oneOf as Schema[]).filter(
      (s) => validateAgainst(value, s, root, path).length === 0,
    );
    if (matches.length !== 1) problems.push(`${path}: matches ${matches.length} of oneOf, not exactly 1`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) {
      if (!(key in object)) problems.push(`${path}.${key}: required but missing`);
    }
    for (const [key, child] of Object.entries(object)) {
      const childSchema = properties[key];
      if (childSchema) problems.push(...validateAgainst(child, childSchema, root, `${path}.${key}`));
      else if (schema.additionalProperties === false && schema.properties !== undefined) {
        problems.push(`${path}.${key}: not in the documented schema`);
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(
          ...validateAgainst(child, schema.additionalProperties as Schema, root, `${path}.${key}`),
        );
      }
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') {
    value.forEach((item, i) =>
      problems.push(...validateAgainst(item, schema.items as Schema, root, `${path}[${i}]`)),
    );
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}
