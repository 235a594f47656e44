// Analysis math against docs/METHOD.md's test vectors and hand-computed values.
import { describe, expect, it } from 'vitest';
import {
  allocationSteps,
  checkAllocation,
  layerSparsity,
  PAPER_LLAMA2_7B,
  parseSparsityList,
} from '../../src/analysis/allocation';
import { ranks, spearman } from '../../src/analysis/spearman';
import { llmdcos, meanOverLayers } from '../../src/analysis/llmdcos';
import { defaultWindow, toggledMatrices } from '../../src/analysis/views';
import { MeanAccumulator, defaultThreshold } from '../../src/analysis/density';
import {
  countAbove,
  emptyHistogram,
  addToHistogram,
  binLowerEdge,
} from '../../src/analysis/histogram';
import { reduceMatrix } from '../../src/analysis/reductions';
import { columnNorms, metricValues } from '../../src/analysis/metrics';

// docs/METHOD.md §2: per-layer activated counts, C4, γ = 2e-6, Llama-2-7B
const C4_COUNTS = [
  1061292, 6319729, 14767367, 19149928, 21451890, 22124198, 21653518, 22533946, 22715992, 23012050,
  23320873, 21679099, 21088533, 21843715, 21866557, 22593499, 23646562, 22568772, 21387521,
  20828237, 21268883, 18788506, 17122682, 15369127, 14025833, 12663446, 12024558, 10586793,
  10162286, 8258830, 8591076, 8899162,
];
// docs/METHOD.md §4: S = 0.5, rounded to 4 dp
const ALLOCATION = [
  0.5394, 0.5447, 0.4995, 0.4766, 0.4666, 0.4651, 0.4694, 0.4656, 0.4656, 0.4647, 0.4636, 0.4735,
  0.4776, 0.4734, 0.4736, 0.4696, 0.464, 0.4702, 0.4776, 0.4814, 0.4788, 0.4958, 0.5081, 0.521,
  0.5307, 0.5401, 0.5443, 0.553, 0.5555, 0.5652, 0.5637, 0.5622,
];
const ALLOC_TOL = 1e-4;

describe('layer-wise sparsity allocation', () => {
  it('reproduces the 32-value test vector of docs/METHOD.md §4 to 1e-4', () => {
    const s = layerSparsity(C4_COUNTS, 0.5);
    expect(s).toHaveLength(32);
    s.forEach((v, i) =>
      expect(Math.abs(v - ALLOCATION[i]), `layer ${i + 1}`).toBeLessThanOrEqual(
        ALLOC_TOL / 2 + 1e-12,
      ),
    );
  });
  it('keeps the mean sparsity exactly S', () => {
    const s = layerSparsity(C4_COUNTS, 0.6);
    expect(s.reduce((a, b) => a + b, 0) / s.length).toBeCloseTo(0.6, 12);
  });
});

describe('Spearman ρ', () => {
  it('averages tied ranks', () => {
    expect(ranks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(ranks([3, 1, 2])).toEqual([3, 1, 2]);
  });
  it('matches a hand-computed value with ties (4.5 / √22.5)', () => {
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
  });
  it('is ±1 for monotone relations', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });
});

describe('LLMDcos', () => {
  it('is the cosine of |s| over the concatenated matrices', () => {
    const a = [[1, -2], [3]];
    const b = [[-2, 0], [1]];
    // Σ|a b| = 2 + 0 + 3 = 5; ‖a‖ = √14, ‖b‖ = √5
    expect(llmdcos(a, b)).toBeCloseTo(5 / Math.sqrt(70), 12);
    expect(llmdcos([[1, 2]], [[1, 2]])).toBeCloseTo(1, 12);
    expect(llmdcos([[0, 0]], [[1, 2]])).toBe(0);
  });
  it('summary window is 0-based L/2 … L−3 (16..29 for 32 layers)', () => {
    expect(defaultWindow(32)).toEqual([16, 29]);
    expect(defaultWindow(8)).toEqual([4, 5]);
    expect(meanOverLayers([0, 0, 0, 0, 1, 3, 9, 9], defaultWindow(8))).toBe(2);
  });
});

describe('mean-first density', () => {
  it('thresholds the mean over samples, not each sample', () => {
    const acc = new MeanAccumulator(3);
    acc.add([3e-6, 0, 1e-6]);
    acc.add([0, 0, 4e-6]);
    // means: 1.5e-6, 0, 2.5e-6 → above 2e-6: one; above 1e-6: two
    const r = acc.finish([2e-6, 1e-6]);
    expect(r.counts).toEqual([1, 2]);
    expect(r.sumMeanA).toBeCloseTo(4e-6, 18);
  });
  it('defaults γ to the authors’ code values', () => {
    expect(defaultThreshold(32)).toBe(2e-6);
    expect(defaultThreshold(40)).toBe(5e-6);
  });
});

describe('log10 histogram', () => {
  it('counts above a bin edge exactly', () => {
    const h = emptyHistogram();
    for (const v of [0, 1e-30, 1e-7, 2e-6, 3e-6, 0.5, 1e5]) addToHistogram(h, v);
    expect(h.zeros).toBe(1);
    expect(h.under).toBe(1);
    expect(h.over).toBe(1);
    expect(countAbove(h, 1e-6)).toBe(4);
    expect(countAbove(h, 1e-1)).toBe(2);
    expect(countAbove(h, binLowerEdge(0))).toBe(5);
  });
});

describe('reductions and metrics', () => {
  it('Σ|s|, Σs², max', () => {
    expect(reduceMatrix([1, 2, 0.5])).toEqual({ sumA: 3.5, sumA2: 5.25, maxA: 2, count: 3 });
  });
  it('the four metrics on a 2×3 matrix', () => {
    const W = Float64Array.from([1, -2, 3, -4, 5, -6]); // (O=2, I=3)
    const dW = Float64Array.from([0.5, 0.5, -1, 0, 2, 1]);
    const X = Float64Array.from([3, 0, 1, 4, 0, 0]); // (T=2, I=3) → norms 5, 0, 1
    const n = columnNorms(X, 2, 3);
    expect(Array.from(n)).toEqual([5, 0, 1]);
    expect(Array.from(metricValues('grad_x_weight', W, 3, dW))).toEqual([0.5, 1, 3, 0, 10, 6]);
    expect(Array.from(metricValues('grad', W, 3, dW))).toEqual([0.5, 0.5, 1, 0, 2, 1]);
    expect(Array.from(metricValues('wanda', W, 3, undefined, n))).toEqual([5, 0, 3, 20, 0, 6]);
    expect(Array.from(metricValues('magnitude', W, 3))).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('allocation steps, the paper list and list files', () => {
  it('steps agree with the formula; S_i from the steps is layerSparsity', () => {
    const st = allocationSteps(C4_COUNTS, 0.5);
    expect(st.sparsity).toEqual(layerSparsity(C4_COUNTS, 0.5));
    const mean = C4_COUNTS.reduce((a, b) => a + b, 0) / 32;
    expect(st.z.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
    expect(st.z[0]).toBeCloseTo(
      (C4_COUNTS[0] - mean) / Math.sqrt(C4_COUNTS.reduce((a, n) => a + (n - mean) ** 2, 0) / 32),
      12,
    );
    expect(st.nPrime[0]).toBeCloseTo(1 / (1 + Math.exp(-(st.z[0] + 2))), 12);
    expect(PAPER_LLAMA2_7B).toHaveLength(32);
    expect(PAPER_LLAMA2_7B.reduce((a, b) => a + b, 0) / 32).toBeCloseTo(0.5, 2);
  });
  it('reads a list, one number per line, and refuses bad ones by name', () => {
    expect(parseSparsityList('0.5\n0.4\n\n0.6\n', 3)).toEqual([0.5, 0.4, 0.6]);
    expect(parseSparsityList('0.5, 0.4 0.6', 3)).toEqual([0.5, 0.4, 0.6]);
    expect(() => parseSparsityList('0.5\n0.4', 3)).toThrow(/^2 values for 3 layers/);
    expect(() => parseSparsityList('0.5\nx\n0.6', 3)).toThrow(/^value 2 \("x"\) is not a sparsity/);
    expect(() => parseSparsityList('0.5\n1\n0.6', 3)).toThrow(/^value 2/);
    expect(() => checkAllocation(1, 2, 0.2)).toThrow(/sparsity 1: needs 0 ≤ S < 1/);
    expect(() => checkAllocation(0.5, 2, -1)).toThrow(/β -1/);
    expect(() => checkAllocation(0.5, 2, 0.2)).not.toThrow();
  });
});

describe('the chosen matrices', () => {
  it('are a set in order; the last one cannot be switched off', () => {
    expect(toggledMatrices([0, 2], 1, true)).toEqual([0, 1, 2]);
    expect(toggledMatrices([0, 2], 2, true)).toEqual([0, 2]);
    expect(toggledMatrices([0, 2], 0, false)).toEqual([2]);
    expect(toggledMatrices([2], 2, false)).toBeNull();
  });
});
