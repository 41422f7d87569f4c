import { relayPage } from '../../domain/pagination.js';
import { MEMBER_ORDER_KEY } from '../../domain/rooms/list-orders.js';
import { getRoomMemberForViewer, pageRoomMembers } from '../../domain/rooms/membership.service.js';
import type { RoomMember } from '../../domain/rooms/room.js';
import type { User } from '../../domain/users/user.js';
import { builder, type GraphQLContext } from '../builder.js';
import { relayArgs, toConnection } from '../connection.js';
import { memberNodeKey, parseMemberNodeKey } from '../global-ids.js';
import { RoomRef } from './room.js';
import { loadReferencedUser, UserRef } from './user.js';

/** A user as a member of one room. */
export const MemberRef = builder.objectRef<RoomMember>('Member');

export const MemberRoleEnum = builder.enumType('MemberRole', {
  values: {
    OWNER: { value: 'owner' },
    MODERATOR: { value: 'moderator' },
    MEMBER: { value: 'member' },
  } as const,
});

function userOf(member: RoomMember, ctx: GraphQLContext): User | Promise<User> {
  return member.user ?? loadReferencedUser(ctx, member.membership.userId);
}

/** A field of the member's user: synchronous when the member list brought the user along. */
function userField<T>(pick: (user: User) => T) {
  return (member: RoomMember, _args: unknown, ctx: GraphQLContext): T | Promise<T> =>
    member.user ? pick(member.user) : loadReferencedUser(ctx, member.membership.userId).then(pick);
}

/** A member by node key, for node(). */
export function loadMemberNode(ctx: GraphQLContext, key: string): Promise<RoomMember> {
  const { roomId, userId } = parseMemberNodeKey(key);
  return getRoomMemberForViewer(ctx, roomId, userId);
}

builder.node(MemberRef, {
  description: "A user as a member of one room: the user's fields flattened, plus the room-scoped ones.",
  id: { resolve: (m) => memberNodeKey(m.membership.roomId, m.membership.userId) },
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (m, _a, ctx) => userOf(m, ctx) }),
    userId: t.string({ description: "The user's external id.", resolve: (m) => m.membership.userId }),
    username: t.string({ resolve: userField((u) => u.username) }),
    nickname: t.string({ resolve: userField((u) => u.nickname) }),
    avatarUrl: t.string({ resolve: userField((u) => u.avatarUrl) }),
    description: t.string({ resolve: userField((u) => u.description) }),
    isRobot: t.boolean({ resolve: userField((u) => u.isRobot) }),
    lastLoginTime: t.field({ type: 'DateTime', nullable: true, resolve: userField((u) => u.lastLoginAt) }),
    role: t.field({ type: MemberRoleEnum, resolve: (m) => m.membership.role }),
    joinedTime: t.field({ type: 'DateTime', resolve: (m) => m.membership.joinedAt }),
    badge: t.int({
      description: "The member's unread message count in this room.",
      resolve: (m) => m.unread,
    }),
  }),
});

builder.objectFields(RoomRef, (t) => ({
  viewerMembership: t.field({
    type: MemberRef,
    nullable: true,
    description: "The viewer's own membership (null for the app's API key).",
    resolve: (v) => v.membership && { membership: v.membership, unread: v.unread },
  }),
  members: t.connection(
    {
      type: MemberRef,
      description: 'The current members, oldest first. totalCount is the member count.',
      resolve: async (v, args, ctx) => {
        const page = await pageRoomMembers(ctx, v.room, relayPage(relayArgs(args), MEMBER_ORDER_KEY));
        return toConnection(page, () => v.room.memberCount);
      },
    },
    { name: 'MemberConnection' },
    { name: 'MemberEdge' },
  ),
}));
