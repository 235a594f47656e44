// Reference twin of shaders/linear.wgsl: the weight decoded (src/gguf/dequant.ts), then the same
// loops as src/reference/matmul.ts.
import { dequantize } from '../gguf/dequant';
import { f16ToF32, f32ToF16 } from '../gguf/half';
import type { GgmlType } from '../gguf/types';
import type { LinearDims } from '../model/shapes';
import { matmulBackwardInput, matmulForward } from './matmul';
import type { FloatArray } from '../util/float-array';

export function linearForward(
  Y: FloatArray,
  X: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
): void {
  matmulForward(Y, X, dequantize(type, wBytes, d.O * d.I), d);
}

export function linearBackwardInput(
  dX: FloatArray,
  dY: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
): void {
  matmulBackwardInput(dX, dY, dequantize(type, wBytes, d.O * d.I), d);
}

/** x rounded to the nearest f16 (ties to even), as a number. */
export function roundF16(x: number): number {
  return f16ToF32(f32ToF16(x));
}

/** A copy of `a` with every element times `scale` (in f32), rounded to f16. */
export function toF16(a: ArrayLike<number>, scale = 1): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = roundF16(Math.fround(a[i] * scale));
  return out;
}

/**
 * Twin of shaders/linear_f16.wgsl (and linear_mm.wgsl): Y = X Wᵀ with X and the decoded W
 * rounded to f16, sums in f64.
 */
export function linearForwardF16(
  Y: FloatArray,
  X: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
): void {
  matmulForward(Y, toF16(X), toF16(dequantize(type, wBytes, d.O * d.I)), d);
}

/**
 * dX = dY W with dY · scale and W rounded to f16, sums in f64, divided by scale (the kernels'
 * F16_GRAD_SCALE).
 */
export function linearBackwardInputF16(
  dX: FloatArray,
  dY: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
  scale: number,
): void {
  matmulBackwardInput(dX, toF16(dY, scale), toF16(dequantize(type, wBytes, d.O * d.I)), d);
  for (let i = 0; i < dX.length; i++) dX[i] /= scale;
}
