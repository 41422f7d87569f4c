/*
 * What happened, as the domain tells it after a write commits. Events carry ids, not
 * data: a subscriber re-reads what it shows through its own viewer's loaders, so
 * authorization is checked per event and no event leaks what its receiver may not see.
 */

export type RoomEventType =
  | 'MESSAGE_ADDED'
  | 'MESSAGE_UPDATED'
  | 'MESSAGE_DELETED'
  | 'REACTION_CHANGED'
  | 'MEMBER_JOINED'
  | 'MEMBER_LEFT'
  | 'MEMBER_ROLE_CHANGED'
  | 'ROOM_UPDATED'
  | 'ROOM_DELETED';

/** Something in a room: every member (and the app's API key) may hear it. */
export interface RoomEvent {
  scope: 'room';
  type: RoomEventType;
  appId: string;
  roomId: string;
  messageId?: string;
  /** Members who joined or left, or whose role changed. */
  userIds?: string[];
  /** Who did it (null for the app's API key). */
  actorId: string | null;
  at: string;
}

export type UserEventType = 'ROOM_ADDED' | 'ROOM_REMOVED' | 'PREF_UPDATED' | 'READ_UPDATED';

/** Something only one user's room list shows. */
export interface UserEvent {
  scope: 'user';
  type: UserEventType;
  appId: string;
  userId: string;
  roomId: string;
  at: string;
}

export type ChatEvent = RoomEvent | UserEvent;

export interface EventPublisher {
  /** Publishes after the write committed; never throws into the write. */
  publish(event: ChatEvent): void;
}

export function roomTopic(appId: string, roomId: string): string {
  return `room:${appId}:${roomId}`;
}

export function userTopic(appId: string, userId: string): string {
  return `user:${appId}:${userId}`;
}

export function topicOf(event: ChatEvent): string {
  return event.scope === 'room' ? roomTopic(event.appId, event.roomId) : userTopic(event.appId, event.userId);
}

/** For contexts that have no listeners (CLI commands, seeding): events go nowhere. */
export const discardEvents: EventPublisher = { publish: () => {} };

const ROOM_EVENT_TYPES: ReadonlySet<string> = new Set<RoomEventType>([
  'MESSAGE_ADDED',
  'MESSAGE_UPDATED',
  'MESSAGE_DELETED',
  'REACTION_CHANGED',
  'MEMBER_JOINED',
  'MEMBER_LEFT',
  'MEMBER_ROLE_CHANGED',
  'ROOM_UPDATED',
  'ROOM_DELETED',
]);
const USER_EVENT_TYPES: ReadonlySet<string> = new Set<UserEventType>([
  'ROOM_ADDED',
  'ROOM_REMOVED',
  'PREF_UPDATED',
  'READ_UPDATED',
]);

/** Whether a value that arrived from outside the process (Redis) is an event this code published. */
export function isChatEvent(value: unknown): value is ChatEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const common =
    typeof e['type'] === 'string' &&
    typeof e['appId'] === 'string' &&
    typeof e['roomId'] === 'string' &&
    typeof e['at'] === 'string';
  if (!common) return false;
  if (e['scope'] === 'room') {
    return (
      ROOM_EVENT_TYPES.has(e['type'] as string) &&
      (e['actorId'] === null || typeof e['actorId'] === 'string') &&
      (e['messageId'] === undefined || typeof e['messageId'] === 'string') &&
      (e['userIds'] === undefined ||
        (Array.isArray(e['userIds']) && e['userIds'].every((id) => typeof id === 'string')))
    );
  }
  return (
    e['scope'] === 'user' && USER_EVENT_TYPES.has(e['type'] as string) && typeof e['userId'] === 'string'
  );
}
