import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/credentials.js';
import type { Dialect, DialectRoute, RestConfig } from './dialect.js';
import type { OperationDoc, ParameterDoc, ResponseDoc } from './openapi-types.js';
import type { QueryParams } from './query-params.js';
import { restSchemas } from './schemas.js';

/*
 * The OpenAPI 3.1 document of every REST endpoint, built from the routes the routers
 * actually serve (their docs and zod wire schemas), at the paths the configured
 * prefixes put them. Served at GET /openapi.json.
 */

type Json = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';

const SECURITY_SCHEMES: Json = {
  imkitClientKey: {
    type: 'apiKey',
    in: 'header',
    name: 'IM-CLIENT-KEY',
    description: "IMKit: the app's client key",
  },
  imkitToken: {
    type: 'apiKey',
    in: 'header',
    name: 'IM-Authorization',
    description: 'IMKit: a client token (also accepted as Authorization)',
  },
  imkitApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'IM-API-KEY',
    description: "The app's API key (platform admin)",
  },
  rocketchatUserId: {
    type: 'apiKey',
    in: 'header',
    name: 'X-User-Id',
    description: 'Rocket.Chat: the userId of the login',
  },
  rocketchatAuthToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-Token',
    description: 'Rocket.Chat: the authToken of the login',
  },
  virolaSession: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Virola: the HttpOnly session cookie set by POST /api/v1/login',
  },
  virolaBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'Virola: Authorization: Bearer <userSessionId or client token>, for single requests',
  },
};

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** Drops what zod adds that OpenAPI readers do not need: per-schema $schema/$id, safe-integer bounds. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    if (
      (key === 'minimum' || key === 'maximum') &&
      typeof child === 'number' &&
      SAFE_INTEGER_BOUNDS.has(child)
    ) {
      continue;
    }
    out[key] = tidy(child);
  }
  return out;
}

function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(restSchemas, {
    target: 'draft-2020-12',
    uri: (id) => `${SCHEMA_REF}${id}`,
  });
  return tidy(schemas) as Json;
}

function refTo(schema: z.ZodType): Json {
  const meta = restSchemas.get(schema);
  if (!meta) throw new Error('Every schema an OpenAPI operation uses must be registered with named()');
  return { $ref: `${SCHEMA_REF}${meta.id}` };
}

/** "/rooms/:id" under "/imkit" -> "/imkit/rooms/{id}". */
export function openApiPath(prefix: string, path: string): string {
  return `${prefix}${path}`.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

function response(doc: ResponseDoc): Json {
  const out: Json = { description: doc.description };
  if (doc.schema) out.content = { 'application/json': { schema: refTo(doc.schema) } };
  if (doc.binary)
    out.content = { [doc.binary.contentType]: { schema: { type: 'string', format: 'binary' } } };
  if (doc.headers) out.headers = doc.headers;
  return out;
}

/** A route's declared query parameters as OpenAPI parameters: one each, its JSON Schema from zod. */
export function queryParameterDocs(declared: QueryParams | undefined): ParameterDoc[] {
  if (declared === undefined) return [];
  return Object.entries(declared.shape).map(([name, schema]) => {
    const { description, ...json } = tidy(
      z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    ) as Json;
    // zod leaves out the default of a schema that coerces the string first (the integers).
    if (schema instanceof z.ZodDefault && !('default' in json)) json.default = schema.def.defaultValue;
    return {
      name,
      in: 'query',
      ...(!schema.safeParse(undefined).success && { required: true }),
      description: typeof description === 'string' ? description : '',
      schema: json,
    };
  });
}

function operation(dialect: Dialect, route: DialectRoute): Json {
  const doc: OperationDoc = route.doc;
  const op: Json = {
    operationId: `${dialect.name}_${route.method.toLowerCase()}_${route.path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
    tags: [doc.tag],
    summary: doc.summary,
    security: doc.security.map((schemes) => Object.fromEntries(schemes.map((name) => [name, []]))),
    responses: Object.fromEntries(Object.entries(doc.responses).map(([status, r]) => [status, response(r)])),
  };
  if (doc.description) op.description = doc.description;
  const parameters = [...(doc.parameters ?? []), ...queryParameterDocs(doc.query)];
  if (parameters.length > 0) op.parameters = parameters;
  if (doc.requestBody) {
    const types = doc.requestBody.contentTypes ?? ['application/json'];
    op.requestBody = {
      required: true,
      ...(doc.requestBody.description && { description: doc.requestBody.description }),
      content: Object.fromEntries(types.map((type) => [type, { schema: refTo(doc.requestBody!.schema) }])),
    };
  }
  return op;
}

/** Two dialects on one path and method (the shared logins): one operation offering both. */
function mergeOperations(a: Json, b: Json): Json {
  const oneOf = (x: unknown, y: unknown): Json => ({ oneOf: [x, y] });
  const merged: Json = {
    ...a,
    operationId: `${String(a.operationId)}_or_${String(b.operationId)}`,
    tags: [...(a.tags as string[]), ...(b.tags as string[])],
    summary: `${String(a.summary)} / ${String(b.summary)}`,
    description:
      'Shared by two dialects, told apart by the request: a body with userName, or a Virola session cookie or bearer token (and no X-Auth-Token), is Virola; a body with user/username/email, or X-Auth-Token / X-User-Id, is Rocket.Chat; anything else is answered as Rocket.Chat.',
    security: [...(a.security as unknown[]), ...(b.security as unknown[])],
  };
  const responsesA = a.responses as Record<string, Json>;
  const responsesB = b.responses as Record<string, Json>;
  const responses: Record<string, Json> = { ...responsesB, ...responsesA };
  for (const status of Object.keys(responsesA)) {
    const ra = responsesA[status];
    const rb = responsesB[status];
    if (!ra || !rb) continue;
    const ca = (ra.content as Record<string, Json> | undefined)?.['application/json'];
    const cb = (rb.content as Record<string, Json> | undefined)?.['application/json'];
    responses[status] = {
      description: `${String(ra.description)} / ${String(rb.description)}`,
      ...(ca && cb && { content: { 'application/json': { schema: oneOf(ca.schema, cb.schema) } } }),
      ...((ra.headers !== undefined || rb.headers !== undefined) && {
        headers: { ...((rb.headers ?? {}) as Json), ...((ra.headers ?? {}) as Json) },
      }),
    };
  }
  merged.responses = responses;
  const bodyA = a.requestBody as Json | undefined;
  const bodyB = b.requestBody as Json | undefined;
  if (bodyA || bodyB) {
    const contentA = (bodyA?.content ?? {}) as Record<string, Json>;
    const contentB = (bodyB?.content ?? {}) as Record<string, Json>;
    const content: Record<string, Json> = { ...contentB, ...contentA };
    for (const type of Object.keys(contentA)) {
      if (contentB[type]) content[type] = { schema: oneOf(contentA[type]?.schema, contentB[type]?.schema) };
    }
    merged.requestBody = { required: Boolean(bodyA?.required || bodyB?.required), content };
  }
  const params = [...((a.parameters as Json[]) ?? []), ...((b.parameters as Json[]) ?? [])];
  const unique = params.filter((p, i) => params.findIndex((q) => q.name === p.name && q.in === p.in) === i);
  if (unique.length > 0) merged.parameters = unique;
  return merged;
}

export function buildOpenApiDocument(config: RestConfig, dialects: readonly Dialect[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const dialect of dialects) {
    const prefix = dialect.prefix(config);
    for (const route of dialect.routes) {
      const path = openApiPath(prefix, route.path);
      const method = route.method.toLowerCase();
      const item = (paths[path] ??= {});
      const op = operation(dialect, route);
      const existing = item[method];
      item[method] = existing ? mergeOperations(existing, op) : op;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'chat-bff REST compatibility API',
      version: '1.0.0',
      description:
        'The documented endpoints of IMKit, Rocket.Chat and Virola, served from one domain layer. Each dialect answers in its own envelope and error shape.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'IMKit', description: `Mounted at "${config.IMKIT_PREFIX || '/'}"` },
      { name: 'Rocket.Chat', description: `Mounted at "${config.ROCKETCHAT_PREFIX || '/'}"` },
      { name: 'Virola', description: `Mounted at "${config.VIROLA_PREFIX || '/'}"` },
    ],
    paths,
    components: { securitySchemes: SECURITY_SCHEMES, schemas: componentSchemas() },
  };
}
