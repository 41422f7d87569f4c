import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

/*
 * Checks values against schemas inside the OpenAPI 3.1 document with ajv, under JSON Schema
 * 2020-12 (the document's jsonSchemaDialect). Strict: a keyword ajv does not know (a typo such
 * as `requried`), an unknown format or a `required` name missing from `properties` makes the
 * schema fail to compile instead of being skipped, so the document cannot pass by saying less
 * than it seems to.
 */

const DOCUMENT_ID = 'https://chat-bff.invalid/openapi.json';

// The OpenAPI Object's own fields. They are not JSON Schema keywords; ajv is told they are
// inert so that it can compile the document as the root that "#/components/schemas/..." refs
// point into. They are only ever met at that root, never inside a schema.
const OPENAPI_OBJECT_FIELDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];

/** Checks `value` against the schema at `pointer` (JSON Pointer segments) in the document. */
export type SchemaCheck = (value: unknown, pointer: readonly string[]) => string[];

export function openApiSchemaCheck(document: object): SchemaCheck {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajvFormats.default(ajv);
  ajv.addVocabulary(OPENAPI_OBJECT_FIELDS);
  ajv.addSchema(document, DOCUMENT_ID);
  return (value, pointer) => {
    const fragment = pointer
      .map((segment) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1')))
      .join('/');
    const validate = ajv.getSchema(`${DOCUMENT_ID}#/${fragment}`);
    if (!validate) return [`no schema at /${pointer.join('/')}`];
    return validate(value) ? [] : (validate.errors ?? []).map(describe);
  };
}

function describe(error: ErrorObject): string {
  return `$${error.instancePath.replaceAll('/', '.')}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`;
}
