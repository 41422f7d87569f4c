import { spawn } from 'node:child_process';
import pg from 'pg';
import type { Scale } from './options.js';
import { CLI, REPO_ROOT } from './paths.js';

/*
 * The data set: made once per scale with the CLI's own `seed generate`, in a database of
 * its own (chat_bff_bench_<scale>), and reused while it holds what that scale asks for.
 * A small table, bench_dataset, records how it was made (the generator's summary, how
 * long it took); the bench's own writes (WRITE-SEND) add a few thousand messages, which
 * does not make it another data set.
 */

export const SEED = 1;

export interface SeedSummary {
  appId: string;
  clientKey: string;
  seed: number;
  until: string;
  seconds: number;
  databaseSize: string;
  users: number;
  rooms: { total: number; big: number; direct: number; group: number };
  memberships: number;
  messages: number;
  prefs: number;
  roomsPerUser: { p50: number; p90: number; max: number };
  membersPerRoom: { p50: number; p99: number; max: number };
  largestRoom: { roomId: string; members: number; messages: number } | null;
  busiestRoom: { roomId: string; members: number; messages: number } | null;
  heaviestUser: { userId: string; rooms: number } | null;
  typicalUser: { userId: string; rooms: number } | null;
}

export interface Dataset {
  url: string;
  database: string;
  summary: SeedSummary;
  /** Whether this run generated it (false: reused). */
  generated: boolean;
  /** Wall-clock seconds of `chat-bff seed generate`, process start to exit, when it ran. */
  generationSeconds: number;
  generatedAt: string;
  /** pg_database_size now. */
  databaseBytes: number;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureDataset(
  serverUrl: string,
  scale: Scale,
  options: { regenerate: boolean; log: (line: string) => void },
): Promise<Dataset> {
  const database = `chat_bff_bench_${scale.name}`;
  const url = databaseUrl(serverUrl, database);
  if (!options.regenerate) {
    const existing = await readDataset(url, scale);
    if (existing) {
      options.log(`data set: reusing ${database} (generated ${existing.generatedAt})`);
      await settle(url, options.log);
      return { ...existing, url, database, generated: false };
    }
  }
  options.log(
    `data set: generating ${database}: ${scale.users} users, ${scale.rooms} rooms, ${scale.messages} messages`,
  );
  await withClient(databaseUrl(serverUrl, 'postgres'), async (client) => {
    await client.query(`drop database if exists ${database} with (force)`);
    await client.query(`create database ${database}`);
  });
  const started = performance.now();
  const summary = await runSeedGenerate(url, scale);
  const generationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const generatedAt = new Date().toISOString();
  await withClient(url, async (client) => {
    await client.query(`create table bench_dataset (
      scale text primary key, users int not null, rooms int not null, messages int not null,
      seed int not null, summary jsonb not null, generation_seconds real not null,
      generated_at timestamptz not null)`);
    await client.query(`insert into bench_dataset values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      scale.name,
      scale.users,
      scale.rooms,
      scale.messages,
      SEED,
      summary,
      generationSeconds,
      generatedAt,
    ]);
  });
  await settle(url, options.log);
  const databaseBytes = await databaseSize(url);
  return { url, database, summary, generated: true, generationSeconds, generatedAt, databaseBytes };
}

/**
 * VACUUM (ANALYZE) before measuring. Freshly bulk-loaded pages have no hint bits and no
 * visibility map, so without it the first reads write (setting hint bits) and autovacuum
 * starts on the 2M-message table in the middle of a run, slowing whichever system is
 * measured then. On a settled database it takes seconds (after a run: the sends' pages).
 */
async function settle(url: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await withClient(url, (client) => client.query('vacuum (analyze)'));
  log(`data set: vacuum (analyze) took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function readDataset(
  url: string,
  scale: Scale,
): Promise<Omit<Dataset, 'url' | 'database' | 'generated'> | null> {
  try {
    return await withClient(url, async (client) => {
      const { rows } = await client.query<{
        summary: SeedSummary;
        generation_seconds: number;
        generated_at: Date;
      }>(
        `select summary, generation_seconds, generated_at from bench_dataset
         where scale = $1 and users = $2 and rooms = $3 and messages = $4 and seed = $5`,
        [scale.name, scale.users, scale.rooms, scale.messages, SEED],
      );
      const row = rows[0];
      if (!row) return null;
      // The generator's rows must still be there (someone may have emptied the database).
      const count = await client.query<{ n: number }>(
        'select count(*)::int as n from rooms where app_id = $1',
        [row.summary.appId],
      );
      if (count.rows[0]?.n !== scale.rooms) return null;
      return {
        summary: row.summary,
        generationSeconds: row.generation_seconds,
        generatedAt: row.generated_at.toISOString(),
        databaseBytes: await databaseSize(url),
      };
    });
  } catch {
    return null; // no such database, or no bench_dataset table: generate it
  }
}

async function databaseSize(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ size: string }>(
      'select pg_database_size(current_database())::text as size',
    );
    return Number(rows[0]?.size ?? 0);
  });
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'chat-bff-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `chat-bff seed generate --json` as any user would, with DATABASE_URL pointing at the bench database. */
function runSeedGenerate(url: string, scale: Scale): Promise<SeedSummary> {
  const args = [
    CLI,
    'seed',
    'generate',
    '--users',
    String(scale.users),
    '--rooms',
    String(scale.rooms),
    '--messages',
    String(scale.messages),
    '--seed',
    String(SEED),
    '--json',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`chat-bff seed generate exited with ${code}`));
      try {
        const parsed = JSON.parse(out) as SeedSummary & { apiKey?: string; password?: string };
        // The API key is a secret; the bench does not need it, so it is not kept.
        delete parsed.apiKey;
        resolve(parsed);
      } catch (error) {
        reject(new Error(`seed generate printed no JSON summary: ${String(error)}\n${out.slice(0, 500)}`));
      }
    });
  });
}
