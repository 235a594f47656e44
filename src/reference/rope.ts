// RoPE on adjacent pairs (2i, 2i+1) of each head (GGUF / Meta order, not Hugging Face's halves):
// angle = t · scale · base^(−2i / ropeDims) / factor_i for i < ropeDims / 2 (as ggml_rope_ext
// without YaRN: scale = 1 / the linear scaling factor, factor_i from rope_freqs.weight — Llama
// 3.1's frequency factors — else 1); dimensions past ropeDims pass through.
import type { FloatArray } from '../util/float-array';
import type { RopeYarn } from '../model/config';

export interface RopeDims {
  /** rows of x; with `stride`, the rows of a stack of sequences */
  T: number;
  /**
   * a stack of sequences `stride` rows apart, each from position 0 (row t at position
   * t mod stride; a batch's rows, its padding rows included); absent or 0: one sequence
   */
  stride?: number;
  heads: number;
  headDim: number;
  ropeDims: number;
  base: number;
  /** 1 / linear scaling factor (default 1) */
  scale?: number;
  /** per pair i: the angle is divided by factors[i] (rope_freqs.weight; default 1) */
  factors?: ArrayLike<number>;
  yarn?: RopeYarn;
  /** cos and sin are multiplied by it (YaRN's magnitude, rope.scaling.attn_factor; default 1) */
  mscale?: number;
}

export type RopeFreqs = Pick<
  RopeDims,
  'ropeDims' | 'base' | 'scale' | 'factors' | 'yarn' | 'mscale'
>;

/** ggml's rope_yarn_ramp for pair i: 1 below low, 0 above high, linear between. */
const ramp = (y: RopeYarn, i: number) =>
  1 - Math.min(1, Math.max(0, (i - y.low) / Math.max(0.001, y.high - y.low)));

/**
 * cos and sin of every (t, i) angle, (T, ropeDims / 2, 2), computed in f64, as ggml's rope cache:
 * θ = t · base^(−2i/d) / factor_i, scaled by `scale` — with YaRN mixed with the unscaled θ by the
 * ramp — and cos, sin times mscale.
 */
export function ropeTable(T: number, f: RopeFreqs): Float64Array {
  const { ropeDims, base, scale = 1, factors, yarn, mscale = 1 } = f;
  const pairs = ropeDims / 2;
  if (factors && factors.length !== pairs)
    throw new Error(`rope: ${factors.length} frequency factors for ${pairs} pairs`);
  const tab = new Float64Array(T * pairs * 2);
  for (let i = 0; i < pairs; i++) {
    const mix = yarn ? ramp(yarn, i) * yarn.extFactor : 0;
    const ff = factors ? factors[i] : 1;
    for (let t = 0; t < T; t++) {
      const extrap = (t * Math.pow(base, (-2 * i) / ropeDims)) / ff;
      const angle = yarn
        ? scale * extrap * (1 - mix) + extrap * mix
        : (t * scale * Math.pow(base, (-2 * i) / ropeDims)) / ff;
      tab[(t * pairs + i) * 2] = Math.cos(angle) * mscale;
      tab[(t * pairs + i) * 2 + 1] = Math.sin(angle) * mscale;
    }
  }
  return tab;
}

/** Positions a rotation of `d` reads: T, or the stride of a stack of sequences. */
export const ropePositions = (d: Pick<RopeDims, 'T' | 'stride'>): number =>
  d.stride ? Math.min(d.T, d.stride) : d.T;

function rotate(x: FloatArray, d: RopeDims, sign: 1 | -1): void {
  const { T, heads, headDim, ropeDims, stride } = d;
  const tab = ropeTable(ropePositions(d), d);
  const pairs = ropeDims / 2;
  for (let t = 0; t < T; t++) {
    const p = stride ? t % stride : t;
    for (let i = 0; i < pairs; i++) {
      const cos = tab[(p * pairs + i) * 2];
      const sin = sign * tab[(p * pairs + i) * 2 + 1];
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

/** Rotates x (T, heads · headDim) in place (each of a stack's sequences from position 0). */
export function ropeForward(x: FloatArray, d: RopeDims): void {
  rotate(x, d, 1);
}

/** The gradient of a rotation is the inverse rotation: dx (T, heads · headDim) in place. */
export function ropeBackward(dx: FloatArray, d: RopeDims): void {
  rotate(dx, d, -1);
}
