import { requireUser, requireViewer } from '../../domain/access.js';
import { NotFoundError } from '../../domain/errors.js';
import type { User } from '../../domain/users/user.js';
import { builder, type GraphQLContext } from '../builder.js';

/** A person (or bot) of the viewer's app. */
export const UserRef = builder.objectRef<User>('User');

builder.node(UserRef, {
  description: 'A person or bot of the app.',
  id: { resolve: (user) => user.id },
  fields: (t) => ({
    userId: t.exposeString('id', { description: "The app's own id of the user (IMKit `_id`)." }),
    numericId: t.exposeInt('numId', { description: 'The numeric id of the user within the app.' }),
    username: t.exposeString('username'),
    nickname: t.exposeString('nickname'),
    avatarUrl: t.exposeString('avatarUrl'),
    description: t.exposeString('description'),
    isRobot: t.exposeBoolean('isRobot'),
    lastLoginTime: t.expose('lastLoginAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description:
      'The authenticated user. The app API key acts for the app, not as a user: it gets FORBIDDEN here.',
    resolve: (_root, _args, ctx) => ctx.loaders.user.load(requireUser(ctx).userId),
  }),
);

/** A user by id, for node(): any user of the viewer's app. */
export async function loadUserNode(ctx: GraphQLContext, id: string): Promise<User> {
  requireViewer(ctx);
  const user = await ctx.loaders.user.load(id);
  if (!user) throw new NotFoundError(`User "${id}" does not exist`, { reason: 'USER_NOT_FOUND' });
  return user;
}

/** A user another row points at (a message's sender, a member): foreign keys guarantee the row. */
export async function loadReferencedUser(ctx: GraphQLContext, userId: string): Promise<User> {
  const user = await ctx.loaders.user.load(userId);
  if (!user) throw new Error(`User "${userId}" is referenced but has no row`);
  return user;
}
