import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
  type DomainError,
} from '../../domain/errors.js';
import { builder } from '../builder.js';

/*
 * Every DomainError a service throws on purpose is a GraphQL type a mutation result can
 * be: clients switch on __typename (or on `code`), read `reason` for the finer cause
 * (NOT_ROOM_MEMBER, ROOM_READ_ONLY, ...) and `field` for the input that was wrong.
 * Anything else a resolver throws stays a top-level error (masked when unexpected).
 */

const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'The stable code of an expected failure (the same codes as extensions.code of top-level errors).',
  values: {
    UNAUTHENTICATED: { description: 'No or invalid credentials.' },
    FORBIDDEN: { description: 'The viewer may not do this.' },
    NOT_FOUND: { description: "What the input names does not exist (in the viewer's app)." },
    BAD_USER_INPUT: { description: 'The input is invalid; `field` names which part.' },
    CONFLICT: {
      description:
        "It clashes with something that exists (a taken id or username) or with what must stay true (LAST_OWNER: a room's last owner).",
    },
    RATE_LIMITED: {
      description:
        'The viewer (or client address) went over a limit (failed logins, writes, open subscriptions): retry after `extensions.retryAfter` seconds; `extensions.rateLimit` names the limit. Only ever a top-level error.',
    },
    SERVICE_UNAVAILABLE: {
      description:
        'The database cannot answer now (down, restarting, busy, or past the request deadline): retry after `extensions.retryAfter` seconds. Only ever a top-level error.',
    },
  } as const,
});

const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure of a mutation, returned in its result union.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'For people: what went wrong.' }),
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    reason: t.string({
      nullable: true,
      description: 'For programs: the finer cause, e.g. NOT_ROOM_MEMBER, ROOM_READ_ONLY, ROOM_NOT_FOUND.',
      resolve: (error) => error.reason ?? null,
    }),
    field: t.string({
      nullable: true,
      description: 'The input field that was wrong (BAD_USER_INPUT).',
      resolve: (error) => error.field ?? null,
    }),
  }),
});

const described = {
  UnauthenticatedError: 'The request carries no valid credentials.',
  ForbiddenError: 'The viewer may not do this (not a member, not a moderator, not the API key, ...).',
  NotFoundError: "What the input names does not exist in the viewer's app.",
  InvalidInputError: 'The input is invalid; `field` names which part.',
  ConflictError: 'It clashes with something that exists.',
};

builder.objectType(UnauthenticatedError, {
  name: 'UnauthenticatedError',
  description: described.UnauthenticatedError,
  interfaces: [ErrorInterface],
});
builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: described.ForbiddenError,
  interfaces: [ErrorInterface],
});
builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: described.NotFoundError,
  interfaces: [ErrorInterface],
});
builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  description: described.InvalidInputError,
  interfaces: [ErrorInterface],
});
builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: described.ConflictError,
  interfaces: [ErrorInterface],
});

const DOMAIN_ERRORS = [UnauthenticatedError, ForbiddenError, NotFoundError, InvalidInputError, ConflictError];

/** The `errors` option of a mutation field: its payload or any DomainError, as the union `<Name>Result`. */
export function mutationErrors(name: string) {
  return {
    types: DOMAIN_ERRORS,
    directResult: true as const,
    union: {
      name: `${name}Result`,
      description: `What ${name.charAt(0).toLowerCase()}${name.slice(1)} returns: its payload, or why it failed.`,
    },
  };
}
