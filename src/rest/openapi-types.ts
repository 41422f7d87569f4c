import type { z } from 'zod';
import type { QueryParams } from './query-params.js';

/*
 * How a route describes itself for /openapi.json. Wire shapes are zod schemas (the same
 * ones the presenters' return types come from), converted to JSON Schema 2020-12.
 */

export interface ParameterDoc {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  description: string;
  schema: Record<string, unknown>;
}

export interface ResponseDoc {
  description: string;
  /** A JSON body. */
  schema?: z.ZodType;
  /** A non-JSON body (the avatar image). */
  binary?: { contentType: string };
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

export interface OperationDoc {
  summary: string;
  description?: string;
  tag: string;
  /**
   * Ways to authenticate, any one of them; each is a list of components.securitySchemes
   * sent together (IMKit's client key AND token). [] = no authentication.
   */
  security: string[][];
  /** Path and header parameters; the query's come from `query`. */
  parameters?: ParameterDoc[];
  /** The query parameters the handler parses, declared once (src/rest/query-params.ts). */
  query?: QueryParams;
  requestBody?: { schema: z.ZodType; description?: string; contentTypes?: string[] };
  responses: Record<number, ResponseDoc>;
}
