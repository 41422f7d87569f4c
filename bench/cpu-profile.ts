import type { HeapProfiler, Profiler } from 'node:inspector';

/*
 * Where a V8 CPU profile's time went: self time per owner (a package under
 * node_modules, chat-bff's own src/, a node: built-in, GC) and the hottest functions.
 * Self time only, so the shares add up to 100% of the sampled time.
 */

export interface ProfileSummary {
  totalMs: number;
  /** Owner -> ms of self time, largest first. */
  owners: [string, number][];
  /** "function (owner file:line)" -> ms of self time, largest first. */
  functions: [string, number][];
}

export function summarizeProfile(profile: Profiler.Profile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i += 1) {
    const id = samples[i] as number;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (timeDeltas[i] ?? 0) / 1000);
  }
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    totalMs += ms;
    const owner = ownerOf(frame.url, frame.functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const where = frame.url ? ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, owners: sorted(owners), functions: sorted(functions).slice(0, top) };
}

/** A package name, "chat-bff", "node:<module>", "GC" or "native/other". */
export function ownerOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url); // the innermost package
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url.split('/')[0] ?? url;
  if (/\/(src|dist)\//.test(url)) return 'chat-bff';
  return 'native/other';
}

function shortUrl(url: string): string {
  const pkg = /.*node_modules\/(.+)$/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const own = /\/((?:src|dist|bench)\/.+)$/.exec(url);
  return own?.[1] ?? url;
}

export function formatSummary(summary: ProfileSummary, requests: number): string {
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`.padStart(6);
  const perRequest = (ms: number) => `${(ms / requests).toFixed(3)} ms/req`;
  const lines = [
    `sampled CPU: ${summary.totalMs.toFixed(0)} ms, ${perRequest(summary.totalMs)}`,
    '',
    'by owner:',
  ];
  for (const [owner, ms] of summary.owners.slice(0, 20)) {
    lines.push(`  ${pct(ms)}  ${perRequest(ms).padStart(14)}  ${owner}`);
  }
  lines.push('', 'hottest functions (self time):');
  for (const [name, ms] of summary.functions) lines.push(`  ${pct(ms)}  ${name}`);
  return lines.join('\n');
}

export interface HeapSummary {
  totalBytes: number;
  owners: [string, number][];
  functions: [string, number][];
}

/** Bytes allocated per owner and per allocating function, from a sampling heap profile. */
export function summarizeHeap(profile: HeapProfiler.SamplingHeapProfile, top = 15): HeapSummary {
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalBytes = 0;
  const stack: HeapProfiler.SamplingHeapProfileNode[] = [profile.head];
  for (let node = stack.pop(); node; node = stack.pop()) {
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    const frame = node.callFrame;
    totalBytes += node.selfSize;
    const owner = ownerOf(frame.url, frame.functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + node.selfSize);
    const where = frame.url ? ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalBytes, owners: sorted(owners), functions: sorted(functions).slice(0, top) };
}

export function formatHeapSummary(summary: HeapSummary, requests: number): string {
  const pct = (bytes: number) => `${((100 * bytes) / summary.totalBytes).toFixed(1)}%`.padStart(6);
  const perRequest = (bytes: number) => `${(bytes / requests / 1024).toFixed(1)} kB/req`;
  const lines = [`allocated: ${perRequest(summary.totalBytes)}`, '', 'by owner:'];
  for (const [owner, bytes] of summary.owners.slice(0, 15)) {
    lines.push(`  ${pct(bytes)}  ${perRequest(bytes).padStart(14)}  ${owner}`);
  }
  lines.push('', 'allocating functions:');
  for (const [name, bytes] of summary.functions) lines.push(`  ${pct(bytes)}  ${name}`);
  return lines.join('\n');
}
