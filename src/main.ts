import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import type { RouteHandler } from './http/routes.js';
import { loadConfig, type Config } from './config.js';
import { createDatabase, type DatabaseHandle } from './db/create-database.js';
import { listPendingMigrations, migrateToLatest } from './db/migrate.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, createMetricsHandler } from './metrics.js';
import { graphqlLimits } from './graphql/request-limits.js';
import { graphqlExposure } from './graphql/exposure.js';
import { createGraphQLWebSocketHandler } from './graphql/websocket.js';
import { createEventBus, type EventBus } from './realtime/event-bus.js';
import { startHttpServer, type HttpServer } from './server.js';
import { scheduleTokenPurge } from './domain/tokens/token-purge.service.js';
import { createLimits } from './limits/limits.js';
import { createAuthThrottles } from './limits/auth-throttles.js';
import { createRateLimitStore, type RateLimitStoreHandle } from './limits/store.js';

/*
 * The process: config -> logger -> database -> migrate -> event bus -> app -> listen, and a graceful
 * shutdown on SIGTERM/SIGINT. `chat-bff serve` runs this; so does `npx tsx src/main.ts`.
 */

export interface RunningServer {
  /** http://host:port with the bound port. */
  url: string;
  /** Where /metrics is served when METRICS_PORT is set (http://host:port). */
  metricsUrl?: string;
  database: DatabaseHandle;
  /** Stop accepting, finish in-flight requests, end streams, close the database. Idempotent. */
  shutdown(): Promise<void>;
}

export interface StartServerOptions {
  config: Config;
  log: Logger;
  /** Runs after migrations, before the server listens (e.g. seeding the demo data). */
  prepare?: (database: DatabaseHandle) => Promise<void>;
  /** Extra routes (tests). */
  routes?: readonly RouteHandler[];
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, log } = options;
  const metrics = createMetrics();
  const database = await createDatabase(config, { onQuery: metrics.onQuery }, (error) =>
    log.error({ err: error }, 'an idle database connection failed'),
  );
  let events: EventBus | undefined;
  let rateLimitStore: RateLimitStoreHandle | undefined;
  let metricsHttp: HttpServer | undefined;
  try {
    const pending = await listPendingMigrations(database.db);
    const applied = pending.length > 0 ? await migrateToLatest(database.db) : [];
    if (applied.length > 0) log.info({ migrations: applied }, 'migrated the database');
    await options.prepare?.(database);
    // One bus per process: in-process, or through Redis when REDIS_URL is set (every instance hears every write).
    events = await createEventBus({ log, redisUrl: config.REDIS_URL });
    // One rate-limit store per process (Redis when REDIS_URL is set: one budget for all instances).
    rateLimitStore = createRateLimitStore(config.REDIS_URL, log);
    const rateLimits = createLimits(config, rateLimitStore.store);
    const authThrottles = createAuthThrottles(config, rateLimitStore.store);
    let draining = false;
    const app = createApp({
      isDraining: () => draining,
      db: database.db,
      config,
      log,
      events,
      metrics,
      rateLimits,
      authThrottles,
      ...(options.routes && { routes: options.routes }),
    });
    // METRICS_PORT: /metrics on a listener of its own, and not on PORT (app.ts).
    if (config.METRICS_PORT !== undefined) {
      metricsHttp = await startHttpServer(createMetricsHandler(metrics, config.METRICS_TOKEN), {
        port: config.METRICS_PORT,
        host: config.HOST,
        log,
        shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      });
    }
    const http = await startHttpServer(app, {
      port: config.PORT,
      host: config.HOST,
      log,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      upgrade: createGraphQLWebSocketHandler({
        db: database.db,
        log,
        events,
        tokenTtlSeconds: config.TOKEN_TTL_SECONDS,
        limits: graphqlLimits(config),
        exposure: graphqlExposure(config),
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        rateLimits,
        authThrottles,
        corsOrigins: config.CORS_ORIGINS,
      }),
    });
    const bus = events;
    const limitStore = rateLimitStore;
    const tokenPurge =
      config.TOKEN_PURGE_INTERVAL_SECONDS > 0
        ? scheduleTokenPurge(database.db, log, {
            intervalSeconds: config.TOKEN_PURGE_INTERVAL_SECONDS,
            graceSeconds: config.TOKEN_PURGE_GRACE_SECONDS,
          })
        : undefined;
    log.info({ url: http.url, database: database.location, driver: database.driver }, 'listening');
    const metricsServer = metricsHttp;
    if (metricsServer) log.info({ url: `${metricsServer.url}/metrics` }, 'serving /metrics');

    let stopped: Promise<void> | undefined;
    return {
      url: http.url,
      ...(metricsServer && { metricsUrl: metricsServer.url }),
      database,
      shutdown() {
        stopped ??= (async () => {
          draining = true;
          log.info('shutting down: finishing in-flight requests');
          try {
            await Promise.all([http.close(), metricsServer?.close()]);
          } finally {
            await tokenPurge?.stop();
            await bus.close();
            await limitStore?.close();
            await database.close();
          }
          log.info('shut down');
        })();
        return stopped;
      },
    };
  } catch (error) {
    await metricsHttp?.close();
    await events?.close();
    await rateLimitStore?.close();
    await database.close();
    throw error;
  }
}

/**
 * Shuts the server down on SIGTERM or SIGINT; a second signal exits at once. The
 * process then ends by itself when nothing is left to do, or after a grace second if
 * something still holds the event loop.
 */
export function exitOnSignals(server: RunningServer, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'received signal');
    server.shutdown().then(
      () => {
        process.exitCode = 0;
        setTimeout(() => process.exit(), 1000).unref();
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The last line of defence: a promise rejection nobody handled is a bug to log, not a
 * reason to drop every other request (Node's default is to exit). Faults of the
 * database and Redis are handled where they arise; this catches what a library forgets.
 */
export function logUnhandledRejections(log: Logger): void {
  process.on('unhandledRejection', (reason: unknown) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug): the process goes on');
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  logUnhandledRejections(log);
  const server = await startServer({ config, log });
  exitOnSignals(server, log);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`chat-bff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
