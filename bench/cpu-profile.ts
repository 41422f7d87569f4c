import type { HeapProfiler, Profiler } from 'node:inspector';

/*
 * Where a profile's cost went, by owner (a package under node_modules, chat-bff's own
 * src/, a node: built-in, GC) and by function: CPU self time from a V8 CPU profile, bytes
 * from a sampling heap profile. Self amounts only, so the shares add up to 100%.
 */

type CallFrame = Profiler.ProfileNode['callFrame'];

export interface ProfileSummary {
  /** Sampled ms (CPU) or bytes (heap), idle left out. */
  total: number;
  /** Owner -> amount, largest first. */
  owners: [string, number][];
  /** "function (file:line)" -> amount, largest first. */
  functions: [string, number][];
}

function tally(entries: Iterable<[CallFrame, number]>, top: number): ProfileSummary {
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [frame, amount] of entries) {
    if (frame.functionName === '(idle)' || amount === 0) continue;
    total += amount;
    const owner = ownerOf(frame.url, frame.functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + amount);
    const where = frame.url ? ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + amount);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, owners: sorted(owners), functions: sorted(functions).slice(0, top) };
}

/** CPU self time in ms per owner and per function. */
export function summarizeProfile(profile: Profiler.Profile, top = 15): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const { samples = [], timeDeltas = [] } = profile;
  return tally(
    samples.flatMap((id, i): [CallFrame, number][] => {
      const frame = frames.get(id);
      return frame ? [[frame, (timeDeltas[i] ?? 0) / 1000]] : [];
    }),
    top,
  );
}

/** Bytes allocated per owner and per allocating function. */
export function summarizeHeap(profile: HeapProfiler.SamplingHeapProfile, top = 15): ProfileSummary {
  const entries: [CallFrame, number][] = [];
  const stack: HeapProfiler.SamplingHeapProfileNode[] = [profile.head];
  for (let node = stack.pop(); node; node = stack.pop()) {
    stack.push(...node.children);
    entries.push([node.callFrame, node.selfSize]);
  }
  return tally(entries, top);
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

/** The summary as text: its total, the owners and the top functions, each also per request. */
export function formatSummary(
  summary: ProfileSummary,
  labels: { total: string; functions: string; perRequest: (amount: number) => string },
): string {
  const pct = (amount: number) => `${((100 * amount) / summary.total).toFixed(1)}%`.padStart(6);
  const lines = [`${labels.total}: ${labels.perRequest(summary.total)}`, '', 'by owner:'];
  for (const [owner, amount] of summary.owners.slice(0, 20)) {
    lines.push(`  ${pct(amount)}  ${labels.perRequest(amount).padStart(14)}  ${owner}`);
  }
  lines.push('', `${labels.functions}:`);
  for (const [name, amount] of summary.functions) lines.push(`  ${pct(amount)}  ${name}`);
  return lines.join('\n');
}
