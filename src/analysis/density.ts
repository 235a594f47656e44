// Mean-first density (docs/METHOD.md §2): per parameter the mean of A over the set's N samples, then
// a count of parameters whose mean is above each threshold γ.
import { addToHistogram, emptyHistogram, type Log10Histogram } from './histogram';

/** Default γ from the authors' code: 2e-6 for 32-layer models, 5e-6 for 40-layer ones. */
export function defaultThreshold(layers: number): number {
  return layers >= 40 ? 5e-6 : 2e-6;
}

/** Sums A of one matrix over samples; `finish` turns it into means and reduces them. */
/** One matrix's mean-first density: counts above each threshold, Σ mean A, the histogram. */
export interface MatrixDensity {
  counts: number[];
  sumMeanA: number;
  hist: Log10Histogram;
}

/** A set's density section of the results from [layer][matrix] of MatrixDensity (both backends). */
export function setDensity(samples: number, thresholds: number[], perLayer: MatrixDensity[][]) {
  return {
    samples,
    thresholds,
    counts: perLayer.map((row) => row.map((f) => f.counts)),
    sumMeanA: perLayer.map((row) => row.map((f) => f.sumMeanA)),
    histograms: perLayer.map((row) => row.map((f) => f.hist)),
  };
}

export class MeanAccumulator {
  readonly sum: Float64Array;
  samples = 0;

  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
  }

  add(A: ArrayLike<number>): void {
    if (A.length !== this.size)
      throw new Error(`MeanAccumulator: ${A.length} values, expected ${this.size}`);
    for (let i = 0; i < A.length; i++) this.sum[i] += A[i];
    this.samples++;
  }

  /** counts[k] = #{i : mean_i > thresholds[k]}, Σ mean, and the histogram of the means. */
  finish(thresholds: number[]): MatrixDensity {
    if (this.samples === 0) throw new Error('MeanAccumulator: no samples');
    const counts = new Array(thresholds.length).fill(0);
    const hist = emptyHistogram();
    let sumMeanA = 0;
    for (let i = 0; i < this.size; i++) {
      const m = this.sum[i] / this.samples;
      sumMeanA += m;
      addToHistogram(hist, m);
      for (let k = 0; k < thresholds.length; k++) if (m > thresholds[k]) counts[k]++;
    }
    return { counts, sumMeanA, hist };
  }
}
