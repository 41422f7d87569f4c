import { parseArgs } from 'node:util';

/*
 * What `npm run bench -- <flags>` can change. The defaults are the run the targets are
 * judged on: medium scale, concurrency 1 and 32, every case, chat-bff against both floors.
 */

export type ScaleName = 'quick' | 'medium' | 'large';

export interface Scale {
  name: ScaleName;
  users: number;
  rooms: number;
  messages: number;
  /** Seconds per measured run (one system, one case, one concurrency). */
  seconds: number;
  /** Seconds of unmeasured warm-up per case and system. */
  warmupSeconds: number;
  /** A/B rounds: each round measures chat-bff, (b) and (a) once, so drift hits all alike. */
  rounds: number;
  concurrency: number[];
}

export const SCALES: Record<ScaleName, Scale> = {
  // A smoke test CI can afford: a tiny data set and about a second per run.
  quick: {
    name: 'quick',
    users: 150,
    rooms: 600,
    messages: 30_000,
    seconds: 1,
    warmupSeconds: 0.5,
    rounds: 1,
    concurrency: [32],
  },
  medium: {
    name: 'medium',
    users: 2_000,
    rooms: 20_000,
    messages: 2_000_000,
    seconds: 5,
    warmupSeconds: 2,
    rounds: 2,
    concurrency: [1, 32],
  },
  large: {
    name: 'large',
    users: 10_000,
    rooms: 100_000,
    messages: 10_000_000,
    seconds: 5,
    warmupSeconds: 2,
    rounds: 2,
    concurrency: [1, 32],
  },
};

export interface BenchOptions {
  scale: Scale;
  /** postgres://… of the server; the bench uses the database chat_bff_bench_<scale> on it. */
  serverUrl: string;
  /** Only the cases whose name contains one of these (case-insensitive). */
  cases: string[];
  regenerate: boolean;
  skipDemo: boolean;
  /** Connection pool size, the same for chat-bff and both floors. */
  poolSize: number;
  outDir: string;
  /** Results file name: bench/results/<label>.{json,md,svg}; <scale>, or <scale>-subset with --cases. */
  label: string;
  /** Start chat-bff with --cpu-prof into this directory. */
  cpuProfDir: string | null;
}

const USAGE = `npm run bench -- [options]
  --scale quick|medium|large   data set and run length (default medium; --quick = --scale quick)
  --seconds N                  seconds per measured run (default per scale)
  --rounds N                   A/B rounds per case (default per scale)
  --concurrency 1,32           connection counts (default per scale)
  --cases a,b                  only cases whose name contains one of these
  --regenerate                 drop and regenerate the data set
  --skip-demo                  skip the embedded PGlite demo measurement
  --pool N                     database pool size for chat-bff and both floors (default 10)
  --server-url URL             PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
  --label NAME                 results file name (default: the scale, or <scale>-subset with --cases)
  --cpu-prof DIR               run chat-bff with --cpu-prof, profiles written to DIR`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      quick: { type: 'boolean' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      cases: { type: 'string' },
      regenerate: { type: 'boolean' },
      'skip-demo': { type: 'boolean' },
      pool: { type: 'string' },
      'server-url': { type: 'string' },
      label: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scaleName = values.quick ? 'quick' : (values.scale ?? 'medium');
  if (!(scaleName in SCALES)) throw new Error(`--scale must be quick, medium or large, not "${scaleName}"`);
  const scale = { ...SCALES[scaleName as ScaleName] };
  if (values.seconds !== undefined) scale.seconds = positive('--seconds', values.seconds);
  if (values.rounds !== undefined) scale.rounds = Math.round(positive('--rounds', values.rounds));
  if (values.concurrency !== undefined) {
    scale.concurrency = values.concurrency.split(',').map((c) => Math.round(positive('--concurrency', c)));
  }
  const cases = values.cases ? values.cases.split(',').map((c) => c.trim().toLowerCase()) : [];
  return {
    scale,
    serverUrl: values['server-url'] ?? defaultServerUrl(),
    cases,
    regenerate: values.regenerate ?? false,
    skipDemo: values['skip-demo'] ?? false,
    poolSize: values.pool !== undefined ? Math.round(positive('--pool', values.pool)) : 10,
    outDir: new URL('./results/', import.meta.url).pathname,
    label: values.label ?? (cases.length > 0 ? `${scale.name}-subset` : scale.name),
    cpuProfDir: values['cpu-prof'] ?? null,
  };
}

/** The PostgreSQL server the bench's data sets live on, unless --server-url names another. */
export function defaultServerUrl(): string {
  return process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${value}"`);
  return n;
}
