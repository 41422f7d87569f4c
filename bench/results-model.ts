import type { RunResult } from './load.js';

/*
 * What a bench run writes to bench/results/<label>.json, and the performance targets
 * (a share of the HTTP floor, flat costs in history depth and room size, statements per
 * request, memory, the embedded demo's latency) evaluated on it.
 */

export type Stats = Omit<RunResult, 'latencies'>;

export interface ConcurrencyResult {
  concurrency: number;
  chatBff: Stats;
  /** (b): the statement behind a bare node:http endpoint. */
  floorHttp: Stats;
  /** (a): the statement called in-process. */
  floorSql: Stats;
  /** chat-bff's SQL statements per request (from /metrics); the floors run 1. */
  statementsPerRequest: number | null;
  /** chat-bff requests/s over the floor's. */
  ratioToSql: number;
  ratioToHttp: number;
}

export interface CaseResult {
  name: string;
  kind: 'read' | 'write';
  description: string;
  distinctRequests: number;
  responseBytes: { chatBff: number; floor: number };
  /** JSON paths in one answer and not in the other (arrays as []): how "same" the floor's JSON is. */
  shapeDifference: { onlyChatBff: string[]; onlyFloor: string[] };
  runs: ConcurrencyResult[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  label: string;
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string; postgres: string; memoryGiB: number };
  settings: {
    scale: string;
    secondsPerRun: number;
    warmupSeconds: number;
    rounds: number;
    concurrency: number[];
    poolSize: number;
    chatBffLogLevel: string;
    /** Node flags chat-bff runs with (it runs compiled from dist/). */
    chatBffNodeFlags: string;
  };
  dataset: {
    database: string;
    reused: boolean;
    generationSeconds: number;
    generatedAt: string;
    databaseBytes: number;
    users: number;
    rooms: number;
    memberships: number;
    messages: number;
    busiestRoom: { roomId: string; members: number; messages: number } | null;
    heaviestUser: { userId: string; rooms: number } | null;
  };
  cases: CaseResult[];
  chatBffRssBytes: { afterStart: number; afterBench: number };
  demo: { p50: number; p99: number; rps: number; requests: number } | null;
  targets: TargetCheck[];
}

export function stats(run: RunResult): Stats {
  const { latencies: _latencies, ...rest } = run;
  return rest;
}

const MB = 1024 * 1024;

/** The performance targets, checked at the highest concurrency measured (32 in a full run). */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const top = (c: CaseResult) => c.runs[c.runs.length - 1];
  const byName = (name: string) => results.cases.find((c) => c.name === name);
  for (const c of results.cases.filter((x) => x.kind === 'read')) {
    const run = top(c);
    if (!run) continue;
    checks.push({
      target: `${c.name}: >= 0.6x the HTTP floor (b), p99 < 50 ms (c=${run.concurrency})`,
      measured: `${run.ratioToHttp.toFixed(2)}x, p99 ${run.chatBff.p99.toFixed(1)} ms`,
      met: run.ratioToHttp >= 0.6 && run.chatBff.p99 < 50,
    });
  }
  const pairs: [string, string, number, string][] = [
    ['GQL-MESSAGES deep', 'GQL-MESSAGES head', 1.1, 'deep in history within 10% of the head (p50)'],
    [
      'WRITE-SEND 2000 members',
      'WRITE-SEND 2 members',
      1.5,
      '2,000-member room within 1.5x of a 2-member room (p50)',
    ],
  ];
  for (const [slow, fast, factor, text] of pairs) {
    const a = byName(slow);
    const b = byName(fast);
    for (const concurrency of results.settings.concurrency) {
      const ra = a?.runs.find((r) => r.concurrency === concurrency);
      const rb = b?.runs.find((r) => r.concurrency === concurrency);
      if (!ra || !rb) continue;
      const ratio = ra.chatBff.p50 / rb.chatBff.p50;
      checks.push({
        target: `${text}, c=${concurrency}`,
        measured: `${ra.chatBff.p50.toFixed(2)} vs ${rb.chatBff.p50.toFixed(2)} ms (${ratio.toFixed(2)}x)`,
        met: ratio <= factor,
      });
    }
  }
  for (const c of results.cases.filter((x) => x.name.startsWith('GQL-ROOMS'))) {
    const worst = Math.max(...c.runs.map((r) => r.statementsPerRequest ?? Infinity));
    checks.push({
      target: `${c.name}: at most 6 SQL statements per request`,
      measured: `${Number.isFinite(worst) ? worst.toFixed(2) : 'unknown'}`,
      met: worst <= 6,
    });
  }
  checks.push({
    target: 'chat-bff RSS under 300 MB after the whole bench',
    measured: `${(results.chatBffRssBytes.afterBench / MB).toFixed(0)} MB`,
    met: results.chatBffRssBytes.afterBench < 300 * MB,
  });
  if (results.demo) {
    checks.push({
      target: 'embedded PGlite demo: GQL-ROOMS p50 under 20 ms',
      measured: `${results.demo.p50.toFixed(2)} ms`,
      met: results.demo.p50 < 20,
    });
  }
  return checks;
}
