// A run's progress in words, as the Run panel shows it: what runs now, how far, how long is left.
import type { Progress } from './types';

/** Seconds as "42 s" or "3 min 05 s". */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 90) return `${t} s`;
  return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s`;
}

/** "forward · bible #3", "layer 4 · bible #0", "density of layer 4 · bible", then "42 % · 18 s left". */
export function progressLabel(p: Progress): string {
  const where =
    p.stage === 'layer' && p.layer !== undefined
      ? `layer ${p.layer}`
      : p.stage === 'density' && p.layer !== undefined
        ? `density of layer ${p.layer}`
        : p.stage;
  const what = `${p.set ? ` · ${p.set}` : ''}${p.sample !== undefined && p.stage !== 'density' ? ` #${p.sample}` : ''}`;
  const left =
    p.etaSeconds !== undefined && p.stage !== 'done'
      ? ` · ${formatSeconds(p.etaSeconds)} left`
      : '';
  return `${where}${what} ${Math.round(p.fraction * 100)} %${left}`;
}
