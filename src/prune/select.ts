// Which weights a pruning removes (METHOD.md §4, the pruning lab): in each output row of a matrix
// (O, I), the ⌊I · S⌋ entries with the smallest metric; ties go to the lower column first. Weights
// already 0 have metric 0 under every metric here, so they go first.
import { mulberry32 } from '../util/random';

/** The pruning methods: the metric ranked within each row. */
export type PruneMethod = 'magnitude' | 'wanda' | 'random';
export const PRUNE_METHODS: PruneMethod[] = ['magnitude', 'wanda', 'random'];

/** Entries pruned per row of a matrix with I columns at sparsity S. */
export const prunedPerRow = (I: number, S: number): number => Math.floor(I * S);

/**
 * The mask (1 = pruned) of the k smallest metric values of each row of an (O, I) matrix; ties by
 * lower column. Sorting a row's column indices by (metric, column) is the rule, stated directly.
 */
export function rowMask(metric: ArrayLike<number>, O: number, I: number, k: number): Uint8Array {
  const mask = new Uint8Array(O * I);
  if (k <= 0) return mask;
  const cols = new Uint32Array(I);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) cols[i] = i;
    const row = o * I;
    cols.sort((a, b) => metric[row + a] - metric[row + b] || a - b);
    for (let j = 0; j < Math.min(k, I); j++) mask[row + cols[j]] = 1;
  }
  return mask;
}

/**
 * The metric of each weight of W (O, I) under `method`: |W|; Wanda's |W_jk| · ‖X_k‖₂ (`norms`,
 * length I, over every calibration token); or seeded uniform values where W ≠ 0 (0 where W = 0).
 */
export function pruneMetric(
  method: PruneMethod,
  W: ArrayLike<number>,
  I: number,
  opts: { norms?: ArrayLike<number>; seed?: number } = {},
): Float64Array {
  const out = new Float64Array(W.length);
  if (method === 'random') {
    const r = mulberry32(opts.seed ?? 0);
    for (let e = 0; e < W.length; e++) out[e] = W[e] === 0 ? 0 : r() + Number.EPSILON;
    return out;
  }
  if (method === 'wanda' && !opts.norms) throw new Error('wanda needs the column norms');
  for (let e = 0; e < W.length; e++)
    out[e] = Math.abs(W[e]) * (method === 'wanda' ? opts.norms![e % I] : 1);
  return out;
}
