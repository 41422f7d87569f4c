import type { Sample } from './load.js';

/*
 * A scenario's verdict: its figures and the checks that failed, printed as one line
 * (`PASS name: figures` / `FAIL name: figures; failed: ...`), quoted as is in the reliability figures.
 */

export class Verdict {
  readonly figures: string[] = [];
  readonly failures: string[] = [];
  constructor(readonly name: string) {}

  figure(text: string): void {
    this.figures.push(text);
  }

  /** Records a check: the figure always, a failure when it does not hold. */
  check(ok: boolean, text: string): void {
    this.figures.push(text);
    if (!ok) this.failures.push(text);
  }

  fail(text: string): void {
    this.failures.push(text);
  }

  get passed(): boolean {
    return this.failures.length === 0;
  }

  line(): string {
    const figures = this.figures.join('; ');
    return this.passed
      ? `PASS ${this.name}: ${figures}`
      : `FAIL ${this.name}: ${figures} | failed: ${this.failures.join('; ')}`;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const ms = (value: number): string => `${Math.round(value)} ms`;
export const latency = (s: Sample): number => s.end - s.start;

/** "3 x 500 INTERNAL_SERVER_ERROR, 1 x network: ECONNRESET": the most common reasons first. */
export function reasons(samples: Sample[], limit = 3): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.detail, (counts.get(s.detail) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([detail, n]) => `${n} x ${detail}`)
    .join(', ');
}
