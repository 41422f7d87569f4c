import type { Db } from '../../db/create-database.js';
import type { EventBus } from '../../realtime/event-bus.js';
import type { RoomEvent } from '../../realtime/events.js';
import { createAppLoaders, type AppLoaders } from '../loaders.js';
import { memberKey, pairKey } from '../rooms/member-key.js';
import { defaultPref } from '../rooms/room.js';
import { findRoomWithUsersState } from '../rooms/room.repository.js';

/*
 * A room's event costs this instance the same reads whatever the number of its
 * subscribers here. The first subscriber to take an event reads what the event shows
 * (the room, the message, the users it names) once, and the state of every user
 * subscribed to the room on this instance (membership, read position, pref) in one
 * statement, into loaders the other subscribers of that event share. Each subscriber
 * still authorizes and shapes the event itself, through those loaders; nothing outlives
 * the event, so a member who left is refused at the next one, as a new request would be.
 *
 * The loaders of an event are kept by the event object, which the bus hands to every
 * listener of its topic: they go when the last subscriber's queue lets go of the event.
 */

/** Who listens to which room on this instance, and each event's shared reads. */
export class RoomAudiences {
  /** Per room: how many open feeds each user has (the API key's are not counted: it has no state). */
  private readonly listeners = new Map<string, Map<string, number>>();
  private readonly reads = new WeakMap<RoomEvent, Promise<AppLoaders>>();

  /** Counts a user (null: the API key) as listening to the room here, until the returned function is called. */
  listen(appId: string, roomId: string, userId: string | null): () => void {
    if (userId === null) return () => {};
    const key = pairKey(appId, roomId);
    const users = this.listeners.get(key) ?? new Map<string, number>();
    this.listeners.set(key, users);
    users.set(userId, (users.get(userId) ?? 0) + 1);
    let listening = true;
    return () => {
      if (!listening) return;
      listening = false;
      const count = (users.get(userId) ?? 1) - 1;
      if (count > 0) users.set(userId, count);
      else users.delete(userId);
      if (users.size === 0 && this.listeners.get(key) === users) this.listeners.delete(key);
    };
  }

  /** The event's loaders, read once for everyone listening to its room here (see above). */
  loadersFor(db: Db, event: RoomEvent): Promise<AppLoaders> {
    let read = this.reads.get(event);
    if (!read) {
      const users = this.listeners.get(pairKey(event.appId, event.roomId));
      read = readEvent(db, event, [...(users?.keys() ?? [])]);
      this.reads.set(event, read);
    }
    return read;
  }
}

const audiencesByBus = new WeakMap<EventBus, RoomAudiences>();

/** The instance's audiences: one per bus, as the bus is one per process. */
export function roomAudiencesOf(bus: EventBus): RoomAudiences {
  let audiences = audiencesByBus.get(bus);
  if (!audiences) {
    audiences = new RoomAudiences();
    audiencesByBus.set(bus, audiences);
  }
  return audiences;
}

/**
 * At most three statements, whatever the audience: the room with the listeners' state,
 * the message (in parallel), then every user the event names, its sender included.
 */
async function readEvent(db: Db, event: RoomEvent, userIds: string[]): Promise<AppLoaders> {
  const loaders = createAppLoaders(db, event.appId);
  const message = event.messageId ? loaders.message.load(event.messageId) : Promise.resolve(null);
  const [sent] = await Promise.all([message, primeListenerState(db, loaders, event, userIds)]);
  const named = [...(event.userIds ?? [])];
  if (event.actorId !== null) named.push(event.actorId);
  if (sent) named.push(sent.senderId);
  if (named.length > 0) await loaders.user.loadMany(named);
  return loaders;
}

/** Primes the room and each listener's membership and pref (their defaults when they have none). */
async function primeListenerState(
  db: Db,
  loaders: AppLoaders,
  event: RoomEvent,
  userIds: string[],
): Promise<void> {
  const { appId, roomId } = event;
  if (event.type === 'ROOM_DELETED') {
    // The room cannot be read any more; who may hear of it is decided by their membership.
    await loaders.membership.loadMany(userIds.map((userId) => memberKey(roomId, userId)));
    return;
  }
  const { room, states } = await findRoomWithUsersState(db, appId, roomId, userIds);
  loaders.liveRoom.prime(roomId, room);
  if (!room) {
    await loaders.membership.loadMany(userIds.map((userId) => memberKey(roomId, userId)));
    return;
  }
  const byUser = new Map(states.map((state) => [state.userId, state]));
  for (const userId of userIds) {
    const state = byUser.get(userId);
    const key = memberKey(roomId, userId);
    loaders.membership.prime(key, state?.membership ?? null);
    loaders.pref.prime(key, state?.pref ?? defaultPref(appId, userId, roomId));
  }
}
