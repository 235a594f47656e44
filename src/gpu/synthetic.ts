// A Llama of any shape with random weights, straight onto the GPU (benchmarks at Llama-2-7B or
// Llama-3-8B shape without a multi-GB file): each tensor of the type its TypeMix says (one type for
// every matrix with embedding and head in Q8_0, or llama.cpp's Q4_K_M), norm weights 1. Block
// scales are set so each matrix's values spread about 1/√(inputs).
import { GgmlType, BLOCK } from '../gguf/types';
import { randomTensorBytes } from '../gguf/random-blocks';
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import type { GpuContext } from './runtime/context';
import { uploadThrottle, type GpuLlama, type GpuLayer } from './model';
import { uploadWeight, type GpuWeight } from './ops/quant';

/** Rough std of the decoded values per unit of block scale, by type (uniform random bits). */
const SPREAD: Partial<Record<GgmlType, number>> = {
  [GgmlType.Q4_0]: 4.6,
  [GgmlType.Q8_0]: 74,
  [GgmlType.Q4_K]: 150,
  [GgmlType.Q6_K]: 1300,
};

export const LLAMA2_7B: LlamaConfig = {
  name: 'synthetic Llama-2-7B shape',
  embeddingLength: 4096,
  blockCount: 32,
  feedForwardLength: 11008,
  headCount: 32,
  headCountKv: 32,
  headDim: 128,
  ropeDims: 128,
  ropeFreqBase: 10000,
  rmsEps: 1e-5,
  contextLength: 4096,
  vocabSize: 32000,
  tiedHead: false,
};

/** Meta-Llama-3-8B's shape (GQA with 8 KV heads, the 128256-token vocabulary). */
export const LLAMA3_8B: LlamaConfig = {
  ...LLAMA2_7B,
  name: 'synthetic Llama-3-8B shape',
  feedForwardLength: 14336,
  headCountKv: 8,
  ropeFreqBase: 500000,
  contextLength: 8192,
  vocabSize: 128256,
};

/** The type of each tensor of a synthetic model. */
export interface TypeMix {
  name: string;
  /** the type most matrices have (what per-op rates are measured on) */
  main: GgmlType;
  matrix: (l: number, m: MatrixName, L: number) => GgmlType;
  embedding: GgmlType;
  output: GgmlType;
}

/** Every matrix of type t; embedding and head Q8_0. */
export const oneType = (t: GgmlType): TypeMix => ({
  name: GgmlType[t],
  main: t,
  matrix: () => t,
  embedding: GgmlType.Q8_0,
  output: GgmlType.Q8_0,
});

/** llama.cpp's use_more_bits (llama-quant.cpp): the layers a K-quant mix gives more bits. */
const moreBits = (l: number, L: number) =>
  l < Math.floor(L / 8) || l >= Math.floor((7 * L) / 8) || (l - Math.floor(L / 8)) % 3 === 2;

/** The mixes by name (--types): llama.cpp's choices for its file types, as its quantizer makes them. */
export const MIXES: Record<string, TypeMix> = {
  // LLAMA_FTYPE_MOSTLY_Q4_K_M: Q4_K, with Q6_K for attn_v and ffn_down where use_more_bits, and the head
  q4_k_m: {
    name: 'Q4_K_M',
    main: GgmlType.Q4_K,
    matrix: (l, m, L) =>
      (m === 'v' || m === 'down') && moreBits(l, L) ? GgmlType.Q6_K : GgmlType.Q4_K,
    embedding: GgmlType.Q4_K,
    output: GgmlType.Q6_K,
  },
};

export async function syntheticLlama(
  ctx: GpuContext,
  config: LlamaConfig,
  mix: TypeMix,
  seed = 1,
): Promise<GpuLlama> {
  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  let n = seed;
  const throttle = uploadThrottle(ctx.device);
  const weight = async (t: GgmlType, O: number, I: number): Promise<GpuWeight> => {
    if (!BLOCK[t] || I % BLOCK[t]!.elements !== 0)
      throw new Error(`synthetic: ${I} inputs do not fit ${GgmlType[t]} blocks`);
    const scale = 1 / ((SPREAD[t] ?? 1) * Math.sqrt(I));
    const w = uploadWeight(
      ctx.device,
      randomTensorBytes(t, O * I, n++, t === GgmlType.F32 ? scale / 10 : scale),
      t,
      O * I,
    );
    buffers.push(w.buffer);
    bytes += w.buffer.size;
    await throttle(w.buffer.size);
    return w;
  };
  const ones = (): GPUBuffer => {
    const b = ctx.upload(new Float32Array(config.embeddingLength).fill(1));
    buffers.push(b);
    bytes += b.size;
    return b;
  };
  const C = config.embeddingLength;
  const layers: GpuLayer[] = [];
  for (let l = 0; l < config.blockCount; l++) {
    const m = {} as Record<MatrixName, GpuWeight>;
    for (const name of MATRICES) {
      const { O, I } = matrixShape(config, name);
      m[name] = await weight(mix.matrix(l, name, config.blockCount), O, I);
    }
    layers.push({ attnNorm: ones(), ffnNorm: ones(), m });
  }
  return {
    config,
    tokenEmbd: await weight(mix.embedding, config.vocabSize, C),
    output: await weight(mix.output, config.vocabSize, C),
    outputNorm: ones(),
    layers,
    bytes,
    destroy: () => buffers.forEach((b) => b.destroy()),
  };
}
