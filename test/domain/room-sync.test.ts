import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessage } from '../../src/domain/messages/message.service.js';
import { addMembers, removeMember } from '../../src/domain/rooms/membership.service.js';
import { createRoom, deleteRoom } from '../../src/domain/rooms/room.service.js';
import { listRoomChangesSince } from '../../src/domain/rooms/room-list.service.js';
import { updateRoomPref } from '../../src/domain/rooms/pref.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp } from '../support/factories.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

const at = (iso: string) => new Date(iso);

describe('listRoomChangesSince', () => {
  it('reports created, messaged, pref-changed rooms as updates and left or deleted rooms as removals', async () => {
    const app = await createTestApp(database.db, ['me', 'friend']);
    const t0 = at('2026-01-01T00:00:00.000Z');
    const keep = await createRoom(app.as('friend', t0), {
      roomId: 'keep',
      roomType: 'group',
      memberIds: ['me'],
    });
    const quiet = await createRoom(app.as('friend', t0), {
      roomId: 'quiet',
      roomType: 'group',
      memberIds: ['me'],
    });
    const leave = await createRoom(app.as('friend', t0), {
      roomId: 'leave',
      roomType: 'group',
      memberIds: ['me'],
    });
    const doomed = await createRoom(app.as('friend', t0), {
      roomId: 'doomed',
      roomType: 'group',
      memberIds: ['me'],
    });

    const full = await listRoomChangesSince(app.as('me'), null);
    expect(full.updated.map((r) => r.room.id).sort()).toEqual(['doomed', 'keep', 'leave', 'quiet']);
    expect(full.removed).toEqual([]);

    const t1 = at('2026-01-02T00:00:00.000Z');
    const since = at('2026-01-01T12:00:00.000Z');
    await sendMessage(app.as('friend', t1), { roomId: keep.id, body: 'news' });
    const prefRoom = await createRoom(app.as('friend', t0), {
      roomId: 'pref',
      roomType: 'group',
      memberIds: ['me'],
    });
    await updateRoomPref(app.as('me', t1), prefRoom.id, { sticky: true });
    await removeMember(app.as('me', t1), leave.id, 'me');
    await deleteRoom(app.as('friend', t1), doomed.id);
    const joined = await createRoom(app.as('friend', t0), {
      roomId: 'joined',
      roomType: 'group',
      memberIds: [],
    });
    await addMembers(app.as('friend', t1), joined.id, ['me']);

    const delta = await listRoomChangesSince(app.as('me'), since);
    expect(delta.updated.map((r) => r.room.id).sort()).toEqual(['joined', 'keep', 'pref']);
    expect(delta.removed).toEqual([
      { roomId: 'doomed', at: t1 },
      { roomId: 'leave', at: t1 },
    ]);
    expect(delta.updated.find((r) => r.room.id === 'keep')?.unread).toBe(1);
    expect(quiet.id).toBe('quiet');

    // Nothing changed after the last change: an empty delta.
    const none = await listRoomChangesSince(app.as('me'), at('2026-01-03T00:00:00.000Z'));
    expect(none).toEqual({ updated: [], removed: [] });
  });

  it('never reports another user or another app', async () => {
    const app = await createTestApp(database.db, ['a', 'b', 'c']);
    const other = await createTestApp(database.db, ['a']);
    await createRoom(app.as('b'), { roomId: 'bc', roomType: 'group', memberIds: ['c'] });
    await createRoom(other.as('a'), { roomId: 'mine-elsewhere', roomType: 'group', memberIds: [] });
    const changes = await listRoomChangesSince(app.as('a'), null);
    expect(changes.updated).toEqual([]);
  });
});
