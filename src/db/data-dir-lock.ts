import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * PGlite is a single process's database: two processes writing one data directory
 * corrupt it. A lock file holding the owner's pid keeps a second process out; a lock
 * left by a process that no longer runs is taken over.
 */

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'chat-bff.lock';

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n${process.argv.slice(2).join(' ')}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(path, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidLine = '', command = ''] = readLockFile(path);
      const pid = Number(pidLine);
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new DataDirLockedError(
          `The embedded database in ${resolve(dataDir)} is in use by process ${pid}` +
            (command ? ` (chat-bff ${command})` : '') +
            '. Stop that process first, or set DATABASE_URL to use a PostgreSQL server that several processes can share.',
        );
      }
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new DataDirLockedError(`Could not lock ${resolve(dataDir)}: another process keeps taking it.`);
}

function readLockFile(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
