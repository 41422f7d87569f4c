import { Repeater, type RepeaterBuffer, type RepeaterExecutor } from '@repeaterjs/repeater';

/*
 * A Repeater whose executor runs when it is built instead of on the first next(). A
 * live stream is opened before anyone pulls from it: the bus must buffer what is
 * published from subscribe() on, and a stream closed before its first pull (a client
 * gone, a deadline passed during setup) must still release what it holds, which an
 * executor that never ran could not do. The pull that starts it is handed to the
 * consumer's first next(), so nothing is consumed on the consumer's behalf.
 */
export class StartedRepeater<T> extends Repeater<T, undefined> {
  private firstPull: Promise<IteratorResult<T, undefined>> | undefined;

  constructor(executor: RepeaterExecutor<T, undefined>, buffer?: RepeaterBuffer) {
    super(executor, buffer);
    const firstPull = super.next();
    // A failure reaches the consumer through firstPull; this only keeps it from being reported as unhandled meanwhile.
    firstPull.catch(() => undefined);
    this.firstPull = firstPull;
  }

  /** Whether the pull that started it still waits for the consumer (it holds the first value once one came). */
  get firstPullUnclaimed(): boolean {
    return this.firstPull !== undefined;
  }

  /** Forgets the first pull: the consumer's first next() asks the Repeater itself (after it ended, say). */
  dropFirstPull(): void {
    this.firstPull = undefined;
  }

  override next(value?: unknown): Promise<IteratorResult<T, undefined>> {
    const firstPull = this.firstPull;
    if (!firstPull) return super.next(value);
    this.firstPull = undefined;
    return firstPull;
  }
}
