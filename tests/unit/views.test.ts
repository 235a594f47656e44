// What the views draw, from a results document alone: density at the run's thresholds, and at
// any γ from the histograms (exact at bin edges), LLMDcos means, CSV of a chart's data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/analysis/results';
import { densitySeries, densitySeriesAt, llmdcosSeries, seriesCsv } from '../../src/analysis/views';

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
