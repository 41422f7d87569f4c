import type { HeapProfiler, Profiler } from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { ownerOf, summarizeHeap, summarizeProfile } from '../../bench/cpu-profile.js';

// bench:profile's attribution: what it reports as "GC", "kysely" or "chat-bff" is the basis of the
// published profiling figures, so it is checked on profiles whose answer is known.

function frame(functionName: string, url: string): Profiler.ProfileNode['callFrame'] {
  return { functionName, url, scriptId: '0', lineNumber: 9, columnNumber: 0 };
}

describe('bench CPU profile summary', () => {
  it('names owners by package, own sources, node built-ins and GC', () => {
    expect(ownerOf('file:///repo/node_modules/kysely/dist/esm/index.js', 'visitNode')).toBe('kysely');
    expect(ownerOf('file:///repo/node_modules/@envelop/core/esm/orchestrator.js', 'x')).toBe('@envelop/core');
    expect(ownerOf('file:///repo/node_modules/a/node_modules/pg/lib/result.js', 'parseRow')).toBe('pg');
    expect(ownerOf('file:///repo/src/db/timestamps.ts', 'parseIso')).toBe('chat-bff');
    expect(ownerOf('file:///repo/dist/db/timestamps.js', 'parseIso')).toBe('chat-bff');
    expect(ownerOf('node:internal/deps/undici/undici', 'toUSVString')).toBe('node:internal');
    expect(ownerOf('', '(garbage collector)')).toBe('GC');
    expect(ownerOf('', 'writev')).toBe('native/other');
  });

  it('adds self time per owner and per function from samples and time deltas, idle left out', () => {
    const profile: Profiler.Profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
        { id: 2, callFrame: frame('visitNode', 'file:///r/node_modules/kysely/a.js'), children: [5] },
        { id: 3, callFrame: frame('(garbage collector)', '') },
        { id: 4, callFrame: frame('(idle)', '') },
        { id: 5, callFrame: frame('parseIso', 'file:///r/src/db/timestamps.ts') },
      ],
      startTime: 0,
      endTime: 10_000,
      // Time deltas in µs: each sample's time is the delta at its index.
      samples: [2, 5, 5, 3, 4, 2],
      timeDeltas: [1000, 2000, 2000, 3000, 9000, 1000],
    };
    const summary = summarizeProfile(profile);
    expect(summary.total).toBe(9);
    expect(Object.fromEntries(summary.owners)).toEqual({ 'chat-bff': 4, GC: 3, kysely: 2 });
    expect(summary.functions[0]).toEqual(['parseIso (src/db/timestamps.ts:10)', 4]);
  });

  it('adds allocated bytes per owner over the whole allocation tree', () => {
    const node = (
      name: string,
      url: string,
      selfSize: number,
      children: HeapProfiler.SamplingHeapProfileNode[] = [],
    ): HeapProfiler.SamplingHeapProfileNode => ({ callFrame: frame(name, url), selfSize, children });
    const heap: HeapProfiler.SamplingHeapProfile = {
      head: node('(root)', '', 0, [
        node('handleDataRow', 'file:///r/node_modules/pg/lib/client.js', 300, [
          node('parseIso', 'file:///r/src/db/timestamps.ts', 500),
        ]),
        node('handleDataRow', 'file:///r/node_modules/pg/lib/client.js', 200),
      ]),
    };
    const summary = summarizeHeap(heap);
    expect(summary.total).toBe(1000);
    expect(Object.fromEntries(summary.owners)).toEqual({ 'chat-bff': 500, pg: 500 });
    expect(summary.functions).toEqual([
      ['handleDataRow (pg/lib/client.js:10)', 500],
      ['parseIso (src/db/timestamps.ts:10)', 500],
    ]);
  });
});
