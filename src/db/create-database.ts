import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Config } from '../config.js';
import { redactUrl } from '../redact-url.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { guardPool } from './pg-pool.js';
import { throwIfPastDeadline } from './request-deadline.js';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  driver: 'postgres' | 'pglite';
  /** Where the data lives, for messages: a redacted URL or the data directory. */
  location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called for every statement Kysely runs (statement counting in tests, metrics). */
  onQuery?: (event: LogEvent) => void;
  /** Start an in-memory PGlite from this dump instead of an empty one (tests). */
  loadDataDir?: Blob | File;
}

type DatabaseConfig = Pick<
  Config,
  'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'DB_CONNECT_TIMEOUT_MS' | 'DB_STATEMENT_TIMEOUT_MS'
> &
  Partial<Pick<Config, 'DB_PREPARED_STATEMENTS'>>;

const INT8_OID = 20;

/**
 * The one place that knows which driver is in use: `pg` when DATABASE_URL is set,
 * embedded PGlite otherwise. Both return int8 as a JavaScript number (ids and
 * sequences stay far below 2^53) and timestamptz through one parser (timestamps.ts),
 * so no caller has to care.
 */
export async function createDatabase(
  config: DatabaseConfig,
  options: DatabaseOptions = {},
  onPoolError: (error: Error) => void = () => {},
): Promise<DatabaseHandle> {
  const log = options.onQuery ? (event: LogEvent) => options.onQuery?.(event) : undefined;
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: config.DB_POOL_MAX,
      // pg waits forever for a free client by default; fail the request instead.
      connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      statement_timeout: config.DB_STATEMENT_TIMEOUT_MS || undefined,
      idle_in_transaction_session_timeout: 60_000,
      // A peer that vanished without a FIN (a host down, a cut network) is noticed by TCP keepalive.
      keepAlive: true,
      application_name: 'chat-bff',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID
            ? Number
            : oid === TIMESTAMPTZ_OID
              ? parseTimestamptz
              : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // Without a listener, an idle client's error (a PostgreSQL restart) kills the process;
    // checked-out clients get theirs from guardPool.
    pool.on('error', onPoolError);
    const dialect = new PostgresDialect({
      pool: guardPool(pool, {
        // Named prepared statements: parsed and planned once per connection (prepared-statements.ts).
        namedStatements: config.DB_PREPARED_STATEMENTS !== false,
        onClientError: onPoolError,
      }),
    });
    const db = new Kysely<Database>({ dialect, ...(log ? { log } : {}) });
    return {
      db,
      driver: 'postgres',
      location: redactUrl(config.DATABASE_URL),
      close: () => db.destroy(),
    };
  }

  const inMemory = config.DATA_DIR === ':memory:';
  let lock: DataDirLock | undefined;
  if (!inMemory) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    lock = acquireDataDirLock(config.DATA_DIR);
  }
  try {
    const pglite = await PGlite.create({
      ...(inMemory ? {} : { dataDir: config.DATA_DIR }),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: { [INT8_OID]: Number, [TIMESTAMPTZ_OID]: parseTimestamptz },
    });
    const db = new Kysely<Database>({
      dialect: new PGliteDialect(withDeadlines(pglite)),
      ...(log ? { log } : {}),
    });
    return {
      db,
      driver: 'pglite',
      location: inMemory ? ':memory:' : config.DATA_DIR,
      async close() {
        await db.destroy(); // also closes the PGlite instance
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * PGlite runs one statement at a time in this process, so a statement cannot be
 * cancelled; but one that has not started when its request's deadline passes never
 * starts (ROLLBACK excepted: the one connection must not stay inside the transaction),
 * so a request answered with a 503 changes nothing afterwards.
 */
function withDeadlines(pglite: PGlite): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      // PGlite keeps its state in private fields: its methods must run on the instance, not the proxy.
      if (property !== 'query') return (value as (...args: unknown[]) => unknown).bind(target);
      return (text: string, ...rest: unknown[]) => {
        if (!/^\s*rollback\b/i.test(text)) throwIfPastDeadline();
        return Reflect.apply(value, target, [text, ...rest]) as unknown;
      };
    },
  });
}
