// Reference twin of shaders/head.wgsl.
import type { FloatArray } from './types';

/** Index of the largest logit (lowest on ties) and its value. */
export function headArgmax(logits: FloatArray): { index: number; value: number } {
  let index = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[index]) index = i;
  return { index, value: logits[index] };
}

/** dxf (C) = W[index] for W (V, C). */
export function headBackward(W: FloatArray, index: number, C: number): FloatArray {
  return W.slice(index * C, (index + 1) * C) as FloatArray;
}
