import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema.js';

/**
 * The schema as committed in schema.graphql: sorted, so the file changes only when the
 * schema does, and ending in a newline (printSchema leaves it out).
 */
export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
