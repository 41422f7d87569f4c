import type { Db } from '../../db/create-database.js';
import type { Logger } from '../../logger.js';
import { deleteDeadTokens } from './token-purge.repository.js';

/*
 * Revoked and expired tokens are kept for a grace period (a client presenting one in
 * that time is told its token was revoked or expired, and an operator can still see it),
 * then deleted in bounded batches: each statement deletes at most PURGE_BATCH_SIZE rows,
 * so it holds its locks briefly and a backlog of millions is worked off over several runs.
 */

/** Rows one DELETE removes at most. */
export const PURGE_BATCH_SIZE = 1000;
/** Batches one periodic run deletes at most (the CLI command goes on until none is left). */
export const PURGE_BATCHES_PER_RUN = 10;

export interface PurgeOptions {
  /** Tokens dead (revoked or expired) for longer than this are deleted. */
  graceSeconds: number;
  now?: Date;
  batchSize?: number;
  /** Stop after this many batches; unbounded when left out. */
  maxBatches?: number;
}

/** Deletes tokens revoked or expired more than `graceSeconds` ago; returns how many. */
export async function purgeDeadTokens(db: Db, options: PurgeOptions): Promise<number> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.graceSeconds * 1000);
  const batchSize = options.batchSize ?? PURGE_BATCH_SIZE;
  let deleted = 0;
  for (let batch = 0; options.maxBatches === undefined || batch < options.maxBatches; batch++) {
    const count = await deleteDeadTokens(db, cutoff, batchSize);
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}

export interface TokenPurgeSchedule {
  /** Stops the interval and waits for a run in progress (call before closing the database). */
  stop(): Promise<void>;
}

/**
 * Runs purgeDeadTokens every `intervalSeconds` (PURGE_BATCHES_PER_RUN batches at most per
 * run) on an unref'd timer: it never keeps the process alive, and a failure (the database
 * down) is logged and retried at the next tick, never thrown.
 */
export function scheduleTokenPurge(
  db: Db,
  log: Logger,
  options: { intervalSeconds: number; graceSeconds: number },
): TokenPurgeSchedule {
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return; // the last run is still going: skip this tick
    running = purgeDeadTokens(db, { graceSeconds: options.graceSeconds, maxBatches: PURGE_BATCHES_PER_RUN })
      .then(
        (deleted) => {
          if (deleted > 0) log.info({ deleted }, 'purged revoked and expired tokens');
        },
        (error: unknown) => log.error({ err: error }, 'token purge failed; retrying at the next interval'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, options.intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
