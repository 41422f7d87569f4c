import { connect as connectTcp, type Socket } from 'node:net';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { isDatabaseUnavailable } from './errors.js';
import { createStatementNamer } from './prepared-statements.js';
import { DeadlineExceededError, throwIfPastDeadline, withinDeadline } from './request-deadline.js';

/*
 * The pg pool as Kysely sees it, made safe against everything outside the process:
 *
 * - A checked-out client has no error listener in pg-pool (only idle ones do), so a
 *   PostgreSQL restart between two statements of a request emitted an unhandled 'error'
 *   and killed the process. Each checkout gets a listener for as long as it is out.
 * - A client that saw a connection fault, a client-side timeout or a passed deadline is
 *   destroyed on release (release(error)), never handed to the next request: its socket
 *   may be dead, or still owe the answer to a statement we gave up on.
 * - A request's deadline (request-deadline.ts) is checked before each statement, and a
 *   statement still running when it passes is cancelled (PostgreSQL's cancel request),
 *   so the request's 503 is also the end of its cost to the database.
 * - Optionally, statements run as named prepared statements (prepared-statements.ts).
 */

export interface GuardedPoolOptions {
  namedStatements: boolean;
  /** Told about every fault seen on a checked-out client (logging). */
  onClientError?: (error: Error) => void;
}

/** The fields of a connected pg client that a cancel request needs (pg sets them; its typings omit some). */
interface CancelTarget {
  host?: string;
  port?: number;
  processID?: number | null;
  secretKey?: number | null;
}

export function guardPool(pool: pg.Pool, options: GuardedPoolOptions): PostgresPool {
  const nameOf = options.namedStatements ? createStatementNamer() : () => undefined;
  return {
    async connect(): Promise<PostgresPoolClient> {
      throwIfPastDeadline();
      const acquiring = pool.connect();
      let client: pg.PoolClient;
      try {
        client = await withinDeadline(acquiring);
      } catch (error) {
        // Given up on, the connection may still come: back to the pool with it.
        if (error instanceof DeadlineExceededError)
          acquiring.then(
            (late) => late.release(),
            () => {},
          );
        throw error;
      }
      let fault: Error | undefined;
      const onError = (error: Error) => {
        fault ??= error;
        options.onClientError?.(error);
      };
      client.on('error', onError);

      const run = async (text: string, values: readonly unknown[]): Promise<unknown> => {
        if (fault) throw fault;
        try {
          throwIfPastDeadline();
        } catch (error) {
          // Refused mid-transaction (even its ROLLBACK): the connection goes, and PostgreSQL rolls back.
          fault = error as Error;
          throw error;
        }
        const name = nameOf(text);
        const pending = client.query({ text, values: [...values], ...(name !== undefined && { name }) });
        try {
          return await withinDeadline(pending);
        } catch (error) {
          if (error instanceof DeadlineExceededError) {
            cancelStatement(client as unknown as CancelTarget);
            pending.catch(() => {}); // it ends with the connection; nobody waits for it
          }
          // A deadline counts too (its code is DEADLINE_EXCEEDED): the statement was given up on.
          if (isDatabaseUnavailable(error)) fault ??= error as Error;
          throw error;
        }
      };

      function query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
      function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
      function query(textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]): unknown {
        // Kysely streams through a cursor object (never used here, but passed on untouched).
        if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
        return run(textOrCursor, values ?? []);
      }
      return {
        query,
        release() {
          client.off('error', onError);
          // With an error, pg-pool closes the connection instead of pooling it.
          client.release(fault);
        },
      };
    },
    end: () => pool.end(),
  };
}

const CANCEL_REQUEST_CODE = 80877102;
const CANCEL_GIVE_UP_MS = 2000;

/**
 * Asks PostgreSQL to cancel what the client's backend is running: a new connection that
 * sends a CancelRequest (the protocol's own way; no pool connection is needed, which
 * matters when the pool is exhausted). Best effort: a frozen server never reads it.
 */
function cancelStatement(client: CancelTarget): void {
  const { host, port, processID, secretKey } = client;
  if (!host || !port || processID == null || secretKey == null) return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  const socket: Socket = host.startsWith('/')
    ? connectTcp({ path: `${host}/.s.PGSQL.${port}` })
    : connectTcp({ host, port });
  socket.setTimeout(CANCEL_GIVE_UP_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('connect', () => socket.end(packet));
}
