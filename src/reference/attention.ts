// Causal multi-head attention with GQA: head h reads key/value head ⌊h / (H / Hkv)⌋.
// out[t, h] = Σ_{u ≤ t} p[h, t, u] · v[u, kv(h)], p = softmax_u(q[t, h] · k[u, kv(h)] / √Dh).
import type { FloatArray } from '../util/float-array';
import { roundF16, toF16 } from './linear';

export interface AttentionDims {
  T: number;
  H: number;
  Hkv: number;
  Dh: number;
}

/** out (T, H·Dh), probs (H, T, T) ← q (T, H·Dh), k, v (T, Hkv·Dh). Overwrites out and probs. */
export function attentionForward(
  out: FloatArray,
  probs: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  d: AttentionDims,
): void {
  const { T, H, Hkv, Dh } = d;
  const group = H / Hkv;
  const scale = 1 / Math.sqrt(Dh);
  out.fill(0);
  probs.fill(0);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const pRow = (h * T + t) * T;
      let max = -Infinity;
      for (let u = 0; u <= t; u++) {
        let s = 0;
        for (let e = 0; e < Dh; e++) s += q[(t * H + h) * Dh + e] * k[(u * Hkv + g) * Dh + e];
        s *= scale;
        probs[pRow + u] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let u = 0; u <= t; u++) {
        const p = Math.exp(probs[pRow + u] - max);
        probs[pRow + u] = p;
        sum += p;
      }
      for (let u = 0; u <= t; u++) {
        const p = probs[pRow + u] / sum;
        probs[pRow + u] = p;
        for (let e = 0; e < Dh; e++) out[(t * H + h) * Dh + e] += p * v[(u * Hkv + g) * Dh + e];
      }
    }
  }
}

/** dq (T, H·Dh), dk, dv (T, Hkv·Dh) ← dout (T, H·Dh). Overwrites dq, dk, dv. */
export function attentionBackward(
  dq: FloatArray,
  dk: FloatArray,
  dv: FloatArray,
  dout: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  probs: FloatArray,
  d: AttentionDims,
): void {
  const { T, H, Hkv, Dh } = d;
  const group = H / Hkv;
  const scale = 1 / Math.sqrt(Dh);
  dq.fill(0);
  dk.fill(0);
  dv.fill(0);
  const dp = new Float64Array(T);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      const pRow = (h * T + t) * T;
      let dot = 0;
      for (let u = 0; u <= t; u++) {
        let s = 0;
        for (let e = 0; e < Dh; e++) s += dout[(t * H + h) * Dh + e] * v[(u * Hkv + g) * Dh + e];
        dp[u] = s;
        dot += probs[pRow + u] * s;
      }
      for (let u = 0; u <= t; u++) {
        const p = probs[pRow + u];
        const ds = p * (dp[u] - dot) * scale;
        for (let e = 0; e < Dh; e++) {
          dv[(u * Hkv + g) * Dh + e] += p * dout[(t * H + h) * Dh + e];
          dq[(t * H + h) * Dh + e] += ds * k[(u * Hkv + g) * Dh + e];
          dk[(u * Hkv + g) * Dh + e] += ds * q[(t * H + h) * Dh + e];
        }
      }
    }
  }
}

/**
 * Twin of shaders/attention_mm.wgsl (the f16 path's forward on subgroup matrices): out and lse
 * (H, T) from q, k, v rounded to f16, scores and lse in f64, each probability exp(s − lse)
 * rounded to f16 before it weighs v. Overwrites out and lse.
 */
export function attentionForwardF16(
  out: FloatArray,
  lse: FloatArray,
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  d: AttentionDims,
): void {
  const { T, H, Hkv, Dh } = d;
  const [q16, k16, v16] = [toF16(q), toF16(k), toF16(v)];
  const group = H / Hkv;
  const scale = 1 / Math.sqrt(Dh);
  const s = new Float64Array(T);
  out.fill(0);
  for (let h = 0; h < H; h++) {
    const g = Math.floor(h / group);
    for (let t = 0; t < T; t++) {
      let max = -Infinity;
      for (let u = 0; u <= t; u++) {
        let dot = 0;
        for (let e = 0; e < Dh; e++) dot += q16[(t * H + h) * Dh + e] * k16[(u * Hkv + g) * Dh + e];
        s[u] = Math.fround(dot) * scale;
        max = Math.max(max, s[u]);
      }
      let sum = 0;
      for (let u = 0; u <= t; u++) sum += Math.exp(s[u] - max);
      const L = max + Math.log(sum);
      lse[h * T + t] = L;
      for (let u = 0; u <= t; u++) {
        const p = roundF16(Math.exp(s[u] - L));
        for (let e = 0; e < Dh; e++) out[(t * H + h) * Dh + e] += p * v16[(u * Hkv + g) * Dh + e];
      }
    }
  }
}
