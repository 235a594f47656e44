// The pruning walk on the GPU (src/prune/prune.ts is its reference twin, step for step): per layer,
// each matrix's mask from shaders/prune_mask.wgsl and its weights zeroed in place by
// shaders/prune_zero.wgsl — nothing read back; the GpuLlama is pruned in place (the masks are
// transient: O·I/8 bytes per matrix), and restoreDense puts the file's bytes back. Wanda keeps
// one layer's calibration hidden states on the GPU (Σ T_s × C floats), never all layers'; the
// score method takes each set sum of the score pass (runGpu's onSetSums) as the metric, layer by
// layer, as the walk leaves it.
import type { GgufFile } from '../gguf/reader';
import { readMatrixBytes } from '../model/layout';
import { MATRICES, layerTensorName, matrixShape, type MatrixName } from '../model/config';
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { withGpuErrors } from '../gpu/runtime/errors';
import { maskWords, pruneMask } from '../gpu/ops/prune_mask';
import { pruneZero } from '../gpu/ops/prune_zero';
import { uploadWeight, writeWeightBytes } from '../gpu/ops/quant';
import { dequantForward } from '../gpu/ops/dequant';
import { tensorBytes, typeName } from '../gguf/types';
import { REENCODED, type PrunedTensor } from './zero';
import { ZEROABLE } from '../gguf/types';
import { f16Round } from '../gpu/ops/f16_round';
import { runGpu } from '../engine/run-gpu';
import { checkPruneRequest, matrixSeed, type PruneRequest } from './prune';
import { MODE_OF, prunedPerRow, pruneKind } from './select';
import type { LayerNorms } from './owl';
import { WandaInputs } from './calibration';

const F32 = 4;

export interface GpuPruneOptions {
  signal?: AbortSignal;
  /** layers pruned so far, of L */
  onLayer?: (done: number, of: number) => void;
}

/**
 * Puts the file's own bytes back into the model's 7 matrices of every layer (undoes a pruning; a
 * matrix re-encoded as F16 gets its file-typed buffer back).
 */
export async function restoreDense(
  ctx: GpuContext,
  model: GpuLlama,
  file: GgufFile,
): Promise<void> {
  for (let l = 0; l < model.config.blockCount; l++) {
    for (const m of MATRICES) {
      const name = layerTensorName(l, m);
      const { bytes, type } = await readMatrixBytes(file, model.config, l, m);
      const W = model.layers[l].m[m];
      if (W.type === type) writeWeightBytes(ctx.device, W.buffer, bytes);
      else {
        model.layers[l].m[m] = uploadWeight(ctx.device, bytes, type, W.elements, name);
        W.buffer.destroy();
      }
    }
    await ctx.device.queue.onSubmittedWorkDone();
    ctx.forgetBindGroups();
  }
}

/**
 * Layer l's matrix m re-encoded as F16 in place of its buffer (a type without an exact 0, before
 * pruning): decoded by dequant.wgsl (the reference's decode bit for bit) and rounded to half by
 * f16_round.wgsl (round to nearest even in integers: src/prune/zero.ts's bytes), nothing read
 * back but the count of weights beyond F16's range, which refuses the matrix by name.
 */
async function reencodeOnGpu(
  ctx: GpuContext,
  model: GpuLlama,
  l: number,
  m: MatrixName,
): Promise<void> {
  const W = model.layers[l].m[m];
  const name = layerTensorName(l, m);
  const f32 = ctx.storage(W.elements * F32, `decode ${name}`);
  const beyond = ctx.storage(F32, `beyond ${name}`);
  const buffer = ctx.device.createBuffer({
    label: name,
    size: Math.max(4, Math.ceil(W.elements / 2) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  try {
    const enc = ctx.device.createCommandEncoder({ label: `re-encode ${name}` });
    dequantForward(ctx, enc, f32, W);
    f16Round(ctx, enc, buffer, f32, beyond, W.elements);
    const [b] = await ctx.submitAndRead(enc, [{ buffer: beyond, count: 1 }]);
    const over = new Uint32Array(b.buffer, b.byteOffset, 1)[0];
    if (over > 0)
      throw new Error(
        `tensor "${name}" (${typeName(W.type)}) holds ${over} weight(s) beyond F16's range, so its pruned matrix cannot be re-encoded as F16`,
      );
    model.layers[l].m[m] = { buffer, type: REENCODED, elements: W.elements };
    W.buffer.destroy();
  } catch (e) {
    buffer.destroy();
    throw e;
  } finally {
    f32.destroy();
    beyond.destroy();
    ctx.forgetBindGroups();
  }
}

/** The model's 7 matrices of every layer as they are on the GPU, by tensor name (for export). */
export async function readPrunedTensors(
  ctx: GpuContext,
  model: GpuLlama,
  file: GgufFile,
): Promise<Map<string, PrunedTensor>> {
  const out = new Map<string, PrunedTensor>();
  for (const [l, lw] of model.layers.entries()) {
    // one readback per layer: its 7 buffers (padded to 4 bytes) in one map
    const read = await ctx.readMany(
      MATRICES.map((m) => ({ buffer: lw.m[m].buffer, count: lw.m[m].buffer.size / F32 })),
    );
    MATRICES.forEach((m, mi) => {
      const name = layerTensorName(l, m);
      const f = read[mi];
      const { type, elements } = lw.m[m];
      const bytes = tensorBytes(type, elements);
      out.set(name, { type, bytes: new Uint8Array(f.buffer, f.byteOffset, bytes).slice() });
    });
  }
  return out;
}

/**
 * Prunes `model` in place by `req`, runs `then` on the pruned model, and always puts the file's
 * dense bytes back, on failure or cancel too: a shared model pruned for the length of `then`.
 */
export async function withPruned<T>(
  ctx: GpuContext,
  model: GpuLlama,
  file: GgufFile,
  req: PruneRequest,
  opts: GpuPruneOptions,
  then: (pruned: number[][]) => Promise<T>,
): Promise<T> {
  try {
    return await then(await gpuPrune(ctx, model, req, opts));
  } finally {
    await restoreDense(ctx, model, file);
  }
}

/**
 * Prunes the model on the GPU in place by `req`; returns `pruned` (per layer and matrix, rows ·
 * ⌊I · S_i⌋). On failure or cancel the model may be part-pruned: call restoreDense.
 */
export async function gpuPrune(
  ctx: GpuContext,
  model: GpuLlama,
  req: PruneRequest,
  opts: GpuPruneOptions = {},
): Promise<number[][]> {
  const c = model.config;
  const types = new Map(
    model.layers.flatMap((lw, l) => MATRICES.map((m) => [layerTensorName(l, m), lw.m[m].type])),
  );
  checkPruneRequest(c, req, (l, m) => types.get(layerTensorName(l, m))!);
  return withGpuErrors(ctx.device, 'the pruning', async () => {
    const pruned: number[][] = [];
    if (pruneKind(req.method).scores) await scoreWalk(ctx, model, req, pruned, opts);
    else await layerWalk(ctx, model, req, pruned, opts);
    return pruned;
  });
}

/** Masks layer l's matrices (metric inputs per matrix) and zeroes them in place, on the GPU. */
async function pruneLayer(
  ctx: GpuContext,
  model: GpuLlama,
  req: PruneRequest,
  l: number,
  metricOf: (m: MatrixName) => { scale: GPUBuffer; metric: GPUBuffer },
): Promise<number[]> {
  const c = model.config;
  const counts: number[] = [];
  const masks: GPUBuffer[] = [];
  try {
    const enc = ctx.device.createCommandEncoder({ label: `prune layer ${l}` });
    for (const [mi, m] of MATRICES.entries()) {
      const { O, I } = matrixShape(c, m);
      const k = prunedPerRow(I, req.sparsity[l]);
      const W = model.layers[l].m[m];
      const mask = ctx.storage(maskWords(O * I) * F32, `mask ${l}.${m}`);
      masks.push(mask);
      ctx.clearBuffer(enc, mask);
      const { scale, metric } = metricOf(m);
      const seed = matrixSeed(req.seed, l, mi);
      const mode = MODE_OF[req.method];
      pruneMask(ctx, enc, mask, W, scale, metric, { O, I, k, mode, seed, pattern: req.pattern });
      if (ZEROABLE.includes(W.type)) pruneZero(ctx, enc, W, mask, layerTensorName(l, m));
      counts.push(O * k);
    }
    await ctx.submit(enc);
    // the masks are taken on the file's weights; a type without an exact 0 is then re-encoded
    for (const [mi, m] of MATRICES.entries()) {
      if (ZEROABLE.includes(model.layers[l].m[m].type)) continue;
      await reencodeOnGpu(ctx, model, l, m);
      const zero = ctx.device.createCommandEncoder({ label: `prune layer ${l} ${m}` });
      pruneZero(ctx, zero, model.layers[l].m[m], masks[mi], layerTensorName(l, m));
      await ctx.submit(zero);
    }
  } finally {
    for (const b of masks) b.destroy();
    ctx.forgetBindGroups();
  }
  return counts;
}

/** magnitude, random and Wanda: layer by layer, Wanda's inputs carried through pruned layers. */
async function layerWalk(
  ctx: GpuContext,
  model: GpuLlama,
  req: PruneRequest,
  pruned: number[][],
  opts: GpuPruneOptions,
): Promise<void> {
  const c = model.config;
  const L = c.blockCount;
  const wanda = pruneKind(req.method).inputNorms
    ? new WandaInputs(ctx, model, req.calibration!)
    : null;
  const ones = Object.fromEntries(
    MATRICES.map((m) => [m, ctx.upload(new Float32Array(matrixShape(c, m).I).fill(1), 'ones')]),
  ) as Record<MatrixName, GPUBuffer>;
  try {
    for (let l = 0; l < L; l++) {
      opts.signal?.throwIfAborted();
      const norms = wanda ? (await wanda.norms(l)).buffers : ones;
      pruned.push(
        await pruneLayer(ctx, model, req, l, (m) => ({ scale: norms[m], metric: norms[m] })),
      );
      if (wanda) await wanda.advance(l);
      opts.onLayer?.(l + 1, L);
    }
  } finally {
    wanda?.destroy();
    for (const b of Object.values(ones)) b.destroy();
  }
}

/** The score method: the score pass on the dense model, each layer pruned as the walk leaves it. */
async function scoreWalk(
  ctx: GpuContext,
  model: GpuLlama,
  req: PruneRequest,
  pruned: number[][],
  opts: GpuPruneOptions,
): Promise<void> {
  const L = model.config.blockCount;
  const dummy = ctx.storage(16, 'no scale');
  try {
    await runGpu(
      ctx,
      model,
      {
        sets: [
          {
            name: 'calibration',
            samples: req.calibration!.map((tokens, i) => ({
              source: `calibration ${i + 1}`,
              tokens,
            })),
          },
        ],
        pairs: [],
        thresholds: [1],
        metric: 'grad_x_weight',
        maxTokens: Math.max(...req.calibration!.map((t) => t.length)),
      },
      {
        signal: opts.signal,
        onSetSums: async (l, _set, acc) => {
          pruned[l] = await pruneLayer(ctx, model, req, l, (m) => ({
            scale: dummy,
            metric: acc[m],
          }));
          opts.onLayer?.(L - l, L);
        },
      },
    );
  } finally {
    dummy.destroy();
  }
}

/**
 * The dense model's column norms at each layer in turn (OWL's outlier ratios): the calibration
 * states carried through the unpruned layers, `each` called with layer l's norms on the CPU.
 */
export async function gpuDenseNorms(
  ctx: GpuContext,
  model: GpuLlama,
  calibration: number[][],
  each: (l: number, norms: LayerNorms) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  await withGpuErrors(ctx.device, 'the calibration walk', async () => {
    const inputs = new WandaInputs(ctx, model, calibration);
    try {
      for (let l = 0; l < model.config.blockCount; l++) {
        signal?.throwIfAborted();
        await each(l, (await inputs.norms(l)).roots);
        await inputs.advance(l);
      }
    } finally {
      inputs.destroy();
    }
  });
}
