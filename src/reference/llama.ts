// The reference Llama: forward to the last position's logits, the objective D = max logit, and
// backward of D to the 7 linear matrices of every layer. Plain loops over the reference ops;
// f32 arrays by default, f64 for gradient checks. Small models only (keeps every activation).
import { MATRICES, matrixShape, type MatrixName } from '../model/config';
import type { LlamaWeights } from '../model/weights';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from './matmul';
import { rmsnormBackward, rmsnormForward } from './rmsnorm';
import { ropeBackward, ropeForward } from './rope';
import { attentionBackward, attentionForward } from './attention';
import { swigluBackward, swigluForward } from './swiglu';
import { like, type FloatArray } from './types';
import { argmaxNanFirst } from './head';

/** What one layer's forward keeps for its backward. */
interface LayerCache {
  x: FloatArray; // (T, C) layer input (residual stream)
  xn1: FloatArray; // (T, C) attention-norm output: input of q, k, v
  rstd1: FloatArray; // (T)
  q: FloatArray; // (T, H·Dh) after RoPE
  k: FloatArray; // (T, Hkv·Dh) after RoPE
  v: FloatArray; // (T, Hkv·Dh)
  probs: FloatArray; // (H, T, T)
  att: FloatArray; // (T, H·Dh): input of o
  x2: FloatArray; // (T, C) after the attention residual
  xn2: FloatArray; // (T, C) ffn-norm output: input of gate, up
  rstd2: FloatArray; // (T)
  g: FloatArray; // (T, F)
  u: FloatArray; // (T, F)
  h: FloatArray; // (T, F): input of down
}

export interface ForwardResult {
  tokens: number[];
  logits: FloatArray; // (V) at the last position
  argmax: number;
  maxLogit: number;
  layers: LayerCache[];
  xLast: FloatArray; // (C) final residual at the last position
  rstdLast: number;
}

export interface ScoreResult extends ForwardResult {
  /** ∂D/∂W per layer per matrix, (O, I) like W */
  grads: Record<MatrixName, FloatArray>[];
  /** the input X (T, I) of each linear per layer (for Wanda's ‖X_k‖₂) */
  inputs: Record<MatrixName, FloatArray>[];
}

export function llamaForward<A extends FloatArray>(
  w: LlamaWeights<A>,
  tokens: number[],
): ForwardResult {
  const c = w.config;
  const T = tokens.length;
  const C = c.embeddingLength;
  const F = c.feedForwardLength;
  const H = c.headCount;
  const Hkv = c.headCountKv;
  const Dh = c.headDim;
  const proto = w.tokenEmbd;
  if (T < 1) throw new Error('llamaForward: no tokens');
  let x = like(proto, T * C);
  tokens.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) {
      throw new Error(
        `token id ${id} at position ${t} is outside the vocabulary (0..${c.vocabSize - 1})`,
      );
    }
    for (let e = 0; e < C; e++) x[t * C + e] = proto[id * C + e];
  });
  const layers: LayerCache[] = [];
  for (const lw of w.layers) {
    const L: Partial<LayerCache> = { x };
    const xn1 = like(proto, T * C);
    const rstd1 = like(proto, T);
    rmsnormForward(xn1, rstd1, x, lw.attnNorm, T, C, c.rmsEps);
    const lin = (m: MatrixName, X: FloatArray) => {
      const { O, I } = matrixShape(c, m);
      const Y = like(proto, T * O);
      matmulForward(Y, X, lw.matrices[m], { T, I, O });
      return Y;
    };
    const q = lin('q', xn1);
    const k = lin('k', xn1);
    const v = lin('v', xn1);
    const rope = { T, headDim: Dh, ropeDims: c.ropeDims, base: c.ropeFreqBase };
    ropeForward(q, { ...rope, heads: H });
    ropeForward(k, { ...rope, heads: Hkv });
    const att = like(proto, T * H * Dh);
    const probs = like(proto, H * T * T);
    attentionForward(att, probs, q, k, v, { T, H, Hkv, Dh });
    const o = lin('o', att);
    const x2 = like(proto, T * C);
    for (let i = 0; i < x2.length; i++) x2[i] = x[i] + o[i];
    const xn2 = like(proto, T * C);
    const rstd2 = like(proto, T);
    rmsnormForward(xn2, rstd2, x2, lw.ffnNorm, T, C, c.rmsEps);
    const g = lin('gate', xn2);
    const u = lin('up', xn2);
    const h = like(proto, T * F);
    swigluForward(h, g, u);
    const down = lin('down', h);
    const x3 = like(proto, T * C);
    for (let i = 0; i < x3.length; i++) x3[i] = x2[i] + down[i];
    Object.assign(L, { xn1, rstd1, q, k, v, probs, att, x2, xn2, rstd2, g, u, h });
    layers.push(L as LayerCache);
    x = x3;
  }
  const xLast = x.slice((T - 1) * C, T * C) as FloatArray;
  const xf = like(proto, C);
  const rs = like(proto, 1);
  rmsnormForward(xf, rs, xLast, w.outputNorm, 1, C, c.rmsEps);
  const logits = like(proto, c.vocabSize);
  matmulForward(logits, xf, w.output, { T: 1, I: C, O: c.vocabSize });
  const argmax = argmaxNanFirst(logits);
  return { tokens, logits, argmax, maxLogit: logits[argmax], layers, xLast, rstdLast: rs[0] };
}

/** Forward, then backward of D = max last-position logit to every scored matrix. */
export function llamaScores<A extends FloatArray>(
  w: LlamaWeights<A>,
  tokens: number[],
): ScoreResult {
  const fwd = llamaForward(w, tokens);
  const c = w.config;
  const T = tokens.length;
  const C = c.embeddingLength;
  const F = c.feedForwardLength;
  const H = c.headCount;
  const Hkv = c.headCountKv;
  const Dh = c.headDim;
  const proto = w.tokenEmbd;
  // D = output[argmax] · rmsnorm(xLast): dxf is that row of the head.
  const dxf = w.output.slice(fwd.argmax * C, (fwd.argmax + 1) * C) as FloatArray;
  let dx = like(proto, T * C);
  const dLast = like(proto, C);
  rmsnormBackward(dLast, dxf, fwd.xLast, w.outputNorm, Float64Array.of(fwd.rstdLast), 1, C);
  dx.set(dLast, (T - 1) * C);
  const grads: Record<MatrixName, FloatArray>[] = [];
  const inputs: Record<MatrixName, FloatArray>[] = [];
  for (let l = c.blockCount - 1; l >= 0; l--) {
    const lw = w.layers[l];
    const L = fwd.layers[l];
    const gl = {} as Record<MatrixName, FloatArray>;
    const linBack = (m: MatrixName, dY: FloatArray, X: FloatArray): FloatArray => {
      const { O, I } = matrixShape(c, m);
      const dW = like(proto, O * I);
      matmulBackwardWeight(dW, dY, X, { T, I, O });
      gl[m] = dW;
      const dX = like(proto, T * I);
      matmulBackwardInput(dX, dY, lw.matrices[m], { T, I, O });
      return dX;
    };
    // MLP: x3 = x2 + down(swiglu(gate(xn2), up(xn2)))
    const dh = linBack('down', dx, L.h);
    const dg = like(proto, T * F);
    const du = like(proto, T * F);
    swigluBackward(dg, du, dh, L.g, L.u);
    const dxn2 = linBack('gate', dg, L.xn2);
    const dxn2u = linBack('up', du, L.xn2);
    for (let i = 0; i < dxn2.length; i++) dxn2[i] += dxn2u[i];
    const dx2 = dx.slice() as FloatArray;
    rmsnormBackward(dx2, dxn2, L.x2, lw.ffnNorm, L.rstd2, T, C);
    // attention: x2 = x + o(attention(rope(q(xn1)), rope(k(xn1)), v(xn1)))
    const datt = linBack('o', dx2, L.att);
    const dq = like(proto, T * H * Dh);
    const dk = like(proto, T * Hkv * Dh);
    const dv = like(proto, T * Hkv * Dh);
    attentionBackward(dq, dk, dv, datt, L.q, L.k, L.v, L.probs, { T, H, Hkv, Dh });
    const rope = { T, headDim: Dh, ropeDims: c.ropeDims, base: c.ropeFreqBase };
    ropeBackward(dq, { ...rope, heads: H });
    ropeBackward(dk, { ...rope, heads: Hkv });
    const dxn1 = linBack('q', dq, L.xn1);
    const dxk = linBack('k', dk, L.xn1);
    const dxv = linBack('v', dv, L.xn1);
    for (let i = 0; i < dxn1.length; i++) dxn1[i] += dxk[i] + dxv[i];
    const dx1 = dx2.slice() as FloatArray;
    rmsnormBackward(dx1, dxn1, L.x, lw.attnNorm, L.rstd1, T, C);
    dx = dx1;
    grads[l] = gl;
    inputs[l] = { q: L.xn1, k: L.xn1, v: L.xn1, o: L.att, gate: L.xn2, up: L.xn2, down: L.h };
  }
  for (const g of grads)
    for (const m of MATRICES) if (!g[m]) throw new Error(`no gradient for ${m}`);
  return { ...fwd, grads, inputs };
}
