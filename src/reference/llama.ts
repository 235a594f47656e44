// The reference Llama: forward to the last position's logits, the objective D = max logit, and
// backward of D to the 7 linear matrices of every layer, as lists of reference op calls. The GPU
// model, src/gpu/llama.ts, has the same functions in the same order over the WGSL twins of these
// ops. f32 arrays by default, f64 for gradient checks. Small models only (keeps every activation).
import {
  dims,
  MATRICES,
  matrixShape,
  ropeFreqs,
  type LlamaConfig,
  type MatrixName,
} from '../model/config';
import type { LayerWeights, LlamaWeights } from '../model/weights';
import { matmulBackwardInput, matmulBackwardWeight, matmulForward } from './matmul';
import { rmsnormBackward, rmsnormForward } from './rmsnorm';
import { ropeBackward, ropeForward, type RopeDims } from './rope';
import { attentionBackward, attentionForward } from './attention';
import { swigluBackward, swigluForward } from './swiglu';
import { addAccumulate, addBias, addForward } from './add';
import { matrixSource } from '../model/layout';
import { embeddingForward } from './embedding';
import { headArgmax, headBackward as headRow } from './head';
import { like, type FloatArray } from '../util/float-array';

/** What one layer's forward keeps for its backward. */
export interface LayerCache {
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
  out: FloatArray; // (T, C) the layer's output x3 = x2 + down(h)
}

/** The head's forward at the last position. */
export interface HeadCache {
  xLast: FloatArray; // (C) final residual at the last position
  rstdLast: number;
  logits: FloatArray; // (V)
  argmax: number;
  maxLogit: number;
}

export interface ForwardResult extends HeadCache {
  tokens: number[];
  layers: LayerCache[];
}

export interface ScoreResult extends ForwardResult {
  /** ∂D/∂W per layer per matrix, (O, I) like W */
  grads: Record<MatrixName, FloatArray>[];
  /** the input X (T, I) of each linear per layer (for Wanda's ‖X_k‖₂) */
  inputs: Record<MatrixName, FloatArray>[];
}

const ropeOf = (w: LlamaWeights<FloatArray>, T: number, heads: number): RopeDims => ({
  T,
  heads,
  headDim: w.config.headDim,
  ...ropeFreqs(w.config, w.ropeFactors),
});

/** Y (T, O) = X (T, I) · Wᵀ for matrix m of a layer. */
function linear(w: LlamaWeights<FloatArray>, l: number, m: MatrixName, X: FloatArray, T: number) {
  const { O, I } = matrixShape(w.config, m);
  const Y = like(X, T * O);
  const Xin = w.roundInput ? w.roundInput(matrixSource(w.config, l, m).tensor, X, I) : X;
  matmulForward(Y, Xin, w.layers[l].matrices[m], { T, I, O });
  const bias = w.layers[l].bias?.[m];
  if (bias) addBias(Y, bias);
  return Y;
}

/** x (T, C) = E[tokens]. */
export function embed(w: LlamaWeights<FloatArray>, tokens: number[]): FloatArray {
  const c = w.config;
  tokens.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
      throw new Error(
        `token id ${id} at position ${t} is outside the vocabulary (0..${c.vocabSize - 1})`,
      );
  });
  const x = like(w.tokenEmbd, tokens.length * c.embeddingLength);
  embeddingForward(x, tokens, w.tokenEmbd, c.embeddingLength);
  return x;
}

/**
 * Layer l: x2 = x + o(attention(rope(q(n1(x))), rope(k(n1(x))), v(n1(x)))); out = x2 +
 * down(swiglu(gate(n2(x2)), up(n2(x2)))) — q, k and v with their biases where the model has them
 * (Qwen2; a bias changes no gradient the score reads).
 */
export function layerForward(
  w: LlamaWeights<FloatArray>,
  l: number,
  x: FloatArray,
  T: number,
): LayerCache {
  const c = w.config;
  const lw = w.layers[l];
  const { C, H, Hkv, Dh } = dims(c);
  const xn1 = like(x, T * C);
  const rstd1 = like(x, T);
  rmsnormForward(xn1, rstd1, x, lw.attnNorm, T, C, c.rmsEps);
  const q = linear(w, l, 'q', xn1, T);
  const k = linear(w, l, 'k', xn1, T);
  const v = linear(w, l, 'v', xn1, T);
  ropeForward(q, ropeOf(w, T, H));
  ropeForward(k, ropeOf(w, T, Hkv));
  const att = like(x, T * H * Dh);
  const probs = like(x, H * T * T);
  attentionForward(att, probs, q, k, v, { T, H, Hkv, Dh });
  const o = linear(w, l, 'o', att, T);
  const x2 = like(x, T * C);
  addForward(x2, x, o);
  const xn2 = like(x, T * C);
  const rstd2 = like(x, T);
  rmsnormForward(xn2, rstd2, x2, lw.ffnNorm, T, C, c.rmsEps);
  const g = linear(w, l, 'gate', xn2, T);
  const u = linear(w, l, 'up', xn2, T);
  const h = like(x, T * c.feedForwardLength);
  swigluForward(h, g, u);
  const down = linear(w, l, 'down', h, T);
  const out = like(x, T * C);
  addForward(out, x2, down);
  return { x, xn1, rstd1, q, k, v, probs, att, x2, xn2, rstd2, g, u, h, out };
}

/** logits (V) = output · rmsnorm(x[T − 1]); D = the largest of them. */
export function headForward(w: LlamaWeights<FloatArray>, x: FloatArray, T: number): HeadCache {
  const c = w.config;
  const C = c.embeddingLength;
  const xLast = x.slice((T - 1) * C, T * C) as FloatArray;
  const xf = like(x, C);
  const rs = like(x, 1);
  rmsnormForward(xf, rs, xLast, w.outputNorm, 1, C, c.rmsEps);
  const logits = like(x, c.vocabSize);
  const xin = w.roundInput
    ? w.roundInput(c.tiedHead ? 'token_embd.weight' : 'output.weight', xf, C)
    : xf;
  matmulForward(logits, xin, w.output, { T: 1, I: C, O: c.vocabSize });
  const { index, value } = headArgmax(logits);
  return { xLast, rstdLast: rs[0], logits, argmax: index, maxLogit: value };
}

/**
 * The final hidden states after the last norm, rmsnorm(x[t]) for every position t (T, C): what
 * the STS baseline mean-pools (the head reads only the last row).
 */
export function finalNormed(w: LlamaWeights<FloatArray>, x: FloatArray, T: number): FloatArray {
  const c = w.config;
  const y = like(x, T * c.embeddingLength);
  rmsnormForward(y, like(x, T), x, w.outputNorm, T, c.embeddingLength, c.rmsEps);
  return y;
}

/** dx (T, C) = ∂D/∂x at the last layer's output: only the last row is non-zero. */
export function headBackward(w: LlamaWeights<FloatArray>, head: HeadCache, T: number): FloatArray {
  const C = w.config.embeddingLength;
  const dxf = headRow(w.output, head.argmax, C);
  const dLast = like(dxf, C);
  rmsnormBackward(dLast, dxf, head.xLast, w.outputNorm, Float64Array.of(head.rstdLast), 1, C);
  const dx = like(dxf, T * C);
  dx.set(dLast, (T - 1) * C);
  return dx;
}

/**
 * Layer l's backward from dx (T, C) at its output: returns dx at its input and ∂D/∂W of its 7
 * matrices (the reverse of layerForward, op for op).
 */
export function layerBackward(
  w: LlamaWeights<FloatArray>,
  l: number,
  L: LayerCache,
  dx: FloatArray,
  T: number,
): { dx: FloatArray; grads: Record<MatrixName, FloatArray> } {
  const c = w.config;
  const lw = w.layers[l];
  const { C, F, H, Hkv, Dh } = dims(c);
  const grads = {} as Record<MatrixName, FloatArray>;
  const linBack = (m: MatrixName, dY: FloatArray, X: FloatArray): FloatArray => {
    const { O, I } = matrixShape(c, m);
    grads[m] = like(dx, O * I);
    matmulBackwardWeight(grads[m], dY, X, { T, I, O });
    const dX = like(dx, T * I);
    matmulBackwardInput(dX, dY, lw.matrices[m], { T, I, O });
    return dX;
  };
  const dh = linBack('down', dx, L.h);
  const dg = like(dx, T * F);
  const du = like(dx, T * F);
  swigluBackward(dg, du, dh, L.g, L.u);
  const dxn2 = linBack('gate', dg, L.xn2);
  addAccumulate(dxn2, linBack('up', du, L.xn2));
  const dx2 = dx.slice() as FloatArray;
  rmsnormBackward(dx2, dxn2, L.x2, lw.ffnNorm, L.rstd2, T, C);
  const datt = linBack('o', dx2, L.att);
  const dq = like(dx, T * H * Dh);
  const dk = like(dx, T * Hkv * Dh);
  const dv = like(dx, T * Hkv * Dh);
  attentionBackward(dq, dk, dv, datt, L.q, L.k, L.v, L.probs, { T, H, Hkv, Dh });
  ropeBackward(dq, ropeOf(w, T, H));
  ropeBackward(dk, ropeOf(w, T, Hkv));
  const dxn1 = linBack('q', dq, L.xn1);
  addAccumulate(dxn1, linBack('k', dk, L.xn1));
  addAccumulate(dxn1, linBack('v', dv, L.xn1));
  const dx1 = dx2.slice() as FloatArray;
  rmsnormBackward(dx1, dxn1, L.x, lw.attnNorm, L.rstd1, T, C);
  return { dx: dx1, grads };
}

/** The input X (T, I) of each linear of a layer. */
export const layerInputs = (L: LayerCache): Record<MatrixName, FloatArray> => ({
  q: L.xn1,
  k: L.xn1,
  v: L.xn1,
  o: L.att,
  gate: L.xn2,
  up: L.xn2,
  down: L.h,
});

export function llamaForward<A extends FloatArray>(
  w: LlamaWeights<A>,
  tokens: number[],
): ForwardResult {
  if (tokens.length < 1) throw new Error('llamaForward: no tokens');
  const T = tokens.length;
  let x = embed(w, tokens);
  const layers: LayerCache[] = [];
  for (let l = 0; l < w.config.blockCount; l++) {
    layers.push(layerForward(w, l, x, T));
    x = layers[l].out;
  }
  return { tokens, layers, ...headForward(w, x, T) };
}

/** Forward, then backward of D = max last-position logit to every scored matrix. */
export function llamaScores<A extends FloatArray>(
  w: LlamaWeights<A>,
  tokens: number[],
): ScoreResult {
  const fwd = llamaForward(w, tokens);
  const T = tokens.length;
  let dx = headBackward(w, fwd, T);
  const grads: Record<MatrixName, FloatArray>[] = [];
  const inputs: Record<MatrixName, FloatArray>[] = [];
  for (let l = w.config.blockCount - 1; l >= 0; l--) {
    const back = layerBackward(w, l, fwd.layers[l], dx, T);
    dx = back.dx;
    grads[l] = back.grads;
    inputs[l] = layerInputs(fwd.layers[l]);
  }
  for (const g of grads)
    for (const m of MATRICES) if (!g[m]) throw new Error(`no gradient for ${m}`);
  return { ...fwd, grads, inputs };
}
