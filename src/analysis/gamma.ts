// One γ for every view: where it starts (from the data) and how a view counts at it. The stored
// log10 histograms give the activated counts at any γ without recomputing, exactly at their
// 0.1-decade bin edges; the run's own thresholds give exact counts there too.
import type { Results } from './results';
import { HIST_BINS, HIST_BINS_PER_DECADE, HIST_MIN_LOG10 } from './histogram';

/** The densest layer's share of its parameters that γ from the data leaves activated. */
export const DATA_GAMMA_DENSITY = 0.5;

/** γ the paper uses (docs/METHOD.md): 2e-6 for 32-layer 7B models, 5e-6 for 40-layer 13B models. */
export const PAPER_GAMMA = 'the paper uses 2e-6 for 7B models, 5e-6 for 13B';

/**
 * γ on the histograms' 0.1-decade grid at which the densest layer of any set has about half its
 * scored parameters activated: the largest grid γ where that layer's fraction is ≥ 0.5. So the
 * first chart drawn is neither saturated (every layer near 1) nor empty. The run's first
 * threshold when nothing is activated at all.
 */
export function dataGamma(r: Results): number {
  const half = DATA_GAMMA_DENSITY * r.model.matrixParameters.reduce((a, b) => a + b, 0);
  // per set and layer, the 7 histograms summed and counted from the top bin down: the first
  // edge b where the count above it (countAbove at 10^(b/10 − 20)) reaches half; the largest wins
  let best = -1;
  for (const s of r.sets)
    for (const row of s.density.histograms) {
      let above = row.reduce((a, h) => a + h.over, 0);
      for (let b = HIST_BINS; b > best; b--) {
        if (b < HIST_BINS) above += row.reduce((a, h) => a + h.bins[b], 0);
        if (above >= half) {
          best = b;
          break;
        }
      }
    }
  if (best < 0) return r.settings.thresholds[0] ?? 0;
  return Math.pow(10, (best + HIST_MIN_LOG10 * HIST_BINS_PER_DECADE) / HIST_BINS_PER_DECADE);
}

/** Where a view counts at γ: the run's threshold k when γ is one (exact), else the histograms. */
export function countsAt(r: Results, gamma: number): { k: number } | { gamma: number } {
  const k = r.settings.thresholds.findIndex((t) => Math.abs(t - gamma) <= 1e-9 * gamma);
  return k >= 0 ? { k } : { gamma };
}
