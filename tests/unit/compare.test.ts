import { describe, expect, it } from 'vitest';
import { compareArrays, describeComparison } from '../../src/util/compare';

const tol = { rel: 1e-4, abs: 1e-6 };

describe('compareArrays', () => {
  it('passes equal arrays and values within the relative tolerance', () => {
    const c = compareArrays([1, 2, 1000], [1, 2 + 1e-5, 1000.05], tol);
    expect(c.ok).toBe(true);
    expect(c.maxAbsDiff).toBeCloseTo(0.05, 10);
  });

  it('uses the absolute floor near zero', () => {
    expect(compareArrays([5e-7], [0], tol).ok).toBe(true);
    expect(compareArrays([5e-6], [0], tol).ok).toBe(false);
  });

  it('reports the first differing values in index order, at most five', () => {
    const a = [0, 1, 2, 3, 4, 5, 6, 7];
    const e = [0, 9, 2, 9, 9, 9, 9, 9];
    const c = compareArrays(a, e, tol);
    expect(c.ok).toBe(false);
    expect(c.mismatches.map((m) => m.index)).toEqual([1, 3, 4, 5, 6]);
    expect(c.mismatches[0]).toEqual({ index: 1, actual: 1, expected: 9 });
    expect(describeComparison('x', c)).toContain('[1] got 1, expected 9');
  });

  it('treats NaN as a mismatch and reports length differences', () => {
    expect(compareArrays([NaN], [1], tol).ok).toBe(false);
    const c = compareArrays([1, 2], [1, 2, 3], tol);
    expect(c.ok).toBe(false);
    expect(describeComparison('y', c)).toBe('y: length 2, expected 3');
  });
});
