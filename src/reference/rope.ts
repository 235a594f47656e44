// RoPE on adjacent pairs (2i, 2i+1) of each head (GGUF / Meta order, not Hugging Face's halves):
// angle = t · base^(−2i / ropeDims) for i < ropeDims / 2; dimensions past ropeDims pass through.
import type { FloatArray } from './types';

export interface RopeDims {
  T: number;
  heads: number;
  headDim: number;
  ropeDims: number;
  base: number;
}

function rotate(x: FloatArray, d: RopeDims, sign: 1 | -1): void {
  const { T, heads, headDim, ropeDims, base } = d;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < ropeDims / 2; i++) {
      const angle = t * Math.pow(base, (-2 * i) / ropeDims);
      const cos = Math.cos(angle);
      const sin = sign * Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const o = (t * heads + h) * headDim + 2 * i;
        const a = x[o];
        const b = x[o + 1];
        x[o] = a * cos - b * sin;
        x[o + 1] = a * sin + b * cos;
      }
    }
  }
}

/** Rotates x (T, heads · headDim) in place. */
export function ropeForward(x: FloatArray, d: RopeDims): void {
  rotate(x, d, 1);
}

/** The gradient of a rotation is the inverse rotation: dx (T, heads · headDim) in place. */
export function ropeBackward(dx: FloatArray, d: RopeDims): void {
  rotate(dx, d, -1);
}
