// Reference twin of shaders/head.wgsl.
import type { FloatArray } from '../util/float-array';

/** Index of the largest logit (lowest on ties; the first NaN if any, as PyTorch's max) and its value. */
export function headArgmax(logits: FloatArray): { index: number; value: number } {
  const index = argmaxNanFirst(logits);
  return { index, value: logits[index] };
}

/** dxf (C) = W[index] for W (V, C). */
export function headBackward(W: FloatArray, index: number, C: number): FloatArray {
  return W.slice(index * C, (index + 1) * C) as FloatArray;
}

/** Index of the largest value, the lowest on ties; the first NaN if any (PyTorch's max). */
export function argmaxNanFirst(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) return i;
    if (x[i] > x[best]) best = i;
  }
  return best;
}
