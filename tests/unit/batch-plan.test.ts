// How a batch's members split into runs of one set (src/engine/batch-plan.ts setRuns): the folded
// score scores each run in one kernel and adds its A to that set's sums once; and how forward-only
// passes stack their sequences (stackedGroups).
import { describe, expect, it } from 'vitest';
import {
  batchStride,
  groupRows,
  setRuns,
  stackedGroups,
  STACK_ROWS,
} from '../../src/engine/batch-plan';
import { LLAMA2_7B } from '../../src/gpu/synthetic';

const of = (sets: number[]) => setRuns(sets.map((set) => ({ set })));

describe('setRuns', () => {
  it('keeps a batch of one set together', () => {
    expect(of([2, 2, 2, 2])).toEqual([{ first: 0, count: 4 }]);
  });
  it('splits where the set changes, and again where a set comes back', () => {
    expect(of([0, 0, 1, 0])).toEqual([
      { first: 0, count: 2 },
      { first: 2, count: 1 },
      { first: 3, count: 1 },
    ]);
  });
  it('gives each member of a batch of distinct sets its own run; none for no members', () => {
    expect(of([3, 1, 2])).toEqual([
      { first: 0, count: 1 },
      { first: 1, count: 1 },
      { first: 2, count: 1 },
    ]);
    expect(of([])).toEqual([]);
  });
});

describe('stackedGroups (forward-only batches: perplexity, the calibration walk)', () => {
  const c = LLAMA2_7B;
  it('stacks ≈ STACK_ROWS rows a batch: four 512-token samples at 7B, the rest after', () => {
    const g = stackedGroups(c, new Array(10).fill(512));
    expect(g.map((x) => x.members)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(g.every((x) => x.stride === batchStride(c, 512) && groupRows(x) <= STACK_ROWS)).toBe(
      true,
    );
  });
  it('one sample a batch when it alone is past the rows, or when asked for 1', () => {
    expect(stackedGroups(c, [4096, 100]).map((x) => x.members)).toEqual([[0], [1]]);
    expect(stackedGroups(c, [5, 6, 7], 1).map((x) => x.members)).toEqual([[0], [1], [2]]);
  });
  it('no more rows than keep the FFN activation within the binding limit', () => {
    // 128 MiB (the WebGPU default): 2048 rows × 11008 × 4 bytes fit; 64 MiB: 1024 rows
    const lens = new Array(8).fill(512);
    expect(stackedGroups(c, lens, STACK_ROWS, 128 << 20)[0].members.length).toBe(4);
    expect(stackedGroups(c, lens, STACK_ROWS, 64 << 20)[0].members.length).toBe(2);
  });
});
