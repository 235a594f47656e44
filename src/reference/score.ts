// Reference twin of shaders/score.wgsl: A from the gradient formed as dYᵀ X, then the reductions.
import { metricValues, type Metric } from '../analysis/metrics';
import { cosParts } from '../analysis/llmdcos';
import { reduceMatrix } from '../analysis/reductions';
import type { LinearDims } from '../model/shapes';
import { matmulBackwardWeight } from './matmul';
import { toF16 } from './linear';
import type { FloatArray } from './types';

export function scoreValues(
  dY: FloatArray,
  X: FloatArray,
  W: FloatArray,
  xnorm: Float64Array | undefined,
  d: LinearDims,
  metric: Metric,
): Float64Array {
  const g = new Float64Array(d.O * d.I);
  matmulBackwardWeight(g, dY, X, d);
  return metricValues(metric, W, d.I, g, xnorm);
}

/**
 * Twin of the f16 path (shaders/score_stage_f16.wgsl with score_grad_f16.wgsl or
 * score_mm.wgsl): the gradient from dY · scale and X rounded to f16, divided by scale.
 */
export function scoreValuesF16(
  dY: FloatArray,
  X: FloatArray,
  W: FloatArray,
  xnorm: Float64Array | undefined,
  d: LinearDims,
  metric: Metric,
  scale: number,
): Float64Array {
  const g = new Float64Array(d.O * d.I);
  matmulBackwardWeight(g, toF16(dY, scale), toF16(X), d);
  for (let i = 0; i < g.length; i++) g[i] /= scale;
  return metricValues(metric, W, d.I, g, xnorm);
}

export function scoreReduce(
  dY: FloatArray,
  X: FloatArray,
  W: FloatArray,
  xnorm: Float64Array | undefined,
  d: LinearDims,
  metric: Metric,
) {
  return reduceMatrix(scoreValues(dY, X, W, xnorm, d, metric));
}

export function scorePair(
  a: { dY: FloatArray; X: FloatArray; xnorm?: Float64Array },
  b: { dY: FloatArray; X: FloatArray; xnorm?: Float64Array },
  W: FloatArray,
  d: LinearDims,
  metric: Metric,
  Tb = d.T,
) {
  return cosParts(
    scoreValues(a.dY, a.X, W, a.xnorm, d, metric),
    scoreValues(b.dY, b.X, W, b.xnorm, { ...d, T: Tb }, metric),
  );
}
