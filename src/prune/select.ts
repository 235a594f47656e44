// Which weights a pruning removes (docs/METHOD.md §4, the pruning lab): in each output row of a matrix
// (O, I), the ⌊I · S⌋ entries with the smallest metric; ties go to the lower column first. Weights
// already 0 have metric 0 under every metric here, so they go first. The metric is the f32 value
// shaders/prune_mask.wgsl forms (its twin, src/reference/prune_mask.ts), so both backends prune
// the same weights.
import type { PruneMode } from '../reference/prune_mask';
import { pruneKeys, rowMask } from '../reference/prune_mask';

export { rowMask };

/**
 * The pruning methods, one entry each (the metric ranked within each row): `mode`, the kernel's
 * (shaders/prune_mask.wgsl); `calibration`, whether it needs calibration samples; `inputNorms`,
 * ranks |W_jk| · ‖X_k‖₂ over the calibration tokens (Wanda); `scores`, ranks the calibration
 * samples' Σ A of the score pass (the paper's score).
 */
export const PRUNE_KINDS = [
  { id: 'wanda', mode: 'scaled', calibration: true, inputNorms: true, scores: false },
  { id: 'magnitude', mode: 'scaled', calibration: false, inputNorms: false, scores: false },
  { id: 'score', mode: 'given', calibration: true, inputNorms: false, scores: true },
  { id: 'random', mode: 'random', calibration: false, inputNorms: false, scores: false },
] as const satisfies readonly {
  id: string;
  mode: PruneMode;
  calibration: boolean;
  inputNorms: boolean;
  scores: boolean;
}[];
export type PruneMethod = (typeof PRUNE_KINDS)[number]['id'];
export type PruneKind = (typeof PRUNE_KINDS)[number];
export const PRUNE_METHODS: PruneMethod[] = PRUNE_KINDS.map((k) => k.id);

/** The table entry of `m`. */
export function pruneKind(m: PruneMethod): PruneKind {
  const k = PRUNE_KINDS.find((x) => x.id === m);
  if (!k) throw new Error(`unknown pruning method ${String(m)}`);
  return k;
}

/** Entries pruned per row of a matrix with I columns at sparsity S. */
export const prunedPerRow = (I: number, S: number): number => Math.floor(I * S);

/** The kernel mode of each method. */
export const MODE_OF = Object.fromEntries(PRUNE_KINDS.map((k) => [k.id, k.mode])) as Record<
  PruneMethod,
  PruneMode
>;

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
  const kind = pruneKind(method);
  if (kind.inputNorms && !opts.norms) throw new Error(`${method} needs the column norms`);
  if (kind.scores && !opts.score) throw new Error(`${method} needs the calibration scores`);
  return pruneKeys(kind.mode, W, I, {
    scale: kind.inputNorms ? opts.norms : undefined,
    metric: opts.score,
    seed: opts.seed,
  });
}
