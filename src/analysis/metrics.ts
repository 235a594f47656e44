// The per-parameter quantities A that every view reduces (docs/METHOD.md §1, §6).
import type { FloatArray } from '../reference/types';

export const METRICS = ['grad_x_weight', 'grad', 'wanda', 'magnitude'] as const;
export type Metric = (typeof METRICS)[number];

export const METRIC_LABEL: Record<Metric, string> = {
  grad_x_weight: '|grad × weight|',
  grad: '|grad|',
  wanda: 'Wanda |W|·‖X‖₂',
  magnitude: 'magnitude |W|',
};

/** ‖X_k‖₂ over tokens for each input column k of X (T, I). */
export function columnNorms(X: ArrayLike<number>, T: number, I: number): Float64Array {
  const n = new Float64Array(I);
  for (let t = 0; t < T; t++) for (let k = 0; k < I; k++) n[k] += X[t * I + k] * X[t * I + k];
  for (let k = 0; k < I; k++) n[k] = Math.sqrt(n[k]);
  return n;
}

/**
 * A (O, I) for one matrix W (O, I): |W ⊙ dW|, |dW|, |W|·‖X_k‖₂ or |W|.
 * `dW` is needed for the gradient metrics, `xNorms` (I) for Wanda.
 */
export function metricValues(
  metric: Metric,
  W: FloatArray,
  I: number,
  dW?: FloatArray,
  xNorms?: Float64Array,
): Float64Array {
  const A = new Float64Array(W.length);
  switch (metric) {
    case 'grad_x_weight':
      if (!dW) throw new Error('grad_x_weight needs the gradient');
      for (let i = 0; i < A.length; i++) A[i] = Math.abs(W[i] * dW[i]);
      return A;
    case 'grad':
      if (!dW) throw new Error('grad needs the gradient');
      for (let i = 0; i < A.length; i++) A[i] = Math.abs(dW[i]);
      return A;
    case 'wanda':
      if (!xNorms) throw new Error('wanda needs the input norms');
      for (let i = 0; i < A.length; i++) A[i] = Math.abs(W[i]) * xNorms[i % I];
      return A;
    case 'magnitude':
      for (let i = 0; i < A.length; i++) A[i] = Math.abs(W[i]);
      return A;
  }
}
