// Reference twin of shaders/matmul.wgsl: same index arithmetic, same loop order.
// Works on Float32Array (f32 storage, f64 accumulation) and Float64Array (gradient checks).
import type { LinearDims } from '../model/shapes';

import type { FloatArray } from '../util/float-array';

export type { FloatArray };

/** Y (T, O) = X (T, I) · Wᵀ, W (O, I). Overwrites Y. */
export function matmulForward(Y: FloatArray, X: FloatArray, W: FloatArray, d: LinearDims): void {
  const { T, I, O } = d;
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < O; o++) {
      let acc = 0;
      for (let i = 0; i < I; i++) acc += X[t * I + i] * W[o * I + i];
      Y[t * O + o] = acc;
    }
  }
}

/** dX (T, I) = dY (T, O) · W (O, I). Overwrites dX. */
export function matmulBackwardInput(
  dX: FloatArray,
  dY: FloatArray,
  W: FloatArray,
  d: LinearDims,
): void {
  const { T, I, O } = d;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let o = 0; o < O; o++) acc += dY[t * O + o] * W[o * I + i];
      dX[t * I + i] = acc;
    }
  }
}

/** dW (O, I) = dYᵀ (O, T) · X (T, I). Overwrites dW. */
export function matmulBackwardWeight(
  dW: FloatArray,
  dY: FloatArray,
  X: FloatArray,
  d: LinearDims,
): void {
  const { T, I, O } = d;
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let t = 0; t < T; t++) acc += dY[t * O + o] * X[t * I + i];
      dW[o * I + i] = acc;
    }
  }
}
