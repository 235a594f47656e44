// A fixed log10 histogram of non-negative values, so histograms from any run merge by addition
// and a threshold can be moved without recomputing: bins of 1/10 decade from 1e-20 to 1e4.

export const HIST_MIN_LOG10 = -20;
export const HIST_MAX_LOG10 = 4;
export const HIST_BINS_PER_DECADE = 10;
export const HIST_BINS = (HIST_MAX_LOG10 - HIST_MIN_LOG10) * HIST_BINS_PER_DECADE;

export interface Log10Histogram {
  /** values equal to 0 */
  zeros: number;
  /** values in (0, 1e-20) */
  under: number;
  /** bin b counts values in [10^(min + b/10), 10^(min + (b+1)/10)) */
  bins: number[];
  /** values ≥ 1e4 */
  over: number;
}

export function emptyHistogram(): Log10Histogram {
  return { zeros: 0, under: 0, bins: new Array(HIST_BINS).fill(0), over: 0 };
}

export function binOf(v: number): number {
  return Math.floor((Math.log10(v) - HIST_MIN_LOG10) * HIST_BINS_PER_DECADE);
}

export function addToHistogram(h: Log10Histogram, v: number): void {
  if (v === 0) h.zeros++;
  else {
    const b = binOf(v);
    if (b < 0) h.under++;
    else if (b >= HIST_BINS) h.over++;
    else h.bins[b]++;
  }
}

/** Lower edge of bin b. */
export function binLowerEdge(b: number): number {
  return Math.pow(10, HIST_MIN_LOG10 + b / HIST_BINS_PER_DECADE);
}

/**
 * Values above γ estimated from the histogram: exact when γ is a bin edge, otherwise the bin
 * holding γ is split by its log-position (the views' threshold slider uses this).
 */
export function countAbove(h: Log10Histogram, gamma: number): number {
  if (gamma <= 0) return h.under + h.bins.reduce((s, x) => s + x, 0) + h.over;
  const raw = (Math.log10(gamma) - HIST_MIN_LOG10) * HIST_BINS_PER_DECADE;
  // a bin edge computed as 10^(e/10) comes back within rounding of e: count it as the edge
  const pos = Math.abs(raw - Math.round(raw)) < 1e-9 ? Math.round(raw) : raw;
  if (pos < 0) return h.under + h.bins.reduce((s, x) => s + x, 0) + h.over;
  if (pos >= HIST_BINS) return h.over;
  const b = Math.floor(pos);
  let n = h.over;
  for (let i = b + 1; i < HIST_BINS; i++) n += h.bins[i];
  return n + h.bins[b] * (1 - (pos - b));
}
