// One γ for every view: where it starts (from the data) and how a view counts at it. The stored
// log10 histograms give the activated counts at any γ without recomputing, exactly at their
// 0.1-decade bin edges; the run's own thresholds give exact counts there too.
import type { Results } from './results';
import { countAbove, HIST_BINS_PER_DECADE, HIST_MAX_LOG10, HIST_MIN_LOG10 } from './histogram';

/** The densest layer's share of its parameters that γ from the data leaves activated. */
export const DATA_GAMMA_DENSITY = 0.5;

/** γ the paper uses (METHOD.md): 2e-6 for 32-layer 7B models, 5e-6 for 40-layer 13B models. */
export const PAPER_GAMMA = 'the paper uses 2e-6 for 7B models, 5e-6 for 13B';

/**
 * γ on the histograms' 0.1-decade grid at which the densest layer of any set has about half its
 * scored parameters activated: the largest grid γ where that layer's fraction is ≥ 0.5. So the
 * first chart drawn is neither saturated (every layer near 1) nor empty. The run's first
 * threshold when nothing is activated at all.
 */
export function dataGamma(r: Results): number {
  const total = r.model.matrixParameters.reduce((a, b) => a + b, 0);
  const densest = (g: number) =>
    Math.max(
      0,
      ...r.sets.flatMap((s) =>
        s.density.histograms.map(
          (row) => row.reduce((a, h) => a + countAbove(h, g), 0) / (total || 1),
        ),
      ),
    );
  for (
    let e = HIST_MAX_LOG10 * HIST_BINS_PER_DECADE;
    e >= HIST_MIN_LOG10 * HIST_BINS_PER_DECADE;
    e--
  ) {
    const g = Math.pow(10, e / HIST_BINS_PER_DECADE);
    if (densest(g) >= DATA_GAMMA_DENSITY) return g;
  }
  return r.settings.thresholds[0] ?? 0;
}

/** Where a view counts at γ: the run's threshold k when γ is one (exact), else the histograms. */
export function countsAt(r: Results, gamma: number): { k: number } | { gamma: number } {
  const k = r.settings.thresholds.findIndex((t) => Math.abs(t - gamma) <= 1e-9 * gamma);
  return k >= 0 ? { k } : { gamma };
}
