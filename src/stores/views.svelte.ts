// View settings shared by the charts: γ on a log scale (0.1-decade steps, the histograms' bin
// edges where counts are exact), whether it was moved from the run's threshold.
import { SET_COLORS, session } from './session.svelte';

export const viewState = $state({ log10Gamma: -6, moved: false });

/** γ the views draw at: the run's threshold until the slider moves. */
export function viewGamma(): number {
  const r = session.results;
  return viewState.moved ? Math.pow(10, viewState.log10Gamma) : (r?.settings.thresholds[0] ?? 0);
}

export function resetGamma(): void {
  const r = session.results;
  if (r) viewState.log10Gamma = Math.round(Math.log10(r.settings.thresholds[0] || 1e-6) * 10) / 10;
  viewState.moved = false;
}

/** A set's colour in the session, else the palette's i-th (sets from an imported results file). */
export function setColor(name: string, i: number): string {
  const s = session.sets.find((x) => x.name === name);
  return s?.color ?? SET_COLORS[i % SET_COLORS.length];
}
