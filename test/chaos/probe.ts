import { sleep } from './load.js';

/*
 * /readyz asked every `intervalMs` while a fault happens: what a load balancer sees.
 * Each probe is bounded by the client at 5 s (a hung probe is a finding, recorded as such).
 */

export interface ProbeSample {
  start: number;
  end: number;
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
}

export interface Probe {
  samples: ProbeSample[];
  stop(): Promise<void>;
}

export function startReadinessProbe(baseUrl: () => string, intervalMs = 100, maxSeconds = 300): Probe {
  const samples: ProbeSample[] = [];
  let stopped = false;
  const deadline = performance.now() + maxSeconds * 1000;
  const loop = (async () => {
    while (!stopped && performance.now() < deadline) {
      const start = performance.now();
      let status: number;
      try {
        const response = await fetch(`${baseUrl()}/readyz`, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      samples.push({ start, end: performance.now(), status });
      await sleep(intervalMs);
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
