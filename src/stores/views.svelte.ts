// One γ for every view (density, allocation, heatmap, and the pruning lab's density allocation):
// on a log scale in 0.1-decade steps (the histograms' bin edges, where counts are exact). It
// starts from the data (analysis/gamma.ts) and stays where the researcher puts it, across runs
// and results; moving it only redraws (the histograms hold every γ), it never starts GPU work.
import { SET_COLORS, session } from './session.svelte';
import { dataGamma } from '../analysis/gamma';
import { resultsAbout } from '../analysis/about';

export const viewState = $state({ log10Gamma: -6, chosen: false });

/** The γ every view draws at. */
export function viewGamma(): number {
  return Math.pow(10, viewState.log10Gamma);
}

/** γ from the data of the results on screen (the researcher's choice is dropped). */
export function gammaFromData(): void {
  const r = session.results;
  if (!r) return;
  const g = dataGamma(r);
  viewState.log10Gamma = g > 0 ? Math.round(Math.log10(g) * 10) / 10 : -6;
  viewState.chosen = false;
}

/** A new results document: γ from its data, unless the researcher has chosen one. */
export function gammaForNewResults(): void {
  if (!viewState.chosen) gammaFromData();
}

/** A set's colour in the session, else the palette's i-th (sets from an imported results file). */
export function setColor(name: string, i: number): string {
  const s = session.sets.find((x) => x.name === name);
  return s?.color ?? SET_COLORS[i % SET_COLORS.length];
}

/** What the views' charts show, for their exported SVG and PNG (src/analysis/about.ts). */
export function viewsAbout(): string {
  return session.results ? resultsAbout(session.results, viewGamma()) : '';
}
