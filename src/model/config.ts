// A Llama's configuration (read from GGUF metadata by src/model/read-config.ts) and the names
// and shapes of its matrices.
import { quoted } from '../util/message';
import { GgufError } from '../gguf/errors';
import { GgmlType } from '../gguf/types';
import type { GgufFile } from '../gguf/reader';

export type Architecture = 'llama' | 'qwen2' | 'phi3';

/** YaRN (rope.scaling.type yarn): each pair's angle mixes the scaled and unscaled one. */
export interface RopeYarn {
  /** ggml_rope_yarn_corr_dims: pairs below `low` keep their unscaled angle, above `high` the scaled */
  low: number;
  high: number;
  /** the mix's weight (llama.cpp's yarn_ext_factor: 1 for yarn) */
  extFactor: number;
}

export interface LlamaConfig {
  name: string;
  /** general.architecture when not llama (absent: llama, as in older results documents) */
  architecture?: Exclude<Architecture, 'llama'>;
  /** C: model width */
  embeddingLength: number;
  /** L: decoder layers */
  blockCount: number;
  /** F: feed-forward width */
  feedForwardLength: number;
  /** H */
  headCount: number;
  /** Hkv (GQA when < H) */
  headCountKv: number;
  /** Dh = C / H */
  headDim: number;
  /** rotated dimensions per head (≤ Dh, even) */
  ropeDims: number;
  ropeFreqBase: number;
  /** 1 / the linear RoPE scaling factor (rope.scaling.type linear); absent: 1 */
  ropeFreqScale?: number;
  /** the file has rope_freqs.weight: per-pair frequency factors (Llama 3.1's scaling) */
  ropeFactors?: boolean;
  /** YaRN (rope.scaling.type yarn): the correction range, as llama.cpp computes it */
  ropeYarn?: RopeYarn;
  /** cos, sin × this: YaRN's 1 + 0.1 ln(factor) and rope.scaling.attn_factor (absent: 1) */
  ropeMscale?: number;
  rmsEps: number;
  contextLength: number;
  /** V */
  vocabSize: number;
  /** true when output.weight is absent and the head reuses token_embd.weight */
  tiedHead: boolean;
}

/** The tensor of per-pair RoPE frequency factors (Llama 3.1 and later GGUFs). */
export const ROPE_FREQS = 'rope_freqs.weight';

/** Refuses frequency factors that are not finite and > 0 (they divide every angle). */
export function checkRopeFactors(file: string, f: Float32Array): Float32Array {
  const bad = f.findIndex((x) => !(x > 0 && Number.isFinite(x)));
  if (bad >= 0)
    throw new GgufError(
      file,
      `tensor "${ROPE_FREQS}" has ${f[bad]} at ${bad}`,
      'finite factors > 0',
    );
  return f;
}

/** RoPE's frequencies for a model: base, linear scale and (with rope_freqs.weight) factors. */
export function ropeFreqs(c: LlamaConfig, factors?: ArrayLike<number>) {
  if (c.ropeFactors && !factors)
    throw new Error(`${c.name}: ${ROPE_FREQS} is in the file but its factors were not loaded`);
  return {
    ropeDims: c.ropeDims,
    base: c.ropeFreqBase,
    scale: c.ropeFreqScale ?? 1,
    factors: c.ropeFactors ? factors : undefined,
    ...(c.ropeYarn ? { yarn: c.ropeYarn } : {}),
    ...(c.ropeMscale !== undefined ? { mscale: c.ropeMscale } : {}),
  };
}

/** The config's sizes under the short names the formulas use (docs/METHOD.md, the ops' comments). */
export function dims(c: LlamaConfig) {
  return {
    C: c.embeddingLength,
    L: c.blockCount,
    F: c.feedForwardLength,
    H: c.headCount,
    Hkv: c.headCountKv,
    Dh: c.headDim,
    V: c.vocabSize,
  };
}

export const SUPPORTED_ARCHITECTURES: Architecture[] = ['llama', 'qwen2', 'phi3'];

/** The 7 scored matrices of a layer, in the order used everywhere (docs/METHOD.md §1). */
export const MATRICES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type MatrixName = (typeof MATRICES)[number];

export const MATRIX_TENSOR: Record<MatrixName, string> = {
  q: 'attn_q',
  k: 'attn_k',
  v: 'attn_v',
  o: 'attn_output',
  gate: 'ffn_gate',
  up: 'ffn_up',
  down: 'ffn_down',
};

/** (O, I) of each matrix: W is stored with rows of I contiguous values, O rows. */
export function matrixShape(c: LlamaConfig, m: MatrixName): { O: number; I: number } {
  const C = c.embeddingLength;
  const kv = c.headCountKv * c.headDim;
  switch (m) {
    case 'q':
      return { O: c.headCount * c.headDim, I: C };
    case 'k':
    case 'v':
      return { O: kv, I: C };
    case 'o':
      return { O: C, I: c.headCount * c.headDim };
    case 'gate':
    case 'up':
      return { O: c.feedForwardLength, I: C };
    case 'down':
      return { O: C, I: c.feedForwardLength };
  }
}

/** Parameters in the 7 scored matrices of one layer. */
export function layerParameterCount(c: LlamaConfig): number {
  return MATRICES.reduce((s, m) => {
    const { O, I } = matrixShape(c, m);
    return s + O * I;
  }, 0);
}

export function layerTensorName(layer: number, m: MatrixName): string {
  return `blk.${layer}.${MATRIX_TENSOR[m]}.weight`;
}

/** ggml_rope_yarn_corr_dims with llama.cpp's β_fast 32 and β_slow 1. */
export function yarnCorrDims(nDims: number, nCtxOrig: number, base: number) {
  const dim = (nRot: number) =>
    (nDims * Math.log(nCtxOrig / (nRot * 2 * Math.PI))) / (2 * Math.log(base));
  return { low: Math.max(0, Math.floor(dim(32))), high: Math.min(nDims - 1, Math.ceil(dim(1))) };
}
