import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../bench/paths.js';
import { loadConfig } from '../../src/config.js';
import { sql } from 'kysely';
import { createDatabase } from '../../src/db/create-database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { AppCredentials } from '../../src/domain/apps/app.js';
import { createApp } from '../../src/domain/apps/app.service.js';
import { onCleanup } from '../chaos/cleanup.js';
import { FROM_SOURCE, startServeProcess } from '../support/chat-bff-process.js';

/*
 * chat-bff from this working tree's sources (src/cli/bin.js with CHAT_BFF_FROM_SOURCE=1,
 * so whatever fix is on disk is what gets attacked, built or not), on the embedded
 * database in a temporary DATA_DIR, as a child process on a spare loopback port. Its
 * JSON log lines are kept: the audit counts the ones logged at error level.
 */

/** Every setting src/config.ts declares (`NAME: z...`): read from the source, so a new one is known at once. */
export function configNames(): string[] {
  const source = readFileSync(join(REPO_ROOT, 'src', 'config.ts'), 'utf8');
  return [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+):\s*z\b/gm)].map((m) => m[1] as string);
}

/**
 * The child runs on the defaults plus what the audit sets: none of chat-bff's settings
 * (nor NODE_ENV, which changes some defaults) is inherited from whoever runs the audit.
 */
const CLEARED = [...configNames(), 'NODE_ENV', 'NODE_OPTIONS'];

/** A temporary DATA_DIR, removed when the audit ends (however it ends). */
export function temporaryDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-bff-audit-'));
  onCleanup(
    `data dir ${dir}`,
    () => rmSync(dir, { recursive: true, force: true }),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return dir;
}

/**
 * Migrates the DATA_DIR and creates the apps, as `chat-bff app create` does, but in this
 * process (one PGlite start instead of a CLI process per app); closed before the server opens it.
 */
export async function createApps(dataDir: string, appIds: string[]): Promise<AppCredentials[]> {
  const database = await createDatabase(loadConfig({ DATA_DIR: dataDir }));
  try {
    await migrateToLatest(database.db);
    const apps: AppCredentials[] = [];
    for (const appId of appIds) apps.push(await createApp(database.db, { appId }));
    return apps;
  } finally {
    await database.close();
  }
}

/** Tokens revoked or expired, still stored (the server must not hold the DATA_DIR). */
export async function countDeadTokens(dataDir: string): Promise<number> {
  const database = await createDatabase(loadConfig({ DATA_DIR: dataDir }));
  try {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from auth_tokens where revoked_at is not null or expires_at < now()`.execute(
      database.db,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await database.close();
  }
}

export interface LogLine {
  level: number;
  msg: string;
}

export interface AuditServer {
  url: string;
  /** Log lines at error level (pino 50) or worse so far. */
  errorLines(): LogLine[];
  stop(): Promise<void>;
}

/** Starts `chat-bff serve` and resolves once it printed the URL it listens on. */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<AuditServer> {
  const errors: LogLine[] = [];
  const server = await startServeProcess({
    program: FROM_SOURCE,
    cleared: CLEARED,
    env: { LOG_LEVEL: 'warn', ...env },
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        if ((parsed.level ?? 0) >= 50)
          errors.push({ level: parsed.level ?? 50, msg: `${parsed.msg ?? ''} ${parsed.err?.message ?? ''}` });
      } catch {
        // not a log line
      }
    },
    timeoutMs,
  });
  return { url: server.url, errorLines: () => [...errors], stop: () => server.stop() };
}
