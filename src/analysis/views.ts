// What the views draw, derived from a results document alone (no GPU): the one path from the
// results on screen (session.results) to a chart's data; the charts draw these, the exports
// write these.
import { csvTable } from '../util/csv';
import type { Results } from './results';
import { countAbove } from './histogram';

/** One line of a per-layer chart (src/charts/layers.ts draws them). */
export interface LayerSeries {
  name: string;
  values: number[];
  color?: string;
  /** an SVG stroke-dasharray: a line told apart by dash where colours repeat */
  dash?: string;
}

/** Fraction of each layer's scored parameters with mean A above thresholds[k], per set. */
export function densitySeries(r: Results, k = 0): LayerSeries[] {
  return densityView(r, { at: { k }, mode: 'fraction' });
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
  return csvTable(
    ['layer', ...series.map((s) => s.name)],
    Array.from({ length: L }, (_, l) => [l, ...series.map((s) => s.values[l] ?? '')]),
  );
}

/**
 * Density per layer at any γ from the stored log10 histograms of mean A, with no recomputation:
 * exact when γ is a bin edge (a multiple of 0.1 decade), interpolated within a bin otherwise.
 */
export function densitySeriesAt(r: Results, gamma: number): LayerSeries[] {
  return densityView(r, { at: { gamma }, mode: 'fraction' });
}

export interface DensityOptions {
  /** count at the run's threshold k (exact), or at γ from the histograms */
  at: { k: number } | { gamma: number };
  mode: 'fraction' | 'count';
  /** matrix indices (MATRICES order) counted; all 7 by default */
  matrices?: number[];
}

/** Density per layer and set: activated parameters of the chosen matrices, as a count or fraction. */
export function densityView(r: Results, o: DensityOptions): LayerSeries[] {
  // a set of matrices: one named twice is counted once
  const ms = [...new Set(o.matrices ?? [0, 1, 2, 3, 4, 5, 6])];
  const total = ms.reduce((a, m) => a + r.model.matrixParameters[m], 0);
  return r.sets.map((s) => ({
    name: s.name,
    values: s.density.counts.map((row, l) => {
      const n = ms.reduce(
        (a, m) =>
          a + ('k' in o.at ? row[m][o.at.k] : countAbove(s.density.histograms[l][m], o.at.gamma)),
        0,
      );
      return o.mode === 'fraction' ? (total ? n / total : 0) : n;
    }),
  }));
}

export interface BoxStats {
  layer: number;
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
  /** whiskers: the most extreme data within 1.5 IQR of the box */
  lo: number;
  hi: number;
  outliers: number[];
}

/** Linear-interpolation quantile (R-7, as d3.quantile) of sorted values. */
function quantileSorted(s: number[], p: number): number {
  const h = (s.length - 1) * p;
  const i = Math.floor(h);
  return i + 1 < s.length ? s[i] + (h - i) * (s[i + 1] - s[i]) : s[i];
}

export function boxStats(values: number[], layer: number): BoxStats {
  const s = [...values].sort((a, b) => a - b);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const iqr = q3 - q1;
  const inside = s.filter((v) => v >= q1 - 1.5 * iqr && v <= q3 + 1.5 * iqr);
  return {
    layer,
    n: s.length,
    min: s[0],
    q1,
    median: quantileSorted(s, 0.5),
    q3,
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    lo: inside[0],
    hi: inside[inside.length - 1],
    outliers: s.filter((v) => v < inside[0] || v > inside[inside.length - 1]),
  };
}

/** LLMDcos per layer of one pair of sets as boxplots (the paper's Fig. 3), included layers only. */
export function llmdcosBoxes(r: Results, pair: number, excluded: number[] = []): BoxStats[] {
  const p = r.pairs[pair];
  if (!p || p.llmdcos.length === 0) return [];
  const L = p.llmdcos[0].length;
  const out: BoxStats[] = [];
  for (let l = 0; l < L; l++) {
    if (excluded.includes(l)) continue;
    out.push(
      boxStats(
        p.llmdcos.map((row) => row[l]),
        l,
      ),
    );
  }
  return out;
}

/**
 * The paper's window for set similarity: 0-based layers ⌊L/2⌋ … L − 3 (32 layers: 16…29); for
 * L < 6, where that is empty, the one layer ⌊L/2⌋. The one rule every view and summary uses.
 */
export function defaultWindow(L: number): [number, number] {
  const lo = Math.floor(L / 2);
  return [lo, Math.max(lo, L - 3)];
}

export interface SetMatrix {
  sets: string[];
  /** [i][j]: mean LLMDcos over the pairs of sets i and j and the window's included layers; NaN if not run */
  values: number[][];
  /** the pairs behind each cell */
  pairs: number[][];
  layers: number[];
}

/** Sets × sets similarity (the paper's Fig. 6) over layers lo…hi minus the excluded ones. */
export function setMatrix(
  r: Results,
  window: [number, number],
  excluded: number[] = [],
): SetMatrix {
  const sets = r.sets.map((s) => s.name);
  const idx = new Map(sets.map((n, i) => [n, i]));
  const layers: number[] = [];
  for (let l = window[0]; l <= window[1]; l++) if (!excluded.includes(l)) layers.push(l);
  const values = sets.map(() => sets.map(() => NaN));
  const pairs = sets.map(() => sets.map(() => 0));
  for (const p of r.pairs) {
    const i = idx.get(p.a);
    const j = idx.get(p.b);
    if (i === undefined || j === undefined || p.llmdcos.length === 0 || layers.length === 0)
      continue;
    let s = 0;
    for (const row of p.llmdcos) for (const l of layers) s += row[l];
    const v = s / (p.llmdcos.length * layers.length);
    values[i][j] = values[j][i] = v;
    pairs[i][j] = pairs[j][i] = p.llmdcos.length;
  }
  return { sets, values, pairs, layers };
}

export type HeatMeasure = 'density' | 'meanScore';

/** Layer × matrix grid of one set: density at γ (fraction of the matrix) or mean A per parameter. */
export function layerMatrixGrid(
  r: Results,
  set: number,
  measure: HeatMeasure,
  gamma: number,
): number[][] {
  const s = r.sets[set];
  if (!s) return [];
  return s.density.counts.map((_, l) =>
    r.model.matrixParameters.map((n, m) =>
      measure === 'density'
        ? countAbove(s.density.histograms[l][m], gamma) / n
        : s.density.sumMeanA[l][m] / n,
    ),
  );
}

/** A sample's per-layer profile: mean A per scored parameter of the layer. */
export function sampleProfile(r: Results, set: number, index: number): number[] {
  const x = r.sets[set]?.samples[index];
  if (!x) return [];
  const per = r.model.matrixParameters.reduce((a, b) => a + b, 0);
  return x.sumA.map((row) => row.reduce((a, b) => a + b, 0) / per);
}

/** CSV of a grid with row and column labels. */
export function gridCsv(corner: string, rows: string[], cols: string[], v: number[][]): string {
  return csvTable(
    [corner, ...cols],
    rows.map((r, i) => [r, ...v[i]]),
  );
}

/** CSV of boxplot statistics, one row per layer. */
export function boxCsv(boxes: BoxStats[]): string {
  const cols = [
    'layer',
    'n',
    'min',
    'lo',
    'q1',
    'median',
    'q3',
    'hi',
    'max',
    'mean',
    'outliers',
  ] as const;
  return csvTable(
    [...cols],
    boxes.map((b) => cols.map((c) => (c === 'outliers' ? b.outliers.join(' ') : b[c]))),
  );
}

/**
 * The matrices chosen after a box for matrix m is switched on or off: a set, in order; null when
 * switching off would leave none (the last one stays chosen).
 */
export function toggledMatrices(current: number[], m: number, on: boolean): number[] | null {
  const next = new Set(current);
  if (on) next.add(m);
  else next.delete(m);
  return next.size === 0 ? null : [...next].sort((a, b) => a - b);
}
