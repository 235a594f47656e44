// OWL's layer-wise sparsity (src/prune/owl.ts) against its reference's formulas worked by hand,
// its invariants on random ratios, the outlier ratio on a hand-counted layer and refusals by name.
import { describe, expect, it } from 'vitest';
import {
  OWL_DEFAULTS,
  checkOwl,
  layerOutlierRatio,
  owlRatios,
  owlSparsity,
} from '../../src/prune/owl';
import { referenceDenseNorms } from '../../src/prune/prune';
import { fixtureWeights } from '../helpers/fixtures';
import { MATRICES } from '../../src/model/config';

describe('OWL', () => {
  it('spreads S over [S − λ, S + λ] by the outlier ratios as its reference does (worked by hand)', () => {
    // r = (D − 1) / 5 · 0.16 = 0, 0.064, 0.032, 0.16; mean 0.064; S_i = 0.5 − (r − 0.064)
    const S_i = owlSparsity([1, 3, 2, 6], 0.5, 0.08);
    [0.564, 0.5, 0.532, 0.404].forEach((x, i) => expect(S_i[i]).toBeCloseTo(x, 12));
    // flat ratios: every layer at S
    expect(owlSparsity([2, 2, 2], 0.6, 0.08)).toEqual([0.6, 0.6, 0.6]);
  });

  it('keeps the mean at S and the spread at 2λ for any ratios; more outliers, lower S_i', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 10;
    for (let t = 0; t < 20; t++) {
      const D = Array.from({ length: 32 }, rand);
      const S_i = owlSparsity(D, 0.7, 0.08);
      expect(S_i.reduce((a, b) => a + b, 0) / 32).toBeCloseTo(0.7, 12);
      expect(Math.max(...S_i) - Math.min(...S_i)).toBeCloseTo(0.16, 12);
      const most = D.indexOf(Math.max(...D));
      expect(S_i[most]).toBeCloseTo(Math.min(...S_i), 12);
    }
  });

  it('counts the entries of |W| · ‖X‖ strictly above M × their mean over the layer’s matrices', () => {
    // entries 1, 2, 3, 4 | 0, 0, 0, 30: mean 5, M = 2 → above 10: one of eight
    const a = { W: [1, -1, 3, 2], norms: [1, 2] };
    const b = { W: [0, 0, 0, -15], norms: [1, 2] };
    expect(layerOutlierRatio([a, b], 2)).toBe(12.5);
    // M = 0.8 → above 4: 30 only (4 is not above)
    expect(layerOutlierRatio([a, b], 0.8)).toBe(12.5);
    // M = 0.5 → above 2.5: 3, 4 and 30
    expect(layerOutlierRatio([a, b], 0.5)).toBe(37.5);
  });

  it('refuses settings whose S_i leave [0, 1), M ≤ 0 and λ < 0 by name', () => {
    expect(() => checkOwl(0.95, 5, 0.08)).toThrow(/S = 0.95 with λ = 0.08 .*S \+ λ < 1/);
    expect(() => checkOwl(0.05, 5, 0.08)).toThrow(/needs λ ≤ S/);
    expect(() => checkOwl(0.5, 0, 0.08)).toThrow("OWL's M 0: needs a number > 0");
    expect(() => checkOwl(0.5, 5, -1)).toThrow("OWL's λ -1: needs a number ≥ 0");
    expect(() => checkOwl(0.5, OWL_DEFAULTS.M, OWL_DEFAULTS.lambda)).not.toThrow();
  });

  it('ratios of a model from its dense calibration walk: one per layer, in (0, 100), not all equal', async () => {
    const w = await fixtureWeights('q4_0');
    const cal = [
      [1, 17, 200, 5, 91],
      [1, 44, 9],
    ];
    const seen: number[] = [];
    // M = 3: the fixture's random weights have few entries above 5 × the mean
    const D = await owlRatios(
      w.config,
      3,
      (each) => referenceDenseNorms(w, cal, (l, n) => (seen.push(l), each(l, n))),
      async (l, m) => w.layers[l].matrices[m],
    );
    expect(seen).toEqual(Array.from({ length: w.config.blockCount }, (_, l) => l));
    expect(D).toHaveLength(w.config.blockCount);
    for (const d of D) expect(d > 0 && d < 100).toBe(true);
    expect(new Set(D).size).toBeGreaterThan(1);
    // the same by hand for layer 0: its 7 matrices with the walk's norms
    let n0: Record<string, ArrayLike<number>> = {};
    await referenceDenseNorms(w, cal, async (l, n) => void (l === 0 && (n0 = n)));
    const byHand = layerOutlierRatio(
      MATRICES.map((m) => ({ W: w.layers[0].matrices[m], norms: n0[m] })),
      3,
    );
    expect(D[0]).toBe(byHand);
  });
});
