import { createHash } from 'node:crypto';

/*
 * The shape of a generated data set, decided in plain numbers before any SQL runs, so
 * it can be read (and tested) without a database. Skewed like real chat:
 * - rooms: ~40% direct (2 members); one "big" room per 2,000 rooms (2,000-3,000 members,
 *   or everyone when there are fewer users), the rest small groups whose size follows an
 *   exponential tail (3, 4, 5 ... a few in the hundreds);
 * - users: the average user is in about TARGET_ROOMS_PER_USER rooms; 1% are heavy users
 *   who join 1,000-2,000 group rooms;
 * - messages: Zipf over rooms (the k-th busiest room gets 1/k of the busiest one's
 *   share); the big rooms are the busiest, so at 10M messages the busiest has ~800k.
 */

export interface GenerateOptions {
  appId: string;
  users: number;
  rooms: number;
  messages: number;
  /** Same seed and same `until`: the same rows. */
  seed: number;
  /** The newest message time; everything else is placed before it. */
  until: Date;
}

export interface GeneratePlan {
  users: number;
  rooms: number;
  messages: number;
  bigRooms: number;
  directRooms: number;
  groupRooms: number;
  /** Mean size of a small group room (3 or more). */
  meanGroupSize: number;
  heavyUsers: number;
  /** Sum of 1/k for k = 1..rooms: the Zipf normalizer. */
  harmonic: number;
  /** 8 hex digits that keep message ids of different seeds apart. */
  seedHex: string;
  /** Zero-padded width of the numbers in generated ids (user-000042). */
  idWidth: number;
  windowMs: number;
}

export const TARGET_ROOMS_PER_USER = 50;
export const HISTORY_WINDOW_MS = 90 * 24 * 3600 * 1000;
const DIRECT_SHARE = 0.4;
const ROOMS_PER_BIG_ROOM = 2000;
const BIG_ROOM_MEAN_SIZE = 2500;

export function planDataset(options: GenerateOptions): GeneratePlan {
  const { users, rooms, messages } = options;
  const bigRooms = rooms >= 10 && users >= 3 ? Math.max(1, Math.round(rooms / ROOMS_PER_BIG_ROOM)) : 0;
  // Distinct pairs (a, a+k mod users) for k up to (users-1)/2 never repeat.
  const maxDirect = users * Math.floor((users - 1) / 2);
  const directRooms = Math.min(Math.round(rooms * DIRECT_SHARE), maxDirect, rooms - bigRooms);
  const groupRooms = rooms - bigRooms - directRooms;
  const bigMemberships = bigRooms * Math.min(users, BIG_ROOM_MEAN_SIZE);
  const wanted = TARGET_ROOMS_PER_USER * users - 2 * directRooms - bigMemberships;
  const meanGroupSize = groupRooms > 0 ? clamp(wanted / groupRooms, 3, 100) : 3;
  let harmonic = 0;
  for (let k = 1; k <= rooms; k++) harmonic += 1 / k;
  return {
    users,
    rooms,
    messages,
    bigRooms,
    directRooms,
    groupRooms,
    meanGroupSize,
    heavyUsers: users >= 100 ? Math.ceil(users / 100) : 0,
    harmonic,
    seedHex: createHash('sha256').update(`chat-bff seed ${options.seed}`).digest('hex').slice(0, 8),
    idWidth: Math.max(6, String(Math.max(users, rooms)).length),
    windowMs: HISTORY_WINDOW_MS,
  };
}

export function generatedUserId(index: number, plan: Pick<GeneratePlan, 'idWidth'>): string {
  return `user-${String(index).padStart(plan.idWidth, '0')}`;
}

export function generatedRoomId(index: number, plan: Pick<GeneratePlan, 'idWidth'>): string {
  return `room-${String(index).padStart(plan.idWidth, '0')}`;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
