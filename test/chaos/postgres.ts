import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onCleanup } from './cleanup.js';
import { freePort } from '../../bench/processes.js';

/*
 * A PostgreSQL 15 server of the harness's own: initdb into a temporary directory, on a spare
 * loopback port, trust authentication. Fault scenarios stop it (`pg_ctl stop -m immediate`),
 * freeze it (SIGSTOP to the postmaster and its children) and start it again; the machine's
 * shared PostgreSQL is never touched. As root, the server runs as the `postgres` OS user
 * (PostgreSQL refuses to run as root).
 */

const run = promisify(execFile);
const BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  port: number;
  /** postgres:// URL of a database on this server. */
  url(database?: string): string;
  /** Creates an empty database. */
  createDatabase(name: string): Promise<void>;
  /** pg_ctl stop -m immediate: every backend dies at once, as in a crash. */
  stopImmediate(): Promise<void>;
  /** pg_ctl start, resolving once it accepts connections. */
  start(): Promise<void>;
  /** SIGSTOP to the postmaster and every child; returns how many processes were frozen. */
  freeze(): number;
  /** SIGCONT to what freeze() stopped. */
  thaw(): void;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the postgres OS user when the harness runs as root. */
function pgBinary(name: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const file = join(BIN, name);
  return asRoot
    ? run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 })
    : run(file, args, { timeout: 60_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bff-chaos-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const port = await freePort();
  let frozen: number[] = [];

  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const stopSync = () => {
    const pid = postmasterPid();
    if (pid === undefined) return;
    for (const p of [pid, ...childrenOf(pid)]) signal(p, 'SIGCONT');
    signal(pid, 'SIGQUIT'); // immediate shutdown: the postmaster takes its children with it
  };
  const unregister = onCleanup(
    `postgres on port ${port}`,
    async () => {
      for (const p of frozen) signal(p, 'SIGCONT');
      if (postmasterPid() !== undefined)
        await pgBinary('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
    () => {
      stopSync();
      rmSync(dir, { recursive: true, force: true });
    },
  );

  if (asRoot) chownSync(dir, uid('postgres'), gid('postgres'));
  await pgBinary('initdb', [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const options = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${dir}`,
    '-c max_connections=300',
    // Crash safety against a killed server needs WAL written at commit, not fsync'd: the
    // operating system keeps what PostgreSQL wrote. fsync off only spares the shared disk.
    '-c fsync=off',
  ].join(' ');
  const start = async () => {
    await pgBinary('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
  };
  await start();

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
    },
    async stopImmediate() {
      await pgBinary('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    freeze() {
      const pid = postmasterPid();
      if (pid === undefined) throw new Error('postgres is not running');
      // The postmaster first, so it forks nothing new, then every child it has.
      signal(pid, 'SIGSTOP');
      frozen = [pid, ...childrenOf(pid)];
      for (const child of frozen.slice(1)) signal(child, 'SIGSTOP');
      return frozen.length;
    },
    thaw() {
      for (const p of frozen) signal(p, 'SIGCONT');
      frozen = [];
    },
    async dispose() {
      unregister();
      for (const p of frozen) signal(p, 'SIGCONT');
      try {
        if (postmasterPid() !== undefined) await pgBinary('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        stopSync();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The pids whose parent is `pid`, from /proc. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function uid(user: string): number {
  return Number(/^[^:]+:[^:]*:(\d+):/m.exec(passwdLine(user))?.[1]);
}

function gid(user: string): number {
  return Number(/^[^:]+:[^:]*:\d+:(\d+):/m.exec(passwdLine(user))?.[1]);
}

function passwdLine(user: string): string {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no OS user "${user}" to run PostgreSQL as`);
  return line;
}
