import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * Every request runs under a deadline (REQUEST_TIMEOUT_MS). The transports race their
 * answer against it (a 503 in their own shape when it passes); the pg pool (pg-pool.ts)
 * reads it to refuse statements once it has passed and to cancel the one in flight when
 * it passes, so a request already answered with a 503 stops costing the database. It
 * travels in AsyncLocalStorage because statements are issued deep below the services
 * (DataLoader batches, Kysely), where no argument could carry it cleanly.
 */

export interface Deadline {
  /** Epoch milliseconds; undefined once lifted (a stream's later events run without one). */
  at: number | undefined;
  readonly timeoutMs: number;
}

const storage = new AsyncLocalStorage<Deadline>();

/** The error a statement or a request gets once its deadline has passed. */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  readonly code = 'DEADLINE_EXCEEDED';
  constructor(timeoutMs: number) {
    super(`The request did not finish within its deadline of ${timeoutMs} ms; try again shortly`);
  }
}

/** Runs `work` under a deadline `timeoutMs` from now. */
export function runWithDeadline<T>(timeoutMs: number, work: (deadline: Deadline) => T): T {
  const deadline: Deadline = { at: Date.now() + timeoutMs, timeoutMs };
  return storage.run(deadline, () => work(deadline));
}

/** The deadline in force here, if any and not lifted. */
export function currentDeadline(): Deadline | undefined {
  const deadline = storage.getStore();
  return deadline?.at === undefined ? undefined : deadline;
}

/** Throws DeadlineExceededError when the current deadline has passed: no new statement starts after it. */
export function throwIfPastDeadline(): void {
  const deadline = currentDeadline();
  if (deadline?.at !== undefined && deadline.at <= Date.now())
    throw new DeadlineExceededError(deadline.timeoutMs);
}

/**
 * Settles like `work`, or rejects with DeadlineExceededError when the current deadline
 * passes first (work left running is the pool's to cancel). Without a deadline: `work`.
 * `discard` gets what `work` still produces after the deadline won, nobody else will:
 * a stream set up too late must be closed, or it holds its listener and subscription slot.
 */
export async function withinDeadline<T>(work: Promise<T>, discard?: (late: T) => void): Promise<T> {
  const deadline = currentDeadline();
  const at = deadline?.at;
  if (!deadline || at === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceededError(deadline.timeoutMs)),
      Math.max(0, at - Date.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    if (discard && error instanceof DeadlineExceededError) work.then(discard, () => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
