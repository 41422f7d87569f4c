import type { FieldMap, SchemaTypes } from '@pothos/core';
import { builder } from '../builder.js';

/*
 * Relay-style mutation plumbing shared by every mutation: one `input` argument of an
 * `<Name>Input` type and a `<Name>Payload` result, both with clientMutationId (echoed,
 * so a client can match answers to requests).
 */

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** The field builder a payload's fields are made with. */
export type PayloadFieldBuilder<Shape> = PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>;

export interface PayloadBase {
  clientMutationId: string | null;
}

export const CLIENT_MUTATION_ID = {
  description: 'Any string; the payload echoes it (Relay).',
} as const;

/** The clientMutationId of an input, for the payload. */
export function echo(input: { clientMutationId?: string | null | undefined }): PayloadBase {
  return { clientMutationId: input.clientMutationId ?? null };
}

/** A `<Name>Payload` object type: the given fields plus clientMutationId. */
export function payloadType<Shape extends PayloadBase>(
  name: string,
  description: string,
  fields: (t: PayloadFieldBuilder<Shape>) => FieldMap,
) {
  return builder.objectRef<Shape>(`${name}Payload`).implement({
    description,
    fields: (t) => ({
      ...fields(t),
      clientMutationId: t.string({
        nullable: true,
        description: 'The clientMutationId of the input.',
        resolve: (payload) => payload.clientMutationId,
      }),
    }),
  });
}
