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
