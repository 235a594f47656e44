// The GPU Llama: the functions of src/reference/llama.ts, in the same order and under the same
// names, recorded into a command encoder over the WGSL ops of src/gpu/ops. Activations live in a
// per-layer scratch (one layer's forward and backward; reused across layers and samples).
import { dims, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import type { LinearDims } from '../model/shapes';
import type { Bound, GpuContext } from './runtime/context';
import type { GpuLlama } from './model';
import { embeddingForward } from './ops/embedding';
import { linearBackwardInput, linearForward } from './ops/linear';
import { rmsnormBackward, rmsnormForward } from './ops/rmsnorm';
import { ropeBackward, ropeForward } from './ops/rope';
import {
  attentionBackward,
  attentionForward,
  attentionTakesSeqs,
  MAX_SEQS,
  type AttentionSeqs,
} from './ops/attention';
import { swigluBackward, swigluForward } from './ops/swiglu';
import { addAccumulate, addBias, addForward } from './ops/add';
import { colnormForward } from './ops/colnorm';
import { headArgmax, headBackward as headRow } from './ops/head';
import type { RopeDims } from '../reference/rope';
import type { AttentionDims } from '../reference/attention';

const F32 = 4;

/** f32 lengths of one layer's activations and gradients at T tokens (the names of LayerCache). */
export function layerScratchFloats(c: LlamaConfig, T: number) {
  const { C, F } = dims(c);
  const HD = c.headCount * c.headDim;
  const KV = c.headCountKv * c.headDim;
  const H = c.headCount;
  return {
    // forward: what the backward reads (KEPT_ACTIVATIONS), then the rest
    xn1: T * C,
    rstd1: T,
    q: T * HD,
    k: T * KV,
    v: T * KV,
    att: T * HD,
    lse: H * T,
    x2: T * C,
    xn2: T * C,
    rstd2: T,
    gate: T * F,
    up: T * F,
    h: T * F,
    o: T * C,
    down: T * C,
    xL: T * C,
    // backward
    dh: T * F,
    dg: T * F,
    du: T * F,
    dxn2: T * C,
    tmp: T * C,
    dx2: T * C,
    datt: T * HD,
    dq: T * HD,
    dk: T * KV,
    dv: T * KV,
    delta: H * T,
    dxn1: T * C,
    // Wanda's column norms of the linears' inputs
    nC1: C,
    nAtt: HD,
    nC2: C,
    nF: F,
  };
}
export type LayerScratch = Record<keyof ReturnType<typeof layerScratchFloats>, GPUBuffer>;

/** The forward activations a layer's backward reads (kept per layer by keepActivations). */
export const KEPT_ACTIVATIONS = [
  'xn1',
  'rstd1',
  'q',
  'k',
  'v',
  'att',
  'lse',
  'x2',
  'xn2',
  'rstd2',
  'gate',
  'up',
  'h',
] as const;

/** f32 lengths of the head's buffers. */
export function headScratchFloats(c: LlamaConfig) {
  const C = c.embeddingLength;
  return { xlast: C, xf: C, rstdf: 1, logits: c.vocabSize, dxf: C, dlast: C };
}
export type HeadScratch = Record<keyof ReturnType<typeof headScratchFloats>, GPUBuffer>;

/**
 * The rows a layer runs over: one sample's T tokens, or a batch — samples stacked `start` rows
 * apart, each `T` rows long (the rows between are padding that only row-wise ops touch; RoPE
 * rotates each sample's rows from position 0, attention keeps to each sample's). Starts are
 * aligned for binding (ops/batch.ts).
 */
export type Rows = number | { rows: number; seqs: { start: number; T: number }[] };
export const rowCount = (t: Rows): number => (typeof t === 'number' ? t : t.rows);

/**
 * Calls f for each sample in `t` with its T and a function giving its slice of a (rows, width)
 * buffer (the whole buffer for a lone sample).
 */
export function perSequence(
  t: Rows,
  f: (T: number, slice: (b: GPUBuffer, width: number) => Bound) => void,
): void {
  if (typeof t === 'number') return f(t, (b) => b);
  for (const { start, T } of t.seqs) f(T, (buffer, width) => rowSlice(buffer, start, T, width));
}

/**
 * The row stride of a batch stacked evenly from row 0 (batch-plan.ts's layout, the last sample's
 * rows padded to it too); null for a lone sample or another layout.
 */
function evenStride(rows: Rows): number | null {
  if (typeof rows === 'number') return null;
  const stride = rows.seqs.length > 1 ? rows.seqs[1].start : rows.rows;
  const even = rows.seqs.every((q, z) => q.start === z * stride && q.T <= stride);
  return even && rows.rows === rows.seqs.length * stride ? stride : null;
}

/**
 * A batch's sequences as one attention dispatch takes them (attentionTakesSeqs: the block
 * kernels), when they are stacked evenly from row 0 (evenStride); else null (each sequence its
 * own dispatch).
 */
function stackedSeqs(ctx: GpuContext, rows: Rows, d: AttentionDims): AttentionSeqs | null {
  if (typeof rows === 'number' || rows.seqs.length > MAX_SEQS) return null;
  if (!attentionTakesSeqs(ctx, d) || ctx.options.stackAttention === false) return null;
  const stride = evenStride(rows);
  if (stride === null) return null;
  return { T: rows.seqs.map((q) => q.T), stride: rows.seqs.length > 1 ? stride : 0 };
}

/**
 * RoPE on q and k (forward, or backward on their gradients) over `rows`: an evenly stacked batch
 * in one dispatch each (every sample from position 0, its padding rows rotated too — only row-wise
 * ops read them), else per sample. `rope` holds ≥ the stride's positions (allocateRun).
 */
function ropeRows(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  c: LlamaConfig,
  rows: Rows,
  rope: GPUBuffer,
  q: GPUBuffer,
  k: GPUBuffer,
  dir: 'forward' | 'backward',
): void {
  const { H, Hkv, Dh } = dims(c);
  const f = dir === 'forward' ? ropeForward : ropeBackward;
  const stride = evenStride(rows);
  if (stride !== null) {
    const T = rowCount(rows);
    f(ctx, enc, q, rope, { ...ropeOf(c, T, H), stride });
    f(ctx, enc, k, rope, { ...ropeOf(c, T, Hkv), stride });
    return;
  }
  perSequence(rows, (Ts, at) => {
    f(ctx, enc, at(q, H * Dh), rope, ropeOf(c, Ts, H));
    f(ctx, enc, at(k, Hkv * Dh), rope, ropeOf(c, Ts, Hkv));
  });
}

/** Rows start … start + T − 1 of a stacked (rows, width) buffer, as a binding. */
export const rowSlice = (buffer: GPUBuffer, start: number, T: number, width: number): Bound => ({
  buffer,
  offset: start * width * F32,
  size: T * width * F32,
});

const ropeOf = (c: LlamaConfig, T: number, heads: number): RopeDims => ({
  T,
  heads,
  headDim: c.headDim,
  ropeDims: c.ropeDims,
  base: c.ropeFreqBase,
});

export const linearDims = (c: LlamaConfig, m: MatrixName, T: number): LinearDims => ({
  T,
  ...matrixShape(c, m),
});

/** x (T, C) = E[tokens]. */
export function embed(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  x: GPUBuffer,
  tokens: GPUBuffer,
  T: number,
): void {
  embeddingForward(ctx, enc, x, tokens, model.tokenEmbd, T, model.config.embeddingLength);
}

/**
 * The whole stack from token ids: x[0] = E[tokens], then layer l reads x[l % 2] and writes
 * x[(l + 1) % 2]; returns the buffer holding the last layer's output (T, C). T: one sequence's
 * length, or a batch's samples stacked (Rows: each causal within its own rows).
 */
export function forwardLayers(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  S: LayerScratch,
  x: [GPUBuffer, GPUBuffer],
  tokens: GPUBuffer,
  T: Rows,
  rope: GPUBuffer,
): GPUBuffer {
  const L = model.config.blockCount;
  embed(ctx, enc, model, x[0], tokens, rowCount(T));
  for (let l = 0; l < L; l++)
    layerForward(ctx, enc, model, l, S, x[l % 2], T, rope, x[(l + 1) % 2]);
  return x[L % 2];
}

/**
 * Layer l from x (T, C) into S; with `out`, its output x3 = x2 + down(h) there (the layer walk's
 * recompute stops at h: down's output is not needed for the backward).
 */
export function layerForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  l: number,
  S: LayerScratch,
  x: GPUBuffer,
  rows: Rows,
  rope: GPUBuffer,
  out?: GPUBuffer,
): void {
  const c = model.config;
  const lw = model.layers[l];
  const { C, H, Hkv, Dh } = dims(c);
  const T = rowCount(rows);
  const linear = (Y: GPUBuffer, X: GPUBuffer, m: MatrixName) => {
    linearForward(ctx, enc, Y, X, lw.m[m], linearDims(c, m, T));
    const bias = lw.bias?.[m];
    if (bias) addBias(ctx, enc, Y, bias, T, matrixShape(c, m).O);
  };
  rmsnormForward(ctx, enc, S.xn1, S.rstd1, x, lw.attnNorm, T, C, c.rmsEps);
  linear(S.q, S.xn1, 'q');
  linear(S.k, S.xn1, 'k');
  linear(S.v, S.xn1, 'v');
  ropeRows(ctx, enc, c, rows, rope, S.q, S.k, 'forward');
  const seqs = stackedSeqs(ctx, rows, { T, H, Hkv, Dh });
  if (seqs) {
    const d = { T: Math.max(...seqs.T), H, Hkv, Dh };
    attentionForward(ctx, enc, S.att, S.lse, S.q, S.k, S.v, d, seqs);
  } else
    perSequence(rows, (Ts, at) => {
      const [q, k, v] = [at(S.q, H * Dh), at(S.k, Hkv * Dh), at(S.v, Hkv * Dh)];
      attentionForward(ctx, enc, at(S.att, H * Dh), at(S.lse, H), q, k, v, { T: Ts, H, Hkv, Dh });
    });
  linear(S.o, S.att, 'o');
  addForward(ctx, enc, S.x2, x, S.o, T * C);
  rmsnormForward(ctx, enc, S.xn2, S.rstd2, S.x2, lw.ffnNorm, T, C, c.rmsEps);
  linear(S.gate, S.xn2, 'gate');
  linear(S.up, S.xn2, 'up');
  swigluForward(ctx, enc, S.h, S.gate, S.up, T * c.feedForwardLength);
  if (!out) return;
  linear(S.down, S.h, 'down');
  addForward(ctx, enc, out, S.x2, S.down, T * C);
}

/** logits (V) = output · rmsnorm(x[T − 1]); best = [argmax, bits of the max logit]. */
export function headForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  S: HeadScratch,
  x: GPUBuffer,
  T: number,
  best: GPUBuffer,
): void {
  const c = model.config;
  const C = c.embeddingLength;
  ctx.copyBuffer(enc, x, (T - 1) * C * F32, S.xlast, 0, C * F32);
  rmsnormForward(ctx, enc, S.xf, S.rstdf, S.xlast, model.outputNorm, 1, C, c.rmsEps);
  linearForward(ctx, enc, S.logits, S.xf, model.output, { T: 1, I: C, O: c.vocabSize });
  headArgmax(ctx, enc, best, S.logits, model.output, c.vocabSize, C);
}

/**
 * dx (T, C) = ∂D/∂x at the last layer's output: only the last row is non-zero (with `clear`
 * false, only that row is written: a batch's other samples keep theirs).
 */
export function headBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  S: HeadScratch,
  best: GPUBuffer,
  T: number,
  dx: GPUBuffer,
  clear = true,
): void {
  const c = model.config;
  const C = c.embeddingLength;
  headRow(ctx, enc, S.dxf, best, model.output, c.vocabSize, C);
  ctx.clearBuffer(enc, S.dlast);
  rmsnormBackward(ctx, enc, S.dlast, S.dxf, S.xlast, model.outputNorm, S.rstdf, 1, C);
  if (clear) ctx.clearBuffer(enc, dx);
  ctx.copyBuffer(enc, S.dlast, 0, dx, (T - 1) * C * F32, C * F32);
}

/**
 * Layer l's backward from dx (T, C) at its output into dxOut at its input, reading the forward
 * in S (the reverse of layerForward, op for op). ∂D/∂W is not formed here: the score kernels take
 * each matrix's dY and X (operands).
 */
export function layerBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  model: GpuLlama,
  l: number,
  S: LayerScratch,
  x: GPUBuffer,
  rows: Rows,
  rope: GPUBuffer,
  dx: GPUBuffer,
  dxOut: GPUBuffer,
): void {
  const c = model.config;
  const lw = model.layers[l];
  const { C, F, H, Hkv, Dh } = dims(c);
  const T = rowCount(rows);
  const linBack = (dX: GPUBuffer, dY: GPUBuffer, m: MatrixName) =>
    linearBackwardInput(ctx, enc, dX, dY, lw.m[m], linearDims(c, m, T));
  linBack(S.dh, dx, 'down');
  swigluBackward(ctx, enc, S.dg, S.du, S.dh, S.gate, S.up, T * F);
  linBack(S.dxn2, S.dg, 'gate');
  linBack(S.tmp, S.du, 'up');
  addAccumulate(ctx, enc, S.dxn2, S.tmp, T * C);
  ctx.copyBuffer(enc, dx, 0, S.dx2, 0, T * C * F32);
  rmsnormBackward(ctx, enc, S.dx2, S.dxn2, S.x2, lw.ffnNorm, S.rstd2, T, C);
  linBack(S.datt, S.dx2, 'o');
  const [HD, KV] = [H * Dh, Hkv * Dh];
  const seqs = stackedSeqs(ctx, rows, { T, H, Hkv, Dh });
  if (seqs) {
    const d = { T: Math.max(...seqs.T), H, Hkv, Dh };
    const fwd = [S.q, S.k, S.v, S.att, S.lse] as const;
    attentionBackward(ctx, enc, S.dq, S.dk, S.dv, S.delta, S.datt, ...fwd, d, seqs);
  }
  if (!seqs)
    perSequence(rows, (Ts, at) => {
      const fwd = [at(S.q, HD), at(S.k, KV), at(S.v, KV), at(S.att, HD), at(S.lse, H)] as const;
      const d = { T: Ts, H, Hkv, Dh };
      const [dq, dk, dv] = [at(S.dq, HD), at(S.dk, KV), at(S.dv, KV)];
      attentionBackward(ctx, enc, dq, dk, dv, at(S.delta, H), at(S.datt, HD), ...fwd, d);
    });
  ropeRows(ctx, enc, c, rows, rope, S.dq, S.dk, 'backward');
  linBack(S.dxn1, S.dq, 'q');
  linBack(S.tmp, S.dk, 'k');
  addAccumulate(ctx, enc, S.dxn1, S.tmp, T * C);
  linBack(S.tmp, S.dv, 'v');
  addAccumulate(ctx, enc, S.dxn1, S.tmp, T * C);
  ctx.copyBuffer(enc, S.dx2, 0, dxOut, 0, T * C * F32);
  rmsnormBackward(ctx, enc, dxOut, S.dxn1, x, lw.attnNorm, S.rstd1, T, C);
}

/** Wanda's ‖X_k‖₂ of each linear's input, from the layer's forward activations in S. */
export function layerColnorms(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  c: LlamaConfig,
  S: LayerScratch,
  T: number,
): void {
  const { C, F, Dh } = dims(c);
  colnormForward(ctx, enc, S.nC1, S.xn1, T, C);
  colnormForward(ctx, enc, S.nAtt, S.att, T, c.headCount * Dh);
  colnormForward(ctx, enc, S.nC2, S.xn2, T, C);
  colnormForward(ctx, enc, S.nF, S.h, T, F);
}

/** Each matrix's output gradient dY, input X and ‖X‖ columns after layerBackward from dx. */
export function layerOperands(
  S: LayerScratch,
  dx: GPUBuffer,
): Record<MatrixName, { dY: GPUBuffer; X: GPUBuffer; xnorm: GPUBuffer }> {
  return {
    q: { dY: S.dq, X: S.xn1, xnorm: S.nC1 },
    k: { dY: S.dk, X: S.xn1, xnorm: S.nC1 },
    v: { dY: S.dv, X: S.xn1, xnorm: S.nC1 },
    o: { dY: S.dx2, X: S.att, xnorm: S.nAtt },
    gate: { dY: S.dg, X: S.xn2, xnorm: S.nC2 },
    up: { dY: S.du, X: S.xn2, xnorm: S.nC2 },
    down: { dY: dx, X: S.h, xnorm: S.nF },
  };
}
