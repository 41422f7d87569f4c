import { exchange, type Exchange, type Outcome } from './http.js';
import { isSend, MIXED, requestFor, sentMessageId, type Op, type Send } from './operations.js';
import type { World } from './world.js';

/*
 * Clients driving chat-bff: each loops over the operation mix as one user, bounded in
 * time and in count, and keeps a record of every exchange and of every acknowledged
 * write. A send that got no acknowledgement (an error, a 503, a dropped connection) is
 * retried with the same clientMessageId until it is acknowledged, as a careful client
 * does: a retry must return the first message, never store a second one.
 */

export interface Sample {
  op: string;
  client: number;
  start: number;
  end: number;
  status: number;
  outcome: Outcome;
  detail: string;
}

export interface Ack {
  clientMessageId: string;
  messageId: string;
  roomId: string;
  userId: string;
  /** When the acknowledgement arrived (performance.now()). */
  at: number;
}

export interface LoadOptions {
  baseUrl: () => string;
  world: World;
  clients: number;
  /** Stop after this long, whatever else. */
  seconds: number;
  /** Stop starting requests after this many in all (default 200,000: a bound however fast the server is). */
  maxRequests?: number;
  /** Operations to draw from (default: the mixed load). */
  ops?: readonly Op[];
  /** Issue this many distinct sends in all, then only retry the unacknowledged ones. */
  sends?: number;
  /** Rooms no client sends into (a scenario holds them). */
  avoidRooms?: ReadonlySet<string>;
  /** Pause after an answer that was not ok, so a refused connection is not a busy loop. */
  backoffMs?: number;
  seed: number;
  /** Run id: part of every clientMessageId, so runs on one database never collide. */
  label: string;
}

export interface LoadRun {
  samples: Sample[];
  /** Acknowledged sends by clientMessageId. */
  acks: Map<string, Ack>;
  /** A clientMessageId acknowledged twice with different message ids. */
  conflicts: string[];
  /** Distinct sends issued. */
  sendsIssued(): number;
  /** Sends issued but not (yet) acknowledged. */
  unacknowledged(): number;
  stop(): void;
  done: Promise<void>;
}

export function startLoad(options: LoadOptions): LoadRun {
  const samples: Sample[] = [];
  const acks = new Map<string, Ack>();
  const conflicts: string[] = [];
  const ops = options.ops ?? MIXED;
  const maxRequests = options.maxRequests ?? 200_000;
  const deadline = performance.now() + options.seconds * 1000;
  let stopped = false;
  let started = 0;
  let issued = 0;
  let pending = 0;

  const client = async (index: number) => {
    const random = mulberry32(options.seed * 1000 + index);
    const user = options.world.users[index % options.world.users.length]!;
    const rooms = user.rooms.filter((r) => !options.avoidRooms?.has(r));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    let retry: { op: Send; roomId: string; clientMessageId: string } | undefined;
    let n = 0;
    while (!stopped && performance.now() < deadline && started < maxRequests) {
      let op: Op;
      let roomId: string;
      let clientMessageId = '';
      if (retry) {
        ({ op, roomId, clientMessageId } = retry);
      } else {
        op = pick(ops);
        if (isSend(op) && options.sends !== undefined && issued >= options.sends) {
          if (ops.every(isSend)) break;
          continue;
        }
        roomId = rooms.length > 0 ? pick(rooms) : (user.rooms[0] ?? '');
        if (isSend(op)) {
          if (rooms.length === 0) continue;
          clientMessageId = `${options.label}-${index}-${n++}`;
          issued++;
          pending++;
        }
      }
      started++;
      const answer: Exchange = await exchange(
        options.baseUrl(),
        requestFor(options.world, user, op, roomId, clientMessageId),
      );
      samples.push({
        op,
        client: index,
        start: answer.start,
        end: answer.end,
        status: answer.status,
        outcome: answer.outcome,
        detail: answer.detail,
      });
      if (isSend(op)) {
        const messageId = answer.outcome === 'ok' ? sentMessageId(answer) : undefined;
        if (messageId) {
          const before = acks.get(clientMessageId);
          if (before && before.messageId !== messageId) conflicts.push(clientMessageId);
          if (!before) pending--;
          acks.set(clientMessageId, {
            clientMessageId,
            messageId,
            roomId,
            userId: user.userId,
            at: answer.end,
          });
          retry = undefined;
        } else if (answer.status >= 400 && answer.status < 500 && answer.outcome === 'error') {
          retry = undefined; // refused for good (a client error): retrying the same request cannot help
          pending--;
        } else {
          retry = { op, roomId, clientMessageId };
        }
      }
      if (answer.outcome !== 'ok' && options.backoffMs) await sleep(options.backoffMs);
    }
  };

  const done = Promise.all(Array.from({ length: options.clients }, (_, i) => client(i))).then(
    () => undefined,
  );
  return {
    samples,
    acks,
    conflicts,
    sendsIssued: () => issued,
    unacknowledged: () => pending,
    stop: () => {
      stopped = true;
    },
    done,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG: the same --seed gives the same operation sequence per client. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
