import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { roomNotFound } from '../access.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { findMemberships, hasOtherOwner } from './membership.repository.js';
import { lockRoom } from './room.repository.js';
import type { Membership, MemberRole, Room } from './room.js';

/*
 * Who may change whose place in a room, in one place for every membership write
 * (addMembers, removeMember/leaveRoom, setMemberRole):
 * - the app's API key and the room's owners may add, remove and set any role;
 * - moderators add members and moderators, remove and (un)make anyone but an owner:
 *   they can neither touch an owner nor mint one;
 * - a member may only remove themselves (leave);
 * - a room that has an owner never loses its last one, whoever asks (the API key too):
 *   removing, demoting or the leaving of its last owner is CONFLICT (LAST_OWNER). Promote
 *   someone first, or delete the room. A direct room is exempt: it has nothing to manage,
 *   either of its two users may leave, and createRoom reopens it.
 * The roles are read under the room's row lock (see lockMembers), so two owners demoting
 * each other at once cannot both pass the last-owner check.
 */

type Executor = Kysely<Database>;

/** What the actor is in the room: 'platform' for the app's API key, else their current role. */
export type ActorRole = 'platform' | MemberRole;

export type MembershipChange =
  | { kind: 'add'; role: MemberRole }
  | { kind: 'remove'; target: Membership }
  | { kind: 'setRole'; target: Membership; role: MemberRole };

/** The room and the current roles of the actor and the named users, read under the room's row lock. */
export interface LockedMembers {
  room: Room;
  actor: ActorRole;
  /** Current (not left) memberships of the actor and the named users, by user id. */
  members: Map<string, Membership>;
}

/**
 * Locks the room row (FOR UPDATE) inside `trx` and reads, after the lock, the actor's and
 * the given users' current memberships: every membership write serializes on the room,
 * so what the checks see is what the write changes. FORBIDDEN (NOT_ROOM_MEMBER) if the
 * actor is no longer in the room.
 */
export async function lockMembers(
  trx: Executor,
  room: Room,
  viewer: Viewer,
  userIds: readonly string[],
): Promise<LockedMembers> {
  const locked = await lockRoom(trx, room.appId, room.id);
  if (!locked) throw roomNotFound(room.id);
  const ids = [...new Set([...(viewer.userId !== null ? [viewer.userId] : []), ...userIds])];
  const rows = await findMemberships(
    trx,
    room.appId,
    ids.map((userId) => ({ roomId: room.id, userId })),
  );
  const members = new Map(rows.filter((m) => m.leftAt === null).map((m) => [m.userId, m]));
  const actor = viewer.superuser ? 'platform' : members.get(viewer.userId ?? '')?.role;
  if (!actor) {
    // They left (or were removed) since the request began.
    throw new ForbiddenError('Client is not in the room or room does not exist', {
      reason: 'NOT_ROOM_MEMBER',
    });
  }
  return { room: locked, actor, members };
}

/** Throws FORBIDDEN unless `actor` (the viewer, `actorId`) may make this change. */
export function authorizeMembershipChange(
  actor: ActorRole,
  actorId: string | null,
  change: MembershipChange,
): void {
  if (change.kind === 'remove' && change.target.userId === actorId) return; // leaving
  if (actor === 'platform' || actor === 'owner') return;
  if (actor === 'member') {
    throw new ForbiddenError('Only the room owners and moderators may do this', {
      reason: 'NOT_ROOM_MODERATOR',
    });
  }
  // A moderator: never an owner's place, never a new owner.
  const touchesOwner =
    (change.kind !== 'add' && change.target.role === 'owner') ||
    (change.kind !== 'remove' && change.role === 'owner');
  if (touchesOwner) {
    throw new ForbiddenError('Only owners may grant, take or remove the owner role', {
      reason: 'NOT_ROOM_OWNER',
    });
  }
}

/**
 * Throws CONFLICT (LAST_OWNER) if this change would leave a room with owners without
 * any: the target is an owner, stops being one, and no other current owner is left.
 */
export async function keepAnOwner(trx: Executor, room: Room, change: MembershipChange): Promise<void> {
  if (change.kind === 'add' || change.target.role !== 'owner') return;
  if (change.kind === 'setRole' && change.role === 'owner') return;
  if (room.roomType === 'direct') return;
  if (await hasOtherOwner(trx, room.appId, room.id, change.target.userId)) return;
  throw new ConflictError(
    `"${change.target.userId}" is the last owner of room "${room.id}": make another member owner first, or delete the room`,
    { reason: 'LAST_OWNER' },
  );
}
