// How a batch's members split into runs of one set (src/engine/batch-plan.ts setRuns): the folded
// score scores each run in one kernel and adds its A to that set's sums once.
import { describe, expect, it } from 'vitest';
import { setRuns } from '../../src/engine/batch-plan';

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
