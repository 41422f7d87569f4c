import type { RoomPref } from '../../domain/rooms/room.js';
import { builder } from '../builder.js';

/** The viewer's own settings for a room (not a Node: it is reached through its room). */
export const UserRoomPrefRef = builder.objectRef<RoomPref>('UserRoomPref');

UserRoomPrefRef.implement({
  description: "The viewer's own settings for a room; a room they never configured has the defaults.",
  fields: (t) => ({
    tags: t.exposeStringList('tags', {
      description: "The viewer's tags for the room (filter rooms by them).",
    }),
    tagColors: t.expose('tagColors', {
      type: 'JSON',
      description: 'A color per tag: an object of tag -> "#rrggbb".',
    }),
    hidden: t.exposeBoolean('hidden'),
    sticky: t.exposeBoolean('sticky', { description: 'Pinned to the top of the list by the client.' }),
    muted: t.exposeBoolean('muted'),
    folder: t.exposeString('folder', { nullable: true }),
  }),
});
