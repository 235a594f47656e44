// What the views draw, from a results document alone: density at the run's thresholds, and at
// any γ from the histograms (exact at bin edges), LLMDcos means, CSV of a chart's data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/analysis/results';
import {
  boxCsv,
  boxStats,
  defaultWindow,
  densitySeries,
  densitySeriesAt,
  densityView,
  gridCsv,
  layerMatrixGrid,
  llmdcosBoxes,
  llmdcosSeries,
  sampleProfile,
  seriesCsv,
  setMatrix,
} from '../../src/analysis/views';
import { countsAt, dataGamma } from '../../src/analysis/gamma';
import { countAbove } from '../../src/analysis/histogram';

const r = JSON.parse(readFileSync('docs/examples/results-f32-fixture.json', 'utf8')) as Results;

describe('views from a results document', () => {
  it('density from the histograms equals the exact counts at thresholds on bin edges', () => {
    expect(r.settings.thresholds).toEqual([1e-3, 1e-2]);
    r.settings.thresholds.forEach((g, k) => {
      const exact = densitySeries(r, k);
      const fromHist = densitySeriesAt(r, g);
      exact.forEach((s, i) => {
        expect(fromHist[i].name).toBe(s.name);
        s.values.forEach((v, l) => expect(fromHist[i].values[l]).toBeCloseTo(v, 12));
      });
    });
  });

  it('density falls as γ rises', () => {
    const lo = densitySeriesAt(r, 1e-4)[0].values;
    const hi = densitySeriesAt(r, 1e-1)[0].values;
    lo.forEach((v, l) => expect(v).toBeGreaterThanOrEqual(hi[l]));
    expect(lo.some((v, l) => v > hi[l])).toBe(true);
  });

  it('LLMDcos means per layer and the CSV of a chart', () => {
    const [s] = llmdcosSeries(r);
    expect(s.name).toBe('A · B');
    const L = r.model.config.blockCount;
    const want = Array.from(
      { length: L },
      (_, l) => r.pairs[0].llmdcos.reduce((a, row) => a + row[l], 0) / r.pairs[0].llmdcos.length,
    );
    s.values.forEach((v, l) => expect(v).toBeCloseTo(want[l], 12));
    const csv = seriesCsv([s, { name: 'a,"b"', values: [1] }]);
    expect(csv.split('\n')[0]).toBe('layer,A · B,"a,""b"""');
    expect(csv.split('\n')).toHaveLength(L + 2);
  });
});

describe('more views from a results document', () => {
  it('densityView: counts and fractions at thresholds and γ, over chosen matrices', () => {
    const all = densityView(r, { at: { k: 0 }, mode: 'fraction' });
    expect(all.map((s) => s.values)).toEqual(densitySeries(r, 0).map((s) => s.values));
    const qOnly = densityView(r, { at: { k: 0 }, mode: 'count', matrices: [0] });
    r.sets.forEach((s, i) =>
      s.density.counts.forEach((row, l) => expect(qOnly[i].values[l]).toBe(row[0][0])),
    );
    const qk = densityView(r, { at: { k: 1 }, mode: 'fraction', matrices: [0, 1] });
    const n = r.model.matrixParameters[0] + r.model.matrixParameters[1];
    expect(qk[0].values[0]).toBeCloseTo(
      (r.sets[0].density.counts[0][0][1] + r.sets[0].density.counts[0][1][1]) / n,
      12,
    );
    // a matrix named twice counts once (the view's checkboxes are a set)
    const twice = densityView(r, { at: { k: 1 }, mode: 'fraction', matrices: [0, 1, 1, 0] });
    expect(twice.map((s) => s.values)).toEqual(qk.map((s) => s.values));
    const atGamma = densityView(r, { at: { gamma: 1e-2 }, mode: 'count' });
    const exact = densityView(r, { at: { k: 1 }, mode: 'count' });
    expect(atGamma.map((s) => s.values)).toEqual(exact.map((s) => s.values));
  });

  it('boxStats: quartiles by linear interpolation and 1.5 IQR whiskers with outliers', () => {
    const b = boxStats([1, 2, 3, 4, 5, 6, 7, 8, 100], 3);
    expect(b).toMatchObject({ layer: 3, n: 9, q1: 3, median: 5, q3: 7, lo: 1, hi: 8, max: 100 });
    expect(b.outliers).toEqual([100]);
    const c = boxStats([0.5, 0.1], 0);
    expect(c).toMatchObject({ lo: 0.1, hi: 0.5, outliers: [] });
    [c.q1, c.median, c.q3].forEach((v, i) => expect(v).toBeCloseTo([0.2, 0.3, 0.4][i], 15));
  });

  it('llmdcosBoxes per layer, without excluded layers; matrix and grids', () => {
    const boxes = llmdcosBoxes(r, 0);
    const L = r.model.config.blockCount;
    expect(boxes).toHaveLength(L);
    expect(boxes[0].median).toBeCloseTo(
      boxStats(
        r.pairs[0].llmdcos.map((row) => row[0]),
        0,
      ).median,
      15,
    );
    expect(llmdcosBoxes(r, 0, [0]).map((b) => b.layer)).toEqual(
      Array.from({ length: L - 1 }, (_, i) => i + 1),
    );
    expect(defaultWindow(32)).toEqual([16, 29]);
    expect(defaultWindow(8)).toEqual([4, 5]);
    expect(defaultWindow(2)).toEqual([1, 1]);
    expect(defaultWindow(3)).toEqual([1, 1]);
    expect(defaultWindow(4)).toEqual([2, 2]);
    expect(defaultWindow(1)).toEqual([0, 0]);
    const m = setMatrix(r, [0, L - 1]);
    expect(m.sets).toEqual(['A', 'B']);
    const want =
      r.pairs[0].llmdcos.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0) /
      (r.pairs[0].llmdcos.length * L);
    expect(m.values[0][1]).toBeCloseTo(want, 12);
    expect(m.values[1][0]).toBe(m.values[0][1]);
    expect(Number.isNaN(m.values[0][0])).toBe(true);
    const g = layerMatrixGrid(r, 0, 'meanScore', 0);
    expect(g[1][2]).toBeCloseTo(r.sets[0].density.sumMeanA[1][2] / r.model.matrixParameters[2], 15);
    const d = layerMatrixGrid(r, 0, 'density', r.settings.thresholds[0]);
    expect(d[0][0]).toBeCloseTo(
      r.sets[0].density.counts[0][0][0] / r.model.matrixParameters[0],
      12,
    );
    const prof = sampleProfile(r, 0, 0);
    expect(prof).toHaveLength(L);
    expect(gridCsv('set', ['a'], ['x', 'y'], [[1, NaN]])).toBe('set,x,y\na,1,\n');
    expect(boxCsv(boxes).split('\n')[0]).toBe('layer,n,min,lo,q1,median,q3,hi,max,mean,outliers');
  });
});

describe('one γ from the data', () => {
  it('the largest 0.1-decade γ at which the densest layer keeps half its parameters', () => {
    const g = dataGamma(r);
    const e = Math.log10(g) * 10;
    expect(Math.abs(e - Math.round(e))).toBeLessThan(1e-9);
    const densest = (x: number) => Math.max(...densitySeriesAt(r, x).flatMap((s) => s.values));
    expect(densest(g)).toBeGreaterThanOrEqual(0.5);
    // one step up, no layer of any set keeps half
    expect(densest(g * 10 ** 0.1)).toBeLessThan(0.5);
  });

  it('counts at a run threshold exactly, elsewhere from the histograms', () => {
    expect(countsAt(r, 1e-2)).toEqual({ k: 1 });
    expect(countsAt(r, 10 ** (-20 / 10))).toEqual({ k: 1 });
    expect(countsAt(r, 3e-3)).toEqual({ gamma: 3e-3 });
    // a grid γ computed as 10^(e/10) counts as the bin edge
    const h = r.sets[0].density.histograms[0][0];
    const at = countAbove(h, 10 ** (-25 / 10));
    expect(Number.isInteger(at)).toBe(true);
  });

  it('with nothing activated at any γ: the run threshold', () => {
    const empty: Results = {
      ...r,
      sets: r.sets.map((s) => ({
        ...s,
        density: {
          ...s.density,
          histograms: s.density.histograms.map((row) =>
            row.map((h) => ({
              ...h,
              zeros: h.zeros + h.bins.reduce((a, b) => a + b, 0) + h.under + h.over,
              under: 0,
              over: 0,
              bins: h.bins.map(() => 0),
            })),
          ),
        },
      })),
    };
    expect(dataGamma(empty)).toBe(r.settings.thresholds[0]);
  });
});
