import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';

/*
 * Files travel as GraphQL multipart requests (github.com/jaydenseric/graphql-multipart-request-spec),
 * which graphql-yoga parses by itself: a variable of type File receives the uploaded
 * part as a web File. Supported by apollo-upload-client, urql's multipart exchange and curl -F.
 */

builder.scalarType('File', {
  description: 'A file uploaded with a GraphQL multipart request (input only).',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar');
  },
  parseValue: (value) => {
    if (isUploadedFile(value)) return value;
    throw new GraphQLError('File must be an uploaded file: send the request as multipart/form-data', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});

// Yoga's multipart parser may hand over its own File implementation: recognize it by shape.
function isUploadedFile(value: unknown): value is File {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    typeof file['arrayBuffer'] === 'function' &&
    typeof file['name'] === 'string' &&
    typeof file['type'] === 'string'
  );
}
