import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { inject, vi } from 'vitest';
import { runCommand } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { createDatabase, type DatabaseHandle } from '../../src/db/create-database.js';
import { databaseUrl, testDatabaseName, withAdminClient } from './postgres-admin.js';

/*
 * Running the `chat-bff` command against a database of its own (a PGlite data directory
 * on disk, or a PostgreSQL database when TEST_DATABASE_URL is set): in this process
 * (runCommandInProcess, the same code the binary runs, its output captured), or as the
 * real program in a child process (runCli, startCli). A spawn costs seconds on a busy
 * machine, so only the tests of the program's own contract (exit codes, serve, signals)
 * spawn; tests share one database per file and give each test its own ids.
 */

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

/** Settings the child must not inherit from whoever runs the tests. */
const CLEARED = ['DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'LOG_LEVEL', 'REDIS_URL', 'DEFAULT_APP_ID'];

export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete base[name];
  return { ...base, LOG_LEVEL: 'warn', ...env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every child still running: a test that timed out must not leave one holding a data directory. */
const running = new Set<ChildProcess>();

function spawnTracked(
  entry: string[],
  args: string[],
  env: Record<string, string | undefined>,
): ChildProcess {
  const child = spawn(process.execPath, [...entry, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('close', () => running.delete(child));
  return child;
}

/** Kills whatever a finished (or timed-out) test left running; use it in afterEach. */
export async function killRunningCommands(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * Runs one command line in this process, with `env` as the environment the child would
 * get, and captures what it writes to stdout and stderr. Commands run one at a time:
 * the environment and the output streams are the process's.
 */
export async function runCommandInProcess(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CliResult> {
  const saved = { ...process.env };
  let stdout = '';
  let stderr = '';
  const capture = (stream: NodeJS.WriteStream, append: (text: string) => void) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    });
  const out = capture(process.stdout, (text) => (stdout += text));
  const err = capture(process.stderr, (text) => (stderr += text));
  replaceEnv(childEnv(env));
  try {
    const code = await runCommand(args);
    return { code, stdout, stderr };
  } finally {
    replaceEnv(saved);
    out.mockRestore();
    err.mockRestore();
  }
}

function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
}

export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked([BIN], args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Stderr without npm/node noise, as lines. */
export function errorLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first stdout match of `pattern` (rejects when the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
}

/**
 * Starts a long-running command (serve). The caller stops it (SIGTERM) and awaits
 * `exited`. `entry` is what node runs before the arguments: the bin, or a test fixture.
 */
export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  entry: string[] = [BIN],
): RunningCli {
  const child = spawnTracked(entry, args, env);
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    listeners.forEach((l) => l());
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitFor(pattern, timeoutMs = 45_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; stdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          cleanup();
          reject(new Error(`exited with ${code} before ${pattern}; stdout: ${stdout}\nstderr: ${stderr}`));
        });
        check();
      });
    },
  };
}

export interface CliDatabase {
  /** Environment that points chat-bff at it (DATA_DIR or DATABASE_URL). */
  env: Record<string, string>;
  driver: 'pglite' | 'postgres';
  /**
   * Opens it in this process, e.g. to check what a command wrote. On PGlite the
   * directory is locked while open: close it before running the next command.
   */
  open(): Promise<DatabaseHandle>;
  dispose(): Promise<void>;
}

/** A database for spawned commands; migrated unless `empty` (to test migrating itself). */
export async function createCliDatabase(options: { empty?: boolean } = {}): Promise<CliDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = testDatabaseName(inject('runPid'), randomBytes(4).toString('hex'));
    await withAdminClient(adminUrl, (client) =>
      client.query(
        options.empty
          ? `create database ${name}`
          : `create database ${name} template ${inject('postgresTemplate')}`,
      ),
    );
    const url = databaseUrl(adminUrl, name);
    return {
      env: { DATABASE_URL: url },
      driver: 'postgres',
      open: () => createDatabase(loadConfig({ DATABASE_URL: url, DB_POOL_MAX: '2' })),
      dispose: () =>
        withAdminClient(adminUrl, async (client) => {
          await client.query(`drop database if exists ${name} with (force)`);
        }),
    };
  }

  const dir = mkdtempSync(join(tmpdir(), 'chat-bff-data-'));
  if (!options.empty) {
    // Unpack the migrated dump into the directory: much faster than initdb + migrations.
    const pglite = await PGlite.create({
      dataDir: dir,
      loadDataDir: new Blob([readFileSync(inject('pgliteDumpPath'))]),
    });
    await pglite.close();
  }
  return {
    env: { DATA_DIR: dir },
    driver: 'pglite',
    open: () => createDatabase(loadConfig({ DATA_DIR: dir })),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
