/*
 * What each attack got: checks with a verdict, and figures. An attack check is REFUSED
 * when the server refused it as wanted, a behaviour check OK when the server did what a
 * legitimate client needs (an allowed origin's preflight, say); either is a HOLE otherwise.
 * SKIPPED says why a check was not run; ERROR means the audit itself could not do it.
 */

export type Verdict = 'REFUSED' | 'OK' | 'HOLE' | 'SKIPPED' | 'ERROR';

export interface Check {
  verdict: Verdict;
  name: string;
  got: string;
  expected: string;
}

export class AttackReport {
  readonly checks: Check[] = [];
  readonly figures: string[] = [];
  constructor(
    readonly number: number,
    readonly title: string,
  ) {}

  /** An attack: refused as wanted (REFUSED) or not (HOLE). */
  refused(name: string, ok: boolean, got: string, expected: string): void {
    this.checks.push({ verdict: ok ? 'REFUSED' : 'HOLE', name, got, expected });
  }

  /** What a legitimate client needs: done (OK) or not (HOLE). */
  holds(name: string, ok: boolean, got: string, expected: string): void {
    this.checks.push({ verdict: ok ? 'OK' : 'HOLE', name, got, expected });
  }

  skipped(name: string, why: string): void {
    this.checks.push({ verdict: 'SKIPPED', name, got: why, expected: '' });
  }

  error(name: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.checks.push({ verdict: 'ERROR', name, got: message.split('\n')[0] ?? message, expected: '' });
  }

  figure(text: string): void {
    this.figures.push(text);
  }

  get failed(): boolean {
    return this.checks.some((c) => c.verdict === 'HOLE' || c.verdict === 'ERROR');
  }
}

export function printReport(report: AttackReport, write: (line: string) => void): void {
  write(`${report.number}. ${report.title}`);
  for (const check of report.checks) {
    write(`   ${check.verdict.padEnd(8)} ${check.name}`);
    const expected = check.expected === '' ? '' : ` | expected: ${check.expected}`;
    write(`   ${''.padEnd(8)}   got: ${check.got}${expected}`);
  }
  for (const figure of report.figures) write(`   ${'figure'.padEnd(8)} ${figure}`);
  write('');
}

export function printSummary(reports: AttackReport[], write: (line: string) => void): void {
  const all = reports.flatMap((r) => r.checks.map((c) => ({ report: r, check: c })));
  const count = (v: Verdict) => all.filter(({ check }) => check.verdict === v).length;
  write(
    `Summary: ${all.length} checks: ${count('REFUSED')} refused, ${count('OK')} ok, ${count('HOLE')} HOLE, ${count('SKIPPED')} skipped, ${count('ERROR')} error`,
  );
  for (const { report, check } of all) {
    if (check.verdict === 'HOLE' || check.verdict === 'ERROR')
      write(`  ${check.verdict} ${report.number}. ${check.name}`);
  }
}

/** "#1-5 401, #6-31 429": a run of statuses, numbered from 1. */
export function statusRuns(statuses: readonly (number | string)[]): string {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= statuses.length; i++) {
    if (i === statuses.length || statuses[i] !== statuses[start]) {
      parts.push(
        i - start === 1 ? `#${start + 1} ${statuses[start]}` : `#${start + 1}-${i} ${statuses[start]}`,
      );
      start = i;
    }
  }
  return parts.join(', ');
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
