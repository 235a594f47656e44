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

/** Length of the runs shaders/linear_f16p.wgsl sums in f16 before adding them to f32 sums. */
export const F16_RUN = 16;

/**
 * How far shaders/linear_f16p.wgsl's output (in the units of its scaled operands) may be from the
 * f16 twin's (f64 sums of the same f16 operands), for an output whose K products p_k have
 * Σ|p_k| = absSum: each run of F16_RUN products summed in f16 is within 2γ₁₆ · Σ|p| (u = 2⁻¹¹,
 * γₙ = nu / (1 − nu); the 2: a product and a sum rounded apart where the adapter does not fuse
 * them) plus 2 · 2⁻²⁵ per step (results below f16's normal range round to multiples of 2⁻²⁴).
 */
export function linearF16PackedBound(absSum: number, K: number): number {
  const u = 2 ** -11;
  const gamma = (F16_RUN * u) / (1 - F16_RUN * u);
  return 2 * gamma * absSum + Math.ceil(K / F16_RUN) * F16_RUN * 2 * 2 ** -25;
}

/**
 * The largest linearF16PackedBound over the outputs of Y = X Wᵀ (forward) or dX = dY W
 * (backward, left operand × scale), divided by the scale: the packed kernel's tolerance.
 */
export function linearF16PackedTolerance(
  left: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
  backward: boolean,
  scale = 1,
): number {
  const abs = (a: Float64Array) => a.map(Math.abs);
  const A = abs(toF16(left, scale));
  const W = abs(toF16(dequantize(type, wBytes, d.O * d.I)));
  const out = new Float64Array(backward ? d.T * d.I : d.T * d.O);
  if (backward) matmulBackwardInput(out, A, W, d);
  else matmulForward(out, A, W, d);
  let m = 0;
  for (const x of out) m = Math.max(m, x);
  return linearF16PackedBound(m, backward ? d.O : d.I) / scale;
}
