// SwiGLU: h = silu(g) ⊙ u, silu(g) = g · σ(g).
import type { FloatArray } from '../util/float-array';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** h (N) ← g (N), u (N). Overwrites h. */
export function swigluForward(h: FloatArray, g: FloatArray, u: FloatArray): void {
  for (let i = 0; i < h.length; i++) h[i] = g[i] * sigmoid(g[i]) * u[i];
}

/** dg, du (N) ← dh (N). Overwrites dg and du. */
export function swigluBackward(
  dg: FloatArray,
  du: FloatArray,
  dh: FloatArray,
  g: FloatArray,
  u: FloatArray,
): void {
  for (let i = 0; i < dh.length; i++) {
    const s = sigmoid(g[i]);
    const silu = g[i] * s;
    du[i] = dh[i] * silu;
    dg[i] = dh[i] * u[i] * (s * (1 + g[i] * (1 - s)));
  }
}
