import autocannon from 'autocannon';

/*
 * The two load drivers: autocannon over loopback HTTP (chat-bff and the node:http floor),
 * and an in-process loop over a function (the raw-SQL floor). Both keep `connections`
 * requests in flight for `seconds`, walk a pre-computed list of requests round-robin
 * (many users, rooms and cursors, never one cached key) and record every latency as a
 * float, so p50/p99 are exact below a millisecond too (autocannon's own histogram
 * rounds to whole milliseconds).
 */

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RunResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** Requests that failed (connection errors, non-2xx, or a body check that failed). */
  errors: number;
  /** Mean bytes per response (HTTP only). */
  bytes: number;
  /** Every latency in ms, sorted (not written to the results; used to merge rounds). */
  latencies: Float64Array;
}

export function summarize(
  latencies: ArrayLike<number>,
  seconds: number,
  errors: number,
  bytes: number,
): RunResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) =>
    sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    requests: sorted.length,
    seconds,
    rps: sorted.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    mean: sorted.length ? total / sorted.length : 0,
    errors,
    bytes: sorted.length ? bytes / sorted.length : 0,
    latencies: sorted,
  };
}

/** Several runs of the same thing as one: all their requests over all their time. */
export function mergeRuns(runs: RunResult[]): RunResult {
  const latencies = new Float64Array(runs.reduce((n, r) => n + r.latencies.length, 0));
  let offset = 0;
  for (const run of runs) {
    latencies.set(run.latencies, offset);
    offset += run.latencies.length;
  }
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const errors = runs.reduce((sum, r) => sum + r.errors, 0);
  const bytes = runs.reduce((sum, r) => sum + r.bytes * r.requests, 0);
  return summarize(latencies, seconds, errors, bytes);
}

export async function runHttp(options: {
  baseUrl: string;
  request: (index: number) => HttpRequestSpec;
  connections: number;
  seconds: number;
}): Promise<RunResult> {
  let next = 0;
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        duration: options.seconds,
        // Fresh request objects per call: autocannon keeps a reference to what it gets.
        requests: [
          {
            setupRequest: (request) => {
              const spec = options.request(next++);
              return {
                ...request,
                method: spec.method,
                path: spec.path,
                headers: spec.headers,
                ...(spec.body !== undefined && { body: spec.body }),
              };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance?.on('response', (_client: unknown, status: number, resBytes: number, responseTime: number) => {
    if (status >= 200 && status < 300) {
      latencies.push(responseTime);
      bytes += resBytes;
    } else {
      errors++;
    }
  });
  const result = await finished;
  const seconds = (performance.now() - started) / 1000;
  return summarize(latencies, Math.min(seconds, result.duration || seconds), errors + result.errors, bytes);
}

/** `connections` loops, each calling `call(i)` with the next index until time is up. */
export async function runInProcess(options: {
  call: (index: number) => Promise<unknown>;
  connections: number;
  seconds: number;
}): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const index = next++;
      const t0 = performance.now();
      try {
        await options.call(index);
        latencies.push(performance.now() - t0);
      } catch (error) {
        firstError ??= error;
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  if (errors > 0 && latencies.length === 0) throw firstError;
  return summarize(latencies, (performance.now() - started) / 1000, errors, 0);
}
