// Reference twin of shaders/score.wgsl: A from the gradient formed as dYᵀ X, then the reductions.
import { metricValues, type Metric } from '../analysis/metrics';
import { cosParts } from '../analysis/llmdcos';
import { reduceMatrix } from '../analysis/reductions';
import type { LinearDims } from '../model/shapes';
import { matmulBackwardWeight } from './matmul';
import type { FloatArray } from '../util/float-array';

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
