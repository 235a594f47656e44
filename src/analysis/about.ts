// What a figure shows, in one line written into its exported SVG and PNG, so a chart pasted into
// a talk or a paper says what it was measured on: model, sets, metric, γ, token limit, engine.
import type { Results } from './results';
import type { StsDocument } from '../engine/sts';
import { clip } from '../util/message';

const fmt = (g: number) => g.toExponential(1);
const engine = (e: Results['engine']) =>
  `${e.backend} ${e.precision}${e.adapter ? ` (${clip(e.adapter, 40)})` : ''}`;
const names = (xs: string[]) =>
  xs.length <= 4 ? xs.map((x) => clip(x, 24)).join(', ') : `${xs.length} sets`;

/** A views chart: the results it draws and the γ it is drawn at. */
export function resultsAbout(r: Results, gamma: number): string {
  return [
    clip(r.model.name, 48),
    `sets ${names(r.sets.map((s) => s.name))}`,
    r.settings.metric,
    `γ ${fmt(gamma)}`,
    `≤ ${r.settings.maxTokens} tokens`,
    engine(r.engine),
  ].join(' · ');
}

/** An STS lab chart: the run's model, metric, window and pairs. */
export function stsAbout(d: StsDocument, file: string): string {
  return [
    clip(d.model.name, 48),
    `STS ${clip(file, 32)}, ${d.n} pairs`,
    d.settings.metric,
    `layers ${d.window[0]}–${d.window[1]}`,
    `≤ ${d.settings.maxTokens} tokens`,
    engine(d.engine),
  ].join(' · ');
}

/** The pruning lab's chart: the model and the sets its points were measured on. */
export function pruneAbout(model: string, evalSet: string, calibration: string): string {
  return [
    clip(model || 'model', 48),
    `perplexity on ${clip(evalSet || '—', 24)}`,
    `calibration ${clip(calibration || '—', 24)}`,
  ].join(' · ');
}
