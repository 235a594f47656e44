// The semantic-similarity check (docs/METHOD.md §5, the paper's Validation 3): per pair of sentences,
// LLMDcos per layer summed over a window of layers, and Spearman's ρ of those sums against the
// gold similarity — for the window, for every single layer, with a seeded bootstrap interval.
import { spearman } from './spearman';
import { mulberry32 } from '../util/random';

/**
 * The default window, 0-based and inclusive: a = 20 when L − 3 ≥ 20, else ⌊L/2⌋; b = max(a, L − 3)
 * (32 layers → 20…29, the paper's; 40 → 20…37; 8 → 4…5; 3 → 1…1).
 */
export function stsWindow(L: number): [number, number] {
  const a = L - 3 >= 20 ? 20 : Math.floor(L / 2);
  return [a, Math.max(a, L - 3)];
}

/** Bootstrap resamples of the window's ρ. */
export const BOOTSTRAP_RESAMPLES = 1000;

export interface StsStatistics {
  window: [number, number];
  n: number;
  /** per pair, Σ of its LLMDcos over the window */
  pairScores: number[];
  /** ρ of pairScores vs gold */
  spearman: number;
  /** ρ of each layer's LLMDcos vs gold */
  spearmanPerLayer: number[];
  /** the 2.5 and 97.5 percentiles of ρ over bootstrap resamples of the pairs */
  interval: [number, number];
}

/** A window that is not 0 ≤ a ≤ b < L is refused by name. */
export function checkWindow([a, b]: [number, number], L: number): void {
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b >= L)
    throw new Error(`window ${a}:${b}: needs 0 ≤ A ≤ B ≤ ${L - 1} (0-based layers, inclusive)`);
}

/**
 * The statistics of `llmdcos` (n pairs × L layers) against `gold` (n) over `window`. The bootstrap
 * draws n pairs with replacement `resamples` times from mulberry32(`seed`); resamples whose ρ is
 * undefined (all scores or all gold values tied) are left out.
 */
export function stsStatistics(
  llmdcos: number[][],
  gold: number[],
  window: [number, number],
  seed = 0,
  resamples = BOOTSTRAP_RESAMPLES,
): StsStatistics {
  const n = gold.length;
  if (llmdcos.length !== n) throw new Error(`${llmdcos.length} LLMDcos rows for ${n} gold scores`);
  const L = llmdcos[0]?.length ?? 0;
  checkWindow(window, L);
  const pairScores = llmdcos.map((row) => {
    let s = 0;
    for (let l = window[0]; l <= window[1]; l++) s += row[l];
    return s;
  });
  const spearmanPerLayer = Array.from({ length: L }, (_, l) =>
    spearman(
      llmdcos.map((row) => row[l]),
      gold,
    ),
  );
  return {
    window,
    n,
    pairScores,
    spearman: spearman(pairScores, gold),
    spearmanPerLayer,
    interval: bootstrapInterval(pairScores, gold, seed, resamples),
  };
}

/** The 95 % percentile interval of Spearman's ρ over bootstrap resamples of the pairs. */
export function bootstrapInterval(
  x: number[],
  y: number[],
  seed: number,
  resamples: number,
): [number, number] {
  const r = mulberry32(seed);
  const n = x.length;
  const rhos: number[] = [];
  for (let k = 0; k < resamples; k++) {
    const idx = Array.from({ length: n }, () => Math.floor(r() * n));
    const rho = spearman(
      idx.map((i) => x[i]),
      idx.map((i) => y[i]),
    );
    if (Number.isFinite(rho)) rhos.push(rho);
  }
  if (rhos.length === 0) return [NaN, NaN];
  rhos.sort((a, b) => a - b);
  const at = (q: number) => rhos[Math.min(rhos.length - 1, Math.floor(q * rhos.length))];
  return [at(0.025), at(0.975)];
}

/** The mean over T rows of y (T, C), in f64: a sentence's pooled final hidden state. */
export function meanRows(y: ArrayLike<number>, T: number, C: number): Float64Array {
  const out = new Float64Array(C);
  for (let t = 0; t < T; t++) for (let k = 0; k < C; k++) out[k] += y[t * C + k];
  for (let k = 0; k < C; k++) out[k] /= T;
  return out;
}

/** The baseline's similarity of two sentences: the cosine of their pooled hidden states. */
export function hiddenCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine of lengths ${a.length} and ${b.length}`);
  let [dot, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : NaN;
}
