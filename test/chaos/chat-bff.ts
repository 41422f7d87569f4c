import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../bench/paths.js';
import { childEnv, compiled, startServeProcess, type ServeProcess } from '../support/chat-bff-process.js';

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

// Each client writes as fast as it can: the per-user write rate limits would refuse most of it.
const CHILD_DEFAULTS = {
  NODE_OPTIONS: HEAP_CAP,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RATE_LIMITS_ENABLED: 'false',
};

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
    env: childEnv(CLEARED, { ...CHILD_DEFAULTS, ...env }),
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export interface ChatBff extends ServeProcess {
  /** Resident set size in bytes (VmRSS). */
  rss(): number;
}

/** Starts `chat-bff serve` and resolves once it printed the URL it listens on. */
export async function startChatBff(env: Record<string, string>, timeoutMs = 60_000): Promise<ChatBff> {
  const server = await startServeProcess({
    program: compiled(CLI_MAIN),
    cleared: CLEARED,
    env: { ...CHILD_DEFAULTS, ...env },
    timeoutMs,
  });
  return { ...server, rss: () => readRss(server.pid) };
}

export function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
