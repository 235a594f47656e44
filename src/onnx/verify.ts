// The engine cross-check: last-position logits of our forward against onnxruntime-web running an
// ONNX graph built independently from the same GGUF weights. Small models only.
import type { LlamaWeights } from '../model/weights';
import { llamaOnnx } from './llama';
import { runLogits } from './run';

/** Max |Δ logit| allowed between our engine and ORT in f32. */
export const ORT_LOGIT_TOL = 1e-3;

export interface LogitComparison {
  /** max over the vocabulary of |ours − ORT| */
  maxAbsDiff: number;
  /** the token id where it occurs, with both values */
  token: number;
  ours: number;
  ort: number;
  argmaxOurs: number;
  argmaxOrt: number;
  vocab: number;
}

export function compareLogits(ours: Float32Array, ort: Float32Array): LogitComparison {
  if (ours.length !== ort.length)
    throw new Error(`logit lengths differ: ours ${ours.length}, ORT ${ort.length}`);
  let token = 0;
  let maxAbsDiff = -1;
  let am = 0;
  let bm = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - ort[i]);
    if (!(d <= maxAbsDiff)) {
      maxAbsDiff = d; // NaN is taken too, so it cannot hide
      token = i;
    }
    if (ours[i] > ours[am]) am = i;
    if (ort[i] > ort[bm]) bm = i;
  }
  return {
    maxAbsDiff,
    token,
    ours: ours[token],
    ort: ort[token],
    argmaxOurs: am,
    argmaxOrt: bm,
    vocab: ours.length,
  };
}

export interface Verification extends LogitComparison {
  tokens: number;
  ortMs: number;
  oursMs: number;
  ok: boolean;
}

/** Runs `ours` (our engine's forward) and ORT on the same tokens and compares the logits. */
export async function verifyEngine(
  weights: LlamaWeights,
  tokens: number[],
  ours: (tokens: number[]) => Promise<Float32Array>,
): Promise<Verification> {
  let t0 = performance.now();
  const mine = await ours(tokens);
  const oursMs = performance.now() - t0;
  t0 = performance.now();
  const theirs = await runLogits(llamaOnnx(weights, tokens.length), tokens);
  const ortMs = performance.now() - t0;
  const c = compareLogits(mine, theirs);
  return { ...c, tokens: tokens.length, oursMs, ortMs, ok: c.maxAbsDiff <= ORT_LOGIT_TOL };
}
