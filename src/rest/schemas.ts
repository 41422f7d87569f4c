import { z } from 'zod';

/**
 * The named wire schemas of every dialect: /openapi.json lists them under
 * components.schemas and refers to them by id.
 */
export const restSchemas = z.registry<{ id: string; description?: string }>();

export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  restSchemas.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

/** Epoch milliseconds. */
export const epochMillis = z.number().int();
/** An ISO-8601 time string with milliseconds, in UTC. */
export const isoTime = z.string();
