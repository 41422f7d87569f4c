import type { Viewer } from './viewer.js';

/*
 * The writes a caller may be limited on: the domain's write services, by name. Each one
 * counts itself on RequestContext.writeLimits before it reads or changes anything. How
 * fast each may go is the limits' business; the domain only declares what it asks them.
 */

export const WRITE_OPERATIONS = [
  'sendMessage',
  'editMessage',
  'deleteMessage',
  'setReaction',
  'createRoom',
  'updateRoom',
  'deleteRoom',
  'addMembers',
  'removeMember',
  'setMemberRole',
  'markRoomRead',
  'updateRoomPref',
  'createAppUser',
  'updateAppUser',
  'issueClientToken',
  'revokeClientToken',
  'revokeUserTokens',
] as const;

export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

export function isWriteOperation(name: string): name is WriteOperation {
  return (WRITE_OPERATIONS as readonly string[]).includes(name);
}

export interface WriteLimits {
  /** Counts one `operation` by `viewer`; throws RateLimitedError when a limit is used up. Nothing is done then. */
  consume(viewer: Viewer, operation: WriteOperation): Promise<void>;
}

/** No limits: the CLI, seeding, and a server with RATE_LIMITS_ENABLED=false. */
export const unlimitedWrites: WriteLimits = { consume: () => Promise.resolve() };
