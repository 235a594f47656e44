// The Run panel's pairing as plain functions (src/engine/pairing.ts) and a run's one-line note
// (runNote in src/engine/incremental.ts), without a browser: the paper's two sets (chosen, or the
// first two), every pair once with each set against itself shifted by one, none; the note's counts.
import { describe, expect, it } from 'vitest';
import { paperPair, plannedPairs } from '../../src/engine/pairing';
import { runNote, type IncrementalRun } from '../../src/engine/incremental';
import type { RunSet } from '../../src/engine/types';

const set = (name: string, n: number): RunSet => ({
  name,
  samples: Array.from({ length: n }, (_, i) => ({ source: `${name}${i}`, tokens: [1, i + 2] })),
});

describe('pairing', () => {
  it("the paper's pair: the chosen two while present and distinct, else the first two", () => {
    expect(paperPair(['a', 'b', 'c'], 'c', 'a')).toEqual(['c', 'a']);
    expect(paperPair(['a', 'b', 'c'], 'gone', 'c')).toEqual(['a', 'c']);
    expect(paperPair(['a', 'b', 'c'], 'b', 'b')).toEqual(['b', 'a']);
    expect(paperPair(['a', 'b'], '', '')).toEqual(['a', 'b']);
    expect(paperPair(['a'], 'a', 'b')).toBeNull();
  });

  it('matrix: every pair once, a set against itself (shift 1) only with two samples or more', () => {
    const sets = [set('a', 3), set('b', 1), set('c', 2)];
    expect(plannedPairs('matrix', sets, null)).toEqual([
      { a: 'a', b: 'a', shift: 1 },
      { a: 'a', b: 'b' },
      { a: 'a', b: 'c' },
      { a: 'b', b: 'c' },
      { a: 'c', b: 'c', shift: 1 },
    ]);
    expect(plannedPairs('paper', sets, ['c', 'a'])).toEqual([{ a: 'c', b: 'a' }]);
    expect(plannedPairs('paper', sets, null)).toEqual([]);
    expect(plannedPairs('none', sets, ['a', 'b'])).toEqual([]);
  });

  it("a run's note: counts, the pairs walked again, and what a cancel keeps", () => {
    const r = (over: Partial<IncrementalRun>): IncrementalRun => ({
      out: { sets: [], pairs: [] } as unknown as IncrementalRun['out'],
      complete: true,
      computed: { sets: ['a', 'b'], pairs: ['a×b'] },
      cached: { sets: ['c'], pairs: [] },
      rewalked: [],
      cacheErrors: [],
      ...over,
    });
    expect(runNote(r({}))).toBe(
      'Done: 2 set(s) and 1 pair(s) computed, 1 set(s) and 0 pair(s) from the cache.',
    );
    const cancelled = runNote(r({ complete: false, rewalked: ['c'] }));
    expect(cancelled).toMatch(/^Cancelled: 2 set\(s\)/);
    expect(cancelled).toContain('which no cached result holds): c.');
    expect(cancelled).toMatch(/Finished units are kept; run again to continue\.$/);
  });
});
