import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { REPO_ROOT } from './paths.js';

/*
 * The servers under test run as child processes, like in production: chat-bff through
 * its CLI (`chat-bff serve`), the floor as a bare node:http process. The bench process
 * only sends load, so neither server shares an event loop with the load generator.
 */

export interface ServerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** How it ended (exit code or signal) and the last of its stderr, once it has exited. */
  exitReport(): string | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startProcess(options: {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** Path answered with 200 once the server can take load. */
  readyPath: string;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, options.args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    // Logs are written as in production but not kept: the bench reads /metrics instead.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${options.name} exited with ${child.exitCode} before it was ready:\n${stderr}`);
    }
    try {
      const response = await fetch(`${baseUrl}${options.readyPath}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const pid = child.pid as number;
  return {
    name: options.name,
    pid,
    baseUrl,
    rss: () => readRss(pid),
    exitReport: () => {
      if (child.exitCode === null && child.signalCode === null) return undefined;
      // A fatal V8 error prints its reason first and a native stack after it: keep the reason.
      const lines = stderr.trim().split('\n');
      const reason = lines.find((line) => /FATAL|Error/.test(line)) ?? lines.slice(-3).join(' / ');
      return `exited with ${child.signalCode ?? child.exitCode}: ${reason}`;
    },
    stop: () => stopChild(child, exited),
  };
}

function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
