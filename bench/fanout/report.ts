import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * bench/results/<label>.json (every figure) and <label>.md (the table), as the main
 * bench writes its own.
 */

export interface FanoutRow {
  feed: 'room' | 'viewer';
  subscribers: number;
  /** Subscriptions the server accepted (SSE answered 200, graphql-ws acknowledged). */
  opened: number;
  /** Subscribers that received a warm-up message (live before measuring); latency is theirs. */
  live: number;
  sse: number;
  ws: number;
  messages: number;
  /** SQL statements per message, the send's own included. */
  statementsPerMessage: number;
  /** Delivery latency from the send's acknowledgment to receipt; an earlier receipt counts 0. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Receipts that came before the send's HTTP answer. */
  beforeAck: number;
  /** (subscriber, message) pairs never received before the drain gave up. */
  missing: number;
  /** Server RSS grown by opening the subscriptions, per opened subscription. */
  rssPerSubscriptionBytes: number | null;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  openSeconds: number;
  drainSeconds: number;
  failures: string[];
}

export interface FanoutResults {
  label: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    postgres: string;
    nofile: string;
  };
  settings: { messages: number; rate: number; transport: string; heapMb: number };
  rows: FanoutRow[];
  /** Sizes not measured, and why (e.g. the server ran out of memory). */
  notes: string[];
}

const ms = (n: number | null) => (n === null ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(0));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function renderFanout(r: FanoutResults): string {
  const lines = [
    `# chat-bff fan-out benchmark`,
    '',
    `Run ${r.startedAt} to ${r.finishedAt} with \`${r.command}\` on ${r.machine.cpus} × ${r.machine.cpuModel}, ` +
      `${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.postgres} (a private server), ` +
      `open files ${r.machine.nofile}. ${r.settings.messages} messages at ${r.settings.rate}/s per row, ` +
      `subscribers over ${r.settings.transport}, chat-bff with --max-old-space-size=${r.settings.heapMb}.`,
    '',
    '| feed | subscribers | opened | live (SSE/WS) | SQL statements per message | delivery p50 | p99 | max | missing | RSS per subscription |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map(
      (row) =>
        `| ${row.feed} | ${int(row.subscribers)} | ${int(row.opened)} | ${int(row.live)} (${row.sse}/${row.ws}) | ` +
        `${row.statementsPerMessage.toFixed(1)} | ${ms(row.p50Ms)} ms | ${ms(row.p99Ms)} ms | ${ms(row.maxMs)} ms | ` +
        `${int(row.missing)} | ${row.rssPerSubscriptionBytes === null ? '–' : `${(row.rssPerSubscriptionBytes / 1024).toFixed(1)} kB`} |`,
    ),
    '',
    "Statements per message include the send itself; latency runs from the send's HTTP answer to each " +
      "subscriber's receipt, measured in the bench process that also holds every subscriber (its own event " +
      'loop is part of the figure), an event that beat the answer counting 0 ms.',
  ];
  for (const note of r.notes) lines.push('', `- ${note}`);
  for (const row of r.rows)
    if (row.failures.length > 0)
      lines.push('', `- ${row.feed} × ${row.subscribers}: ${row.failures.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

export function writeFanout(outDir: string, results: FanoutResults): { json: string; md: string } {
  mkdirSync(outDir, { recursive: true });
  const files = { json: join(outDir, `${results.label}.json`), md: join(outDir, `${results.label}.md`) };
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.md, renderFanout(results));
  return files;
}
