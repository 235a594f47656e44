// RoPE on adjacent pairs (2i, 2i+1) of each head (GGUF / Meta order, not Hugging Face's halves):
// angle = t · scale · base^(−2i / ropeDims) / factor_i for i < ropeDims / 2 (as ggml_rope_ext
// without YaRN: scale = 1 / the linear scaling factor, factor_i from rope_freqs.weight — Llama
// 3.1's frequency factors — else 1); dimensions past ropeDims pass through.
import type { FloatArray } from './types';

export interface RopeDims {
  T: number;
  heads: number;
  headDim: number;
  ropeDims: number;
  base: number;
  /** 1 / linear scaling factor (default 1) */
  scale?: number;
  /** per pair i: the angle is divided by factors[i] (rope_freqs.weight; default 1) */
  factors?: ArrayLike<number>;
}

/** cos and sin of every (t, i) angle, (T, ropeDims / 2, 2), computed in f64. */
export function ropeTable(
  T: number,
  ropeDims: number,
  base: number,
  scale = 1,
  factors?: ArrayLike<number>,
): Float64Array {
  const pairs = ropeDims / 2;
  if (factors && factors.length !== pairs)
    throw new Error(`rope: ${factors.length} frequency factors for ${pairs} pairs`);
  const tab = new Float64Array(T * pairs * 2);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < pairs; i++) {
      const angle = (t * scale * Math.pow(base, (-2 * i) / ropeDims)) / (factors ? factors[i] : 1);
      tab[(t * pairs + i) * 2] = Math.cos(angle);
      tab[(t * pairs + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return tab;
}

function rotate(x: FloatArray, d: RopeDims, sign: 1 | -1): void {
  const { T, heads, headDim, ropeDims, base } = d;
  const tab = ropeTable(T, ropeDims, base, d.scale, d.factors);
  const pairs = ropeDims / 2;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < pairs; i++) {
      const cos = tab[(t * pairs + i) * 2];
      const sin = sign * tab[(t * pairs + i) * 2 + 1];
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
