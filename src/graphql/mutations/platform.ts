import {
  createAppUser,
  issueClientToken,
  revokeClientToken,
  revokeUserTokens,
  updateAppUser,
} from '../../domain/platform/platform.service.js';
import type { User, UserInput } from '../../domain/users/user.js';
import { builder } from '../builder.js';
import { definedOnly } from '../inputs.js';
import { UserRef } from '../types/user.js';
import { mutationErrors } from './error-types.js';
import { CLIENT_MUTATION_ID, echo, payloadType, type PayloadBase } from './relay-mutation.js';

/*
 * The platform API: mutations for the app's own servers, authenticated with the app's
 * API key (IM-API-KEY: sk_..., or Authorization: Bearer sk_...). Anyone else gets
 * ForbiddenError (reason API_KEY_REQUIRED). Creating rooms with members (ownerId) and
 * posting as any member (senderId) are createRoom and sendMessage.
 */

const UserPayload = (name: string, description: string) =>
  payloadType<PayloadBase & { user: User }>(name, description, (p) => ({
    user: p.field({ type: UserRef, resolve: (payload) => payload.user }),
  }));

const userFields = {
  username: 'Unique in the app; defaults to the user id. Used by password logins.',
  nickname: 'The display name; defaults to the username.',
  password: 'For the Rocket.Chat and Virola password logins (6-512 characters); stored as an argon2 hash.',
};

/** createUser and updateUser take the same fields; each type differs only in its descriptions. */
const userInputType = (name: string, docs: { type?: string; userId?: string }) =>
  builder.inputType(name, {
    ...(docs.type === undefined ? {} : { description: docs.type }),
    fields: (t) => ({
      userId: t.string({
        required: true,
        ...(docs.userId === undefined ? {} : { description: docs.userId }),
      }),
      username: t.string({ description: userFields.username }),
      nickname: t.string({ description: userFields.nickname }),
      avatarUrl: t.string(),
      description: t.string(),
      isRobot: t.boolean(),
      password: t.string({ description: userFields.password }),
      clientMutationId: t.string(CLIENT_MUTATION_ID),
    }),
  });

const CreateUserInputType = userInputType('CreateUserInput', {
  userId: 'The app\'s own id for the user, e.g. "user-a".',
});

function userInput(input: {
  username?: string | null | undefined;
  nickname?: string | null | undefined;
  avatarUrl?: string | null | undefined;
  description?: string | null | undefined;
  isRobot?: boolean | null | undefined;
  password?: string | null | undefined;
}): UserInput {
  const { username, nickname, avatarUrl, description, isRobot, password } = definedOnly(input);
  return definedOnly({ username, nickname, avatarUrl, description, isRobot, password });
}

builder.mutationField('createUser', (t) =>
  t.field({
    type: UserPayload('CreateUser', 'The user created.'),
    description: 'API key only: creates a user of the app.',
    args: { input: t.arg({ type: CreateUserInputType, required: true }) },
    errors: mutationErrors('CreateUser'),
    resolve: async (_root, { input }, ctx) => ({
      ...echo(input),
      user: await createAppUser(ctx, input.userId, userInput(input)),
    }),
  }),
);

const UpdateUserInputType = userInputType('UpdateUserInput', {
  type: 'The fields to change; a field left out (or null) stays as it is.',
});

builder.mutationField('updateUser', (t) =>
  t.field({
    type: UserPayload('UpdateUser', 'The user as changed.'),
    description:
      "API key only: changes a user of the app. A new password signs the user out of their password logins at once (Rocket.Chat auth tokens, Virola sessions are revoked with the change); client tokens from issueClientToken keep working: the app's server manages them (revokeUserTokens, revokeClientToken).",
    args: { input: t.arg({ type: UpdateUserInputType, required: true }) },
    errors: mutationErrors('UpdateUser'),
    resolve: async (_root, { input }, ctx) => ({
      ...echo(input),
      user: await updateAppUser(ctx, input.userId, userInput(input)),
    }),
  }),
);

const IssueClientTokenInputType = builder.inputType('IssueClientTokenInput', {
  fields: (t) => ({
    userId: t.string({ required: true }),
    ttlSeconds: t.int({
      description:
        "Lifetime in seconds (60 to 10 years); default the server's TOKEN_TTL_SECONDS (30 days unless set).",
    }),
    neverExpires: t.boolean({ description: 'A token without expiry (ttlSeconds is then ignored).' }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('issueClientToken', (t) =>
  t.field({
    type: payloadType<PayloadBase & { token: string; expiresAt: Date | null; user: User }>(
      'IssueClientToken',
      "A client token for the app's client to authenticate with (Authorization: Bearer <token>, or IMKit's IM-Authorization).",
      (p) => ({
        token: p.exposeString('token', { description: 'Shown once: only its hash is stored.' }),
        expiresAt: p.field({ type: 'DateTime', nullable: true, resolve: (payload) => payload.expiresAt }),
        user: p.field({ type: UserRef, resolve: (payload) => payload.user }),
      }),
    ),
    description: 'API key only: issues a client token for a user of the app.',
    args: { input: t.arg({ type: IssueClientTokenInputType, required: true }) },
    errors: mutationErrors('IssueClientToken'),
    resolve: async (_root, { input }, ctx) => {
      const ttl = input.neverExpires ? null : (input.ttlSeconds ?? ctx.tokenTtlSeconds);
      return { ...echo(input), ...(await issueClientToken(ctx, input.userId, ttl)) };
    },
  }),
);

const RevokeClientTokenInputType = builder.inputType('RevokeClientTokenInput', {
  fields: (t) => ({
    token: t.string({ required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('revokeClientToken', (t) =>
  t.field({
    type: payloadType<PayloadBase & { revoked: boolean }>(
      'RevokeClientToken',
      'Whether a live token was revoked.',
      (p) => ({
        revoked: p.exposeBoolean('revoked', {
          description: "false for a token that is unknown, expired, already revoked, or another app's.",
        }),
      }),
    ),
    description: 'API key only: revokes one token of the app (it stops working at once).',
    args: { input: t.arg({ type: RevokeClientTokenInputType, required: true }) },
    errors: mutationErrors('RevokeClientToken'),
    resolve: async (_root, { input }, ctx) => ({
      ...echo(input),
      revoked: await revokeClientToken(ctx, input.token),
    }),
  }),
);

const RevokeUserTokensInputType = builder.inputType('RevokeUserTokensInput', {
  fields: (t) => ({
    userId: t.string({ required: true }),
    clientMutationId: t.string(CLIENT_MUTATION_ID),
  }),
});

builder.mutationField('revokeUserTokens', (t) =>
  t.field({
    type: payloadType<PayloadBase & { revokedCount: number }>(
      'RevokeUserTokens',
      'How many tokens were revoked.',
      (p) => ({
        revokedCount: p.exposeInt('revokedCount'),
      }),
    ),
    description: 'API key only: revokes every live token of a user (client tokens, logins and sessions).',
    args: { input: t.arg({ type: RevokeUserTokensInputType, required: true }) },
    errors: mutationErrors('RevokeUserTokens'),
    resolve: async (_root, { input }, ctx) => ({
      ...echo(input),
      revokedCount: await revokeUserTokens(ctx, input.userId),
    }),
  }),
);
