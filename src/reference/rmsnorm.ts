// RMSNorm: y = x · r · w with r = 1 / sqrt(mean(x²) + ε), per row. Saves r per row.
import type { FloatArray } from '../util/float-array';

/** y (T, C), rstd (T) ← x (T, C), w (C). Overwrites y and rstd. */
export function rmsnormForward(
  y: FloatArray,
  rstd: FloatArray,
  x: FloatArray,
  w: FloatArray,
  T: number,
  C: number,
  eps: number,
): void {
  for (let t = 0; t < T; t++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[t * C + c] * x[t * C + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[t] = r;
    for (let c = 0; c < C; c++) y[t * C + c] = x[t * C + c] * r * w[c];
  }
}

/** dx (T, C) += ∂/∂x of Σ dy ⊙ y. Accumulates into dx (the residual stream's gradient). */
export function rmsnormBackward(
  dx: FloatArray,
  dy: FloatArray,
  x: FloatArray,
  w: FloatArray,
  rstd: FloatArray,
  T: number,
  C: number,
): void {
  for (let t = 0; t < T; t++) {
    const r = rstd[t];
    let s = 0;
    for (let c = 0; c < C; c++) s += dy[t * C + c] * w[c] * x[t * C + c];
    const k = (r * r * r * s) / C;
    for (let c = 0; c < C; c++) dx[t * C + c] += r * dy[t * C + c] * w[c] - x[t * C + c] * k;
  }
}
