// All weights of a Llama GGUF decoded to f32 (reference backend; small models only).
import { readTensorF32, type GgufFile } from '../gguf/reader';
import type { FloatArray } from '../util/float-array';
import { biasedMatrices, readBiasF32, readMatrixF32 } from './layout';
import {
  MATRICES,
  ROPE_FREQS,
  checkRopeFactors,
  type LlamaConfig,
  type MatrixName,
} from './config';
import { llamaConfig } from './read-config';

export interface LayerWeights<A> {
  attnNorm: A; // (C)
  ffnNorm: A; // (C)
  matrices: Record<MatrixName, A>; // each (O, I), rows of I contiguous
  /** Qwen2's q, k, v biases (O) */
  bias?: Partial<Record<MatrixName, A>>;
}

export interface LlamaWeights<A = Float32Array> {
  config: LlamaConfig;
  tokenEmbd: A; // (V, C)
  outputNorm: A; // (C)
  output: A; // (V, C); the same array as tokenEmbd when the head is tied
  layers: LayerWeights<A>[];
  /** rope_freqs.weight (when config.ropeFactors) */
  ropeFactors?: Float32Array;
  /**
   * Rounds the input X (rows of I) of the matrix named `tensor` before it is multiplied (returns
   * a new array): only for comparisons with an engine that rounds there (llama.cpp); absent: none
   */
  roundInput?: (tensor: string, X: FloatArray, I: number) => FloatArray;
}

export async function loadLlamaWeights(file: GgufFile): Promise<LlamaWeights> {
  const config = llamaConfig(file);
  const get = (n: string) => readTensorF32(file, n);
  const tokenEmbd = await get('token_embd.weight');
  const layers: LayerWeights<Float32Array>[] = [];
  for (let l = 0; l < config.blockCount; l++) {
    const matrices = {} as Record<MatrixName, Float32Array>;
    for (const m of MATRICES) matrices[m] = await readMatrixF32(file, config, l, m);
    const biased = biasedMatrices(config);
    const bias: Partial<Record<MatrixName, Float32Array>> = {};
    for (const m of biased) bias[m] = await readBiasF32(file, config, l, m);
    layers.push({
      attnNorm: await get(`blk.${l}.attn_norm.weight`),
      ffnNorm: await get(`blk.${l}.ffn_norm.weight`),
      matrices,
      ...(biased.length ? { bias } : {}),
    });
  }
  return {
    config,
    tokenEmbd,
    outputNorm: await get('output_norm.weight'),
    output: config.tiedHead ? tokenEmbd : await get('output.weight'),
    layers,
    ...(config.ropeFactors
      ? { ropeFactors: checkRopeFactors(file.source.name, await get(ROPE_FREQS)) }
      : {}),
  };
}

/** The same weights as f64 arrays (for finite-difference checks). */
export function weightsToF64(w: LlamaWeights<Float32Array>): LlamaWeights<Float64Array> {
  const c = (a: Float32Array) => Float64Array.from(a);
  const tokenEmbd = c(w.tokenEmbd);
  return {
    config: w.config,
    tokenEmbd,
    outputNorm: c(w.outputNorm),
    output: w.config.tiedHead ? tokenEmbd : c(w.output),
    layers: w.layers.map((l) => ({
      attnNorm: c(l.attnNorm),
      ffnNorm: c(l.ffnNorm),
      matrices: Object.fromEntries(MATRICES.map((m) => [m, c(l.matrices[m])])) as Record<
        MatrixName,
        Float64Array
      >,
      ...(l.bias
        ? { bias: Object.fromEntries(Object.entries(l.bias).map(([m, b]) => [m, c(b)])) }
        : {}),
    })),
    ...(w.ropeFactors ? { ropeFactors: w.ropeFactors } : {}),
  };
}
