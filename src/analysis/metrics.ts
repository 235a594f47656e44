// The per-parameter quantities A that every view reduces (docs/METHOD.md §1, §6).
import type { FloatArray } from '../util/float-array';

/**
 * The metrics, one entry each: what the code asks of a metric is read from here, never re-derived
 * from its name (docs/ARCHITECTURE.md, "kinds"). `shader`: its case in shaders/score.wgsl's
 * `metric()` (the Dims word `metric`); `gradient`: A reads ∂D/∂W, so a run needs the backward;
 * `inputs`: A reads the layer's inputs (the recompute), `inputNorms`: their column norms ‖X_k‖₂.
 */
export const METRIC_KINDS = [
  {
    id: 'grad_x_weight',
    label: '|grad × weight|',
    shader: 0,
    gradient: true,
    inputs: true,
    inputNorms: false,
  },
  { id: 'grad', label: '|grad|', shader: 1, gradient: true, inputs: true, inputNorms: false },
  {
    id: 'wanda',
    label: 'Wanda |W|·‖X‖₂',
    shader: 2,
    gradient: false,
    inputs: true,
    inputNorms: true,
  },
  {
    id: 'magnitude',
    label: 'magnitude |W|',
    shader: 3,
    gradient: false,
    inputs: false,
    inputNorms: false,
  },
] as const;
export type Metric = (typeof METRIC_KINDS)[number]['id'];
export type MetricKind = (typeof METRIC_KINDS)[number];

export const METRICS: readonly Metric[] = METRIC_KINDS.map((k) => k.id);

/** The table entry of `m`. */
export function metricKind(m: Metric): MetricKind {
  const k = METRIC_KINDS.find((x) => x.id === m);
  if (!k) throw new Error(`unknown metric ${String(m)}`);
  return k;
}

export const METRIC_LABEL = Object.fromEntries(METRIC_KINDS.map((k) => [k.id, k.label])) as Record<
  Metric,
  string
>;

/** shaders/score.wgsl's `needs_grad()`: a bit per shader case of the metrics that read ∂D/∂W. */
export const GRAD_METRIC_MASK = METRIC_KINDS.reduce(
  (m, k) => (k.gradient ? m | (1 << k.shader) : m),
  0,
);

/** shaders/score.wgsl's `needs_norms()`: a bit per shader case of the metrics that read ‖X_k‖₂. */
export const NORM_METRIC_MASK = METRIC_KINDS.reduce(
  (m, k) => (k.inputNorms ? m | (1 << k.shader) : m),
  0,
);

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
