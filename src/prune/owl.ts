// OWL, Outlier Weighed Layerwise sparsity (Yin et al. 2023; its reference, lib/prune_all.py
// prune_wanda_outlier, docs/METHOD.md §4): a layer with more outliers keeps more weights.
//   D_i = 100 · share of layer i's Wanda metric entries |W_jk| · ‖X_k‖₂ (its 7 matrices together,
//         the column norms over every calibration token of the dense model) above M × their mean
//   r_i = (D_i − min D) / (max D − min D) · 2λ,   S_i = S − (r_i − mean r)
// so the S_i lie in [S − λ, S + λ] (up to the mean's shift) and average exactly S. M = 5 and
// λ = 0.08 are the reference's LLaMA-7B settings. The ratios are the same for every pruning method
// (OWL ranks layers by Wanda's metric whatever then prunes them); the norms' scale cancels
// (a multiple of the mean), so ‖X‖₂ and Wanda's mean-squared scaler give the same D_i.
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import type { GgufFile } from '../gguf/reader';
import { readMatrixF32 } from '../model/layout';

export const OWL_DEFAULTS = { M: 5, lambda: 0.08 } as const;

/** OWL's settings: M > 0, λ ≥ 0, and every S_i in [0, 1) (S − λ ≥ 0, S + λ < 1) — else named. */
export function checkOwl(S: number, M: number, lambda: number): void {
  if (!(Number.isFinite(M) && M > 0)) throw new Error(`OWL's M ${M}: needs a number > 0`);
  if (!(Number.isFinite(lambda) && lambda >= 0))
    throw new Error(`OWL's λ ${lambda}: needs a number ≥ 0`);
  if (!(S - lambda >= 0 && S + lambda < 1))
    throw new Error(
      `OWL at S = ${S} with λ = ${lambda} spreads S_i over [${+(S - lambda).toFixed(4)}, ${+(S + lambda).toFixed(4)}]: needs λ ≤ S and S + λ < 1`,
    );
}

/** One matrix of a layer: its weights (O, I) row-major and its input's column norms (I). */
export interface OwlMatrix {
  W: ArrayLike<number>;
  norms: ArrayLike<number>;
}

/**
 * D_i of one layer: 100 × the share of its matrices' entries |W_jk| · ‖X_k‖ (f32 products, as the
 * reference's tensors) strictly above M × their mean.
 */
export function layerOutlierRatio(matrices: OwlMatrix[], M: number): number {
  const each = (f: (a: number) => void) => {
    for (const { W, norms } of matrices) {
      const I = norms.length;
      for (let e = 0; e < W.length; e++) f(Math.fround(Math.abs(W[e]) * norms[e % I]));
    }
  };
  let sum = 0;
  let n = 0;
  each((a) => {
    sum += a;
    n++;
  });
  if (n === 0) return 0;
  const threshold = Math.fround(Math.fround(sum / n) * M);
  let count = 0;
  each((a) => {
    if (a > threshold) count++;
  });
  return (100 * count) / n;
}

/** S_i from the layers' outlier ratios D_i, mean sparsity S and λ (all layers S when D is flat). */
export function owlSparsity(ratios: number[], S: number, lambda: number): number[] {
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  const r = ratios.map((d) => (hi > lo ? ((d - lo) / (hi - lo)) * 2 * lambda : 0));
  const mean = r.reduce((a, b) => a + b, 0) / Math.max(1, r.length);
  return r.map((x) => S - (x - mean));
}

/** The column norms of each matrix's input at one layer (‖X_k‖₂ over the calibration tokens). */
export type LayerNorms = Record<MatrixName, ArrayLike<number>>;

/**
 * D_i of every layer of the dense model: `walk` calls back with each layer's column norms in order
 * (the dense calibration walk of a backend), `weights` gives a matrix's decoded weights.
 */
export async function owlRatios(
  c: LlamaConfig,
  M: number,
  walk: (each: (l: number, norms: LayerNorms) => Promise<void>) => Promise<void>,
  weights: (l: number, m: MatrixName) => Promise<ArrayLike<number>>,
): Promise<number[]> {
  const ratios = new Array<number>(c.blockCount).fill(NaN);
  await walk(async (l, norms) => {
    const matrices: OwlMatrix[] = [];
    for (const m of MATRICES) {
      const W = await weights(l, m);
      const { O, I } = matrixShape(c, m);
      if (W.length !== O * I || norms[m].length !== I)
        throw new Error(
          `OWL: layer ${l} ${m} has ${W.length} weights and ${norms[m].length} norms`,
        );
      matrices.push({ W, norms: norms[m] });
    }
    ratios[l] = layerOutlierRatio(matrices, M);
  });
  if (ratios.some((d) => !Number.isFinite(d)))
    throw new Error('OWL: the calibration walk did not reach every layer');
  return ratios;
}

/** A matrix of `file` decoded on the CPU, one at a time (the GPU backend's weights for OWL). */
export function fileWeights(file: GgufFile, c: LlamaConfig) {
  return async (l: number, m: MatrixName): Promise<Float32Array> => {
    return readMatrixF32(file, c, l, m);
  };
}
