// What the views draw, derived from a results document alone (no GPU).
import type { Results } from './results';
import { countAbove } from './histogram';
import type { LayerSeries } from '../charts/layers';

/** Fraction of each layer's scored parameters with mean A above thresholds[k], per set. */
export function densitySeries(r: Results, k = 0): LayerSeries[] {
  const perLayer = r.model.matrixParameters.reduce((a, b) => a + b, 0);
  return r.sets.map((s) => ({
    name: s.name,
    values: s.density.counts.map((row) => row.reduce((a, c) => a + c[k], 0) / perLayer),
  }));
}

/** Mean LLMDcos per layer over the index pairs of each pair of sets. */
export function llmdcosSeries(r: Results): LayerSeries[] {
  return r.pairs.map((p) => {
    const L = p.llmdcos[0]?.length ?? 0;
    return {
      name: `${p.a} · ${p.b}`,
      values: Array.from(
        { length: L },
        (_, l) => p.llmdcos.reduce((a, row) => a + row[l], 0) / p.llmdcos.length,
      ),
    };
  });
}

/** CSV of exactly what a layer chart draws: one row per layer, one column per series. */
export function seriesCsv(series: LayerSeries[]): string {
  const L = Math.max(0, ...series.map((s) => s.values.length));
  const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = [['layer', ...series.map((s) => esc(s.name))].join(',')];
  for (let l = 0; l < L; l++)
    rows.push([String(l), ...series.map((s) => String(s.values[l] ?? ''))].join(','));
  return rows.join('\n') + '\n';
}

/**
 * Density per layer at any γ from the stored log10 histograms of mean A, with no recomputation:
 * exact when γ is a bin edge (a multiple of 0.1 decade), interpolated within a bin otherwise.
 */
export function densitySeriesAt(r: Results, gamma: number): LayerSeries[] {
  const perLayer = r.model.matrixParameters.reduce((a, b) => a + b, 0);
  return r.sets.map((s) => ({
    name: s.name,
    values: s.density.histograms.map(
      (row) => row.reduce((a, h) => a + countAbove(h, gamma), 0) / perLayer,
    ),
  }));
}
