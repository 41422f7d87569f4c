import { sql, type RawBuilder } from 'kysely';
import type { Membership, Room } from './room.js';

/*
 * A member's unread count: the room's message sequence minus their read sequence, O(1)
 * to read and to write, never below zero. The one rule, in TypeScript for rows already
 * loaded and in SQL for queries that sort or sum by it.
 */

export function unreadOf(room: Pick<Room, 'messageSeq'>, membership: Pick<Membership, 'readSeq'>): number {
  return Math.max(0, room.messageSeq - membership.readSeq);
}

/** unreadOf in SQL, over a query's rooms aliased `r` and memberships aliased `m`. */
export const unreadSql: RawBuilder<number> = sql<number>`greatest(r.message_seq - m.read_seq, 0)`;
