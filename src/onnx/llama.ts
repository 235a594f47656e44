// The Llama forward of a loaded model as an ONNX graph, for a fixed number of tokens T: an
// independent implementation of the same maths as src/reference/llama.ts (GGUF weights decoded
// to f32, RoPE on adjacent pairs, GQA, SwiGLU), used to cross-check our engine's logits.
import {
  MATRICES,
  layerTensorName,
  matrixShape,
  ropeFreqs,
  type MatrixName,
} from '../model/config';
import type { LlamaWeights } from '../model/weights';
import { ropeTable } from '../reference/rope';
import { GraphBuilder } from './graph';

/** Up to this many parameters a model is small enough for the cross-check. */
export const ONNX_MAX_PARAMS = 100_000_000;

export function llamaParamCount(w: LlamaWeights): number {
  let n = w.tokenEmbd.length + w.outputNorm.length;
  if (!w.config.tiedHead) n += w.output.length;
  for (const l of w.layers) {
    n += l.attnNorm.length + l.ffnNorm.length;
    for (const m of MATRICES) n += l.matrices[m].length;
  }
  return n;
}

/** ModelProto bytes: input `tokens` int64 (T), output `logits` float (1, V) at position T − 1. */
export function llamaOnnx(w: LlamaWeights, T: number): Uint8Array {
  const c = w.config;
  const params = llamaParamCount(w);
  if (params > ONNX_MAX_PARAMS)
    throw new Error(
      `the ONNX cross-check takes models up to ${ONNX_MAX_PARAMS / 1e6} M parameters; this one has ${(params / 1e6).toFixed(1)} M`,
    );
  if (T < 1 || T > c.contextLength)
    throw new Error(`the ONNX graph needs 1 to ${c.contextLength} tokens, got ${T}`);
  const C = c.embeddingLength;
  const H = c.headCount;
  const Hkv = c.headCountKv;
  const Dh = c.headDim;
  const R = c.ropeDims;
  const V = c.vocabSize;
  const g = new GraphBuilder();
  const tokens = g.input('tokens', 'int64', [T]);
  const embd = g.floats('token_embd.weight', w.tokenEmbd, [V, C]);
  const head = c.tiedHead ? embd : g.floats('output.weight', w.output, [V, C]);

  // RoPE cos / sin as (T, 1, R/2, 1), from the same f64 table as the reference
  const f = ropeFreqs(c, w.ropeFactors);
  const tab = ropeTable(T, f);
  const cosA = new Float32Array(T * (R / 2));
  const sinA = new Float32Array(T * (R / 2));
  for (let i = 0; i < cosA.length; i++) {
    cosA[i] = tab[2 * i];
    sinA[i] = tab[2 * i + 1];
  }
  const cos = g.floats('rope.cos', cosA, [T, 1, R / 2, 1]);
  const sin = g.floats('rope.sin', sinA, [T, 1, R / 2, 1]);
  const eps = g.scalar(c.rmsEps);

  const rmsnorm = (x: string, weight: string) => {
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, eps])])]);
    return g.op('Mul', [g.op('Mul', [x, r]), weight]);
  };
  const slice = (x: string, start: number, end: number, axis: number) =>
    g.op('Slice', [x, g.ints([start]), g.ints([end]), g.ints([axis])]);
  /** x (T, heads·Dh) → rotated (T, heads, Dh) */
  const rope = (x: string, heads: number) => {
    const x3 = g.op('Reshape', [x, g.ints([T, heads, Dh])]);
    const rot = R < Dh ? slice(x3, 0, R, 2) : x3;
    const pairs = g.op('Reshape', [rot, g.ints([T, heads, R / 2, 2])]);
    const a = slice(pairs, 0, 1, 3);
    const b = slice(pairs, 1, 2, 3);
    const ra = g.op('Sub', [g.op('Mul', [a, cos]), g.op('Mul', [b, sin])]);
    const rb = g.op('Add', [g.op('Mul', [a, sin]), g.op('Mul', [b, cos])]);
    const joined = g.op('Reshape', [g.op('Concat', [ra, rb], { axis: 3 }), g.ints([T, heads, R])]);
    return R < Dh ? g.op('Concat', [joined, slice(x3, R, Dh, 2)], { axis: 2 }) : joined;
  };
  // causal mask (T, T): 0 on and below the diagonal, −1e30 above
  const maskA = new Float32Array(T * T);
  for (let t = 0; t < T; t++) for (let u = t + 1; u < T; u++) maskA[t * T + u] = -1e30;
  const mask = g.floats('mask', maskA, [T, T]);
  const kvOf = g.ints(Array.from({ length: H }, (_, h) => Math.floor(h / (H / Hkv))));
  const scale = g.scalar(1 / Math.sqrt(Dh));

  let x = g.op('Gather', [embd, tokens], { axis: 0 });
  w.layers.forEach((lw, l) => {
    const weight = (m: MatrixName) => {
      const { O, I } = matrixShape(c, m);
      return g.floats(layerTensorName(l, m), lw.matrices[m], [O, I]);
    };
    // Gemm's C: the bias (Qwen2's q, k, v), broadcast over rows
    const bias = (m: MatrixName) => {
      const b = lw.bias?.[m];
      return b ? [g.floats(`blk.${l}.${m}.bias`, b, [b.length])] : [];
    };
    const lin = (X: string, m: MatrixName) =>
      g.op('Gemm', [X, weight(m), ...bias(m)], { transB: 1 });
    const xn1 = rmsnorm(x, g.floats(`blk.${l}.attn_norm.weight`, lw.attnNorm, [C]));
    const q = rope(lin(xn1, 'q'), H);
    const k = rope(lin(xn1, 'k'), Hkv);
    const v = g.op('Reshape', [lin(xn1, 'v'), g.ints([T, Hkv, Dh])]);
    const qh = g.op('Transpose', [q], { perm: [1, 0, 2] }); // (H, T, Dh)
    const kh = g.op('Transpose', [g.op('Gather', [k, kvOf], { axis: 1 })], { perm: [1, 2, 0] });
    const vh = g.op('Transpose', [g.op('Gather', [v, kvOf], { axis: 1 })], { perm: [1, 0, 2] });
    const s = g.op('Add', [g.op('Mul', [g.op('MatMul', [qh, kh]), scale]), mask]);
    const p = g.op('Softmax', [s], { axis: -1 });
    const o = g.op('Transpose', [g.op('MatMul', [p, vh])], { perm: [1, 0, 2] });
    const att = g.op('Reshape', [o, g.ints([T, H * Dh])]);
    const x2 = g.op('Add', [x, lin(att, 'o')]);
    const xn2 = rmsnorm(x2, g.floats(`blk.${l}.ffn_norm.weight`, lw.ffnNorm, [C]));
    const gate = lin(xn2, 'gate');
    const h = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), lin(xn2, 'up')]);
    x = g.op('Add', [x2, lin(h, 'down')]);
  });
  const last = slice(x, T - 1, T, 0);
  const xf = rmsnorm(last, g.floats('output_norm.weight', w.outputNorm, [C]));
  g.op('Gemm', [xf, head], { transB: 1 }, 'logits');
  g.output('logits', [1, V]);
  return g.toModel('llama');
}
