/*
 * Everything the harness starts (PostgreSQL, Redis, chat-bff processes, temporary
 * directories) registers how to undo itself here. The undo runs in the harness's own
 * finally, on Ctrl-C / SIGTERM, and (the synchronous part: signals by pid, rm -rf) on any
 * other exit, so a failed or interrupted run leaves nothing behind.
 */

interface Entry {
  name: string;
  /** The orderly undo (stop a server, remove its directory). */
  run: () => Promise<void> | void;
  /** What can still be done in an 'exit' handler: synchronous only (kill by pid, rmSync). */
  runSync: () => void;
}

const entries = new Map<number, Entry>();
let nextId = 1;
let installed = false;

/** Registers an undo; returns a function that unregisters it (once the caller undid it itself). */
export function onCleanup(name: string, run: Entry['run'], runSync: Entry['runSync']): () => void {
  const id = nextId++;
  entries.set(id, { name, run, runSync });
  return () => {
    entries.delete(id);
  };
}

/** Runs every registered undo, newest first; errors are printed, not thrown. */
export async function cleanupAll(): Promise<void> {
  for (const [id, entry] of [...entries].reverse()) {
    entries.delete(id);
    try {
      await entry.run();
    } catch (error) {
      process.stderr.write(
        `cleanup ${entry.name}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      try {
        entry.runSync();
      } catch {
        // best effort: the process is going away
      }
    }
  }
}

/** Ctrl-C, SIGTERM and SIGHUP undo everything, then exit 130; a plain exit runs the synchronous undos. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything this run started\n`);
    const force = setTimeout(() => process.exit(130), 20_000);
    force.unref();
    void cleanupAll().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  process.on('exit', () => {
    for (const entry of [...entries.values()].reverse()) {
      try {
        entry.runSync();
      } catch {
        // best effort: the process is going away
      }
    }
    entries.clear();
  });
}
