// A Llama of any shape with random weights, straight onto the GPU (benchmarks at Llama-2-7B
// shape without a multi-GB file): matrices of the chosen type, embedding and head in Q8_0, norm
// weights 1. Block scales are set so each matrix's values spread about 1/√(inputs).
import { GgmlType, BLOCK } from '../gguf/types';
import { randomTensorBytes } from '../gguf/random-blocks';
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import type { GpuContext } from './context';
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

export async function syntheticLlama(
  ctx: GpuContext,
  config: LlamaConfig,
  matrixType: GgmlType,
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
      m[name] = await weight(matrixType, O, I);
    }
    layers.push({ attnNorm: ones(), ffnNorm: ones(), m });
  }
  return {
    config,
    tokenEmbd: await weight(GgmlType.Q8_0, config.vocabSize, C),
    output: await weight(GgmlType.Q8_0, config.vocabSize, C),
    outputNorm: ones(),
    layers,
    bytes,
    destroy: () => buffers.forEach((b) => b.destroy()),
  };
}
