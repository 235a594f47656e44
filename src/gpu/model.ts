// A Llama-family GGUF (llama, qwen2, phi3) on the GPU: every weight uploaded as its raw GGUF bytes
// (quantized weights stay quantized; kernels decode in registers), norm weights and biases as f32.
import { readTensorBytes, readTensorF32, tensorInfo, type GgufFile } from '../gguf/reader';
import {
  MATRICES,
  ROPE_FREQS,
  checkRopeFactors,
  matrixShape,
  type LlamaConfig,
  type MatrixName,
} from '../model/config';
import { llamaConfig } from '../model/read-config';
import {
  biasedMatrices,
  biasTensorName,
  matrixSource,
  readBiasF32,
  readMatrixBytes,
} from '../model/layout';
import { GgufError } from '../gguf/errors';
import { tensorBytes } from '../gguf/types';
import { quoted } from '../util/message';
import { formatBytes } from '../util/format';
import { bindingLimit, type GpuContext } from './runtime/context';
import { uploadWeight, type GpuWeight } from './ops/quant';

export interface GpuLayer {
  attnNorm: GPUBuffer; // (C) f32
  ffnNorm: GPUBuffer; // (C) f32
  m: Record<MatrixName, GpuWeight>; // (O, I) raw bytes, in the engine's row order (layout.ts)
  /** Qwen2's q, k, v biases (O) f32 */
  bias?: Partial<Record<MatrixName, GPUBuffer>>;
}

export interface GpuLlama {
  config: LlamaConfig;
  tokenEmbd: GpuWeight; // (V, C)
  output: GpuWeight; // (V, C), the same as tokenEmbd when tied
  outputNorm: GPUBuffer; // (C) f32
  layers: GpuLayer[];
  /** rope_freqs.weight on the CPU (config.ropeFactors): the RoPE tables are built from it */
  ropeFactors?: Float32Array;
  /** bytes of weights on the GPU */
  bytes: number;
  destroy(): void;
}

/** Bytes of uploads after which uploadLlama waits for the queue. */
export const UPLOAD_FLUSH_BYTES = 256 << 20;

export interface UploadProgress {
  /** bytes of the file's tensors read and uploaded so far, of totalBytes */
  bytes: number;
  totalBytes: number;
  tensors: number;
  totalTensors: number;
}

export interface UploadOptions {
  onProgress?: (p: UploadProgress) => void;
  /** stops between tensors; what was uploaded is freed */
  signal?: AbortSignal;
}

/**
 * writeBuffer stages every upload; without a pause now and then the staging copies of a
 * multi-GB model pile up (seen: 17.9 GiB on the GPU while 6.7 GiB of weights were uploaded).
 * The returned function takes each upload's size and waits for the queue every
 * UPLOAD_FLUSH_BYTES.
 */
export function uploadThrottle(device: GPUDevice): (bytes: number) => Promise<void> {
  let pending = 0;
  return async (n: number) => {
    pending += n;
    if (pending >= UPLOAD_FLUSH_BYTES) {
      pending = 0;
      await device.queue.onSubmittedWorkDone();
    }
  };
}

/** The weight buffers a model takes on the GPU (bytes as stored; matrices split as layout.ts reads them). */
export function weightBuffers(file: GgufFile, c: LlamaConfig): { name: string; bytes: number }[] {
  const out = [{ name: 'token_embd.weight', bytes: tensorInfo(file, 'token_embd.weight').bytes }];
  if (!c.tiedHead)
    out.push({ name: 'output.weight', bytes: tensorInfo(file, 'output.weight').bytes });
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      const { O, I } = matrixShape(c, m);
      const s = matrixSource(c, l, m);
      out.push({ name: s.tensor, bytes: tensorBytes(tensorInfo(file, s.tensor).type, O * I) });
    }
  return out;
}

/**
 * Refuses, by tensor and with the numbers, a model with a weight larger than one GPU buffer can
 * be bound (e.g. Llama-3-8B's Q6_K head, 431 MB, on an adapter that binds 128 MiB): before any
 * upload, instead of a WebGPU error at the first run.
 */
export function checkWeightBuffers(file: GgufFile, c: LlamaConfig, limits: GPUSupportedLimits) {
  const lim = bindingLimit(limits);
  const big = weightBuffers(file, c).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  if (big.bytes > lim)
    throw new GgufError(
      file.source.name,
      `tensor ${quoted(big.name)} takes ${formatBytes(big.bytes)} but this GPU binds at most ${formatBytes(lim)} per buffer (maxStorageBufferBindingSize)`,
      'models whose largest weight fits the adapter',
    );
}

export async function uploadLlama(
  ctx: GpuContext,
  file: GgufFile,
  opts: UploadOptions = {},
): Promise<GpuLlama> {
  const config = llamaConfig(file);
  checkWeightBuffers(file, config, ctx.device.limits);
  const buffers: GPUBuffer[] = [];
  let bytes = 0;
  const totalTensors = file.tensors.size;
  let totalBytes = 0;
  for (const t of file.tensors.values()) totalBytes += t.bytes;
  let read = 0;
  const counted = new Set<string>();
  const report = (name: string, n: number) => {
    read += n;
    counted.add(name);
    opts.onProgress?.({ bytes: read, totalBytes, tensors: counted.size, totalTensors });
  };
  const check = () => {
    if (opts.signal?.aborted) {
      buffers.forEach((b) => b.destroy());
      opts.signal.throwIfAborted();
    }
  };
  const throttle = uploadThrottle(ctx.device);
  const upload = async (name: string, raw: Uint8Array, type: number, elements: number) => {
    const w = uploadWeight(ctx.device, raw, type, elements, name);
    buffers.push(w.buffer);
    bytes += w.buffer.size;
    await throttle(w.buffer.size);
    report(name, raw.byteLength);
    return w;
  };
  const weight = async (name: string): Promise<GpuWeight> => {
    check();
    const info = tensorInfo(file, name);
    return upload(name, await readTensorBytes(file, name), info.type, info.elements);
  };
  const matrix = async (l: number, m: MatrixName): Promise<GpuWeight> => {
    check();
    const { O, I } = matrixShape(config, m);
    const r = await readMatrixBytes(file, config, l, m);
    return upload(r.tensor, r.bytes, r.type, O * I);
  };
  const f32 = async (name: string, data?: Float32Array): Promise<GPUBuffer> => {
    check();
    const b = ctx.upload(data ?? (await readTensorF32(file, name)), name);
    buffers.push(b);
    bytes += b.size;
    report(name, tensorInfo(file, name).bytes);
    return b;
  };
  const tokenEmbd = await weight('token_embd.weight');
  const layers: GpuLayer[] = [];
  for (let l = 0; l < config.blockCount; l++) {
    const m = {} as Record<MatrixName, GpuWeight>;
    for (const name of MATRICES) m[name] = await matrix(l, name);
    const bias: Partial<Record<MatrixName, GPUBuffer>> = {};
    for (const name of biasedMatrices(config))
      bias[name] = await f32(biasTensorName(l, name), await readBiasF32(file, config, l, name));
    layers.push({
      attnNorm: await f32(`blk.${l}.attn_norm.weight`),
      ffnNorm: await f32(`blk.${l}.ffn_norm.weight`),
      m,
      ...(Object.keys(bias).length ? { bias } : {}),
    });
  }
  const outputNorm = await f32('output_norm.weight');
  const output = config.tiedHead ? tokenEmbd : await weight('output.weight');
  const ropeFactors = config.ropeFactors
    ? checkRopeFactors(file.source.name, await readTensorF32(file, ROPE_FREQS))
    : undefined;
  check();
  return {
    config,
    ...(ropeFactors ? { ropeFactors } : {}),
    tokenEmbd,
    output,
    outputNorm,
    layers,
    bytes,
    destroy: () => buffers.forEach((b) => b.destroy()),
  };
}
