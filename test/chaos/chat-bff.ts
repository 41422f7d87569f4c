import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../bench/paths.js';
import { onCleanup } from './cleanup.js';

/*
 * chat-bff as production runs it: compiled with the build's tsconfig (`npm run build`'s
 * compiler and settings), then `chat-bff serve` as a child process with a 256 MB heap cap.
 * The harness compiles into a directory of its own (.tmp/chaos-build), so a developer's
 * dist/ and the tests using it are left alone, and runs that build's CLI: the same
 * dist/src/cli/main.js that src/cli/bin.js runs after `npm run build`.
 */

const run = promisify(execFile);
const BUILD_DIR = join(REPO_ROOT, '.tmp', 'chaos-build');
export const CLI_MAIN = join(BUILD_DIR, 'src', 'cli', 'main.js');
const HEAP_CAP = '--max-old-space-size=256';

/** Settings the children must not inherit from whoever runs the harness. */
const CLEARED = [
  'DATABASE_URL',
  'DATA_DIR',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'REDIS_URL',
  'DEFAULT_APP_ID',
  'NODE_OPTIONS',
];

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete base[name];
  // Each client writes as fast as it can: the per-user write rate limits would refuse most of it.
  return {
    ...base,
    NODE_OPTIONS: HEAP_CAP,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMITS_ENABLED: 'false',
    ...env,
  };
}

/**
 * Compiles src/ and migrations/ with tsconfig.build.json. Type errors are reported but do
 * not stop the run while tsc still wrote the JavaScript (CI's type-check step judges types).
 */
export async function build(log: (line: string) => void): Promise<void> {
  const started = performance.now();
  try {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error);
    if (!existsSync(CLI_MAIN)) throw new Error(`build failed:\n${output}`, { cause: error });
    const errors = output.split('\n').filter((line) => /error TS/.test(line));
    log(
      `build: tsc reported ${errors.length} type error(s); running the JavaScript it wrote. First: ${errors[0] ?? '?'}`,
    );
  }
  log(`build: compiled to .tmp/chaos-build in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Runs a chat-bff CLI command to completion; returns its stdout (throws with stderr on failure). */
export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export interface ChatBff {
  pid: number;
  url: string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  alive(): boolean;
  /** Resident set size in bytes (VmRSS). */
  rss(): number;
  signal(name: NodeJS.Signals): void;
  /** The last lines it wrote on stderr and stdout (its crash message, its warnings). */
  tail(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts `chat-bff serve` and resolves once it printed the URL it listens on. */
export async function startChatBff(env: Record<string, string>, timeoutMs = 60_000): Promise<ChatBff> {
  const child = spawn(process.execPath, [CLI_MAIN, 'serve'], {
    cwd: REPO_ROOT,
    env: childEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-16_000)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-16_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const unregister = onCleanup(
    `chat-bff pid ${pid}`,
    async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    () => {
      if (alive()) child.kill('SIGKILL');
    },
  );
  void exited.then(unregister);
  const tail = () =>
    [...stderr.trim().split('\n').slice(-6), ...stdout.trim().split('\n').slice(-4)]
      .filter((line) => line !== '')
      .map((line) => line.slice(0, 400))
      .join('\n');

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-bff did not start within ${timeoutMs} ms:\n${tail()}`));
    }, timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/[\d.:]+)/.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve(match[1]);
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`chat-bff exited (${signal ?? code}) before listening:\n${tail()}`));
    });
  });

  return {
    pid,
    url,
    exited,
    alive,
    rss: () => readRss(pid),
    signal: (name) => {
      if (alive()) child.kill(name);
    },
    tail,
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
