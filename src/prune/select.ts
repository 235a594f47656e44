// Which weights a pruning removes (docs/METHOD.md §4, the pruning lab): in each output row of a matrix
// (O, I), the ⌊I · S⌋ entries with the smallest metric; ties go to the lower column first. Weights
// already 0 have metric 0 under every metric here, so they go first. The metric is the f32 value
// shaders/prune_mask.wgsl forms (its twin, src/reference/prune_mask.ts), so both backends prune
// the same weights.
import type { PruneMode } from '../gpu/ops/prune_mask';
import { pruneKeys, rowMask } from '../reference/prune_mask';

export { rowMask };

/** The pruning methods: the metric ranked within each row. */
export type PruneMethod = 'magnitude' | 'wanda' | 'score' | 'random';
export const PRUNE_METHODS: PruneMethod[] = ['wanda', 'magnitude', 'score', 'random'];

/** Entries pruned per row of a matrix with I columns at sparsity S. */
export const prunedPerRow = (I: number, S: number): number => Math.floor(I * S);

/** The kernel mode of each method. */
export const MODE_OF: Record<PruneMethod, PruneMode> = {
  magnitude: 'scaled',
  wanda: 'scaled',
  score: 'given',
  random: 'random',
};

/**
 * The metric of each weight of W (O, I) under `method`: |W|; Wanda's |W_jk| · ‖X_k‖₂ (`norms`,
 * length I, over every calibration token); the paper's score (`score`: the calibration samples'
 * Σ A = Σ |W ⊙ ∂D/∂W|, which ranks as their mean); or seeded uniform values where W ≠ 0.
 */
export function pruneMetric(
  method: PruneMethod,
  W: ArrayLike<number>,
  I: number,
  opts: { norms?: ArrayLike<number>; score?: ArrayLike<number>; seed?: number } = {},
): Float32Array {
  if (method === 'wanda' && !opts.norms) throw new Error('wanda needs the column norms');
  if (method === 'score' && !opts.score) throw new Error('score needs the calibration scores');
  return pruneKeys(MODE_OF[method], W, I, {
    scale: method === 'wanda' ? opts.norms : undefined,
    metric: opts.score,
    seed: opts.seed,
  });
}
