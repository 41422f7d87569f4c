import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../bench/paths.js';
import { onCleanup } from '../chaos/cleanup.js';

/*
 * `chat-bff serve` as a child process on a spare loopback port, for the harnesses that
 * attack or break a real server (the security audit, the chaos runs). Whatever ends the
 * harness, the child is killed: it registers itself with the harness's cleanup.
 */

/** The sources through src/cli/bin.js (what is on disk, built or not). */
export const FROM_SOURCE = {
  entry: join(REPO_ROOT, 'src', 'cli', 'bin.js'),
  env: { CHAT_BFF_FROM_SOURCE: '1' },
};

/** A compiled build's CLI (the main.js that src/cli/bin.js runs after `npm run build`). */
export function compiled(cliMain: string): { entry: string; env: Record<string, string> } {
  return { entry: cliMain, env: {} };
}

/** The environment of a child: this process's, without `cleared`, with `env` over it. */
export function childEnv(cleared: readonly string[], env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of cleared) delete base[name];
  return { ...base, ...env };
}

export interface ServeOptions {
  /** What node runs: FROM_SOURCE, or compiled(path). */
  program: { entry: string; env: Record<string, string> };
  /** Settings the child must not inherit from whoever runs the harness. */
  cleared: readonly string[];
  /** The child's settings (HOST is 127.0.0.1 and PORT 0 unless given). */
  env: Record<string, string>;
  /** Called with every complete line the child writes on stdout (its JSON log lines). */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export interface ServeProcess {
  pid: number;
  url: string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  alive(): boolean;
  signal(name: NodeJS.Signals): void;
  /** The last lines it wrote on stderr and stdout (its crash message, its warnings). */
  tail(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts `chat-bff serve` and resolves once it printed the URL it listens on. */
export async function startServeProcess(options: ServeOptions): Promise<ServeProcess> {
  const { program, onLine, timeoutMs = 60_000 } = options;
  const child = spawn(process.execPath, [program.entry, 'serve'], {
    cwd: REPO_ROOT,
    env: childEnv(options.cleared, { HOST: '127.0.0.1', PORT: '0', ...program.env, ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-16_000);
    if (!onLine) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(onLine);
  });
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
