// What `npm run prune` reads and writes besides the pruning itself: sample files as token ids,
// the allocation (uniform, from a density set, OWL's outlier ratios, or a list file), the pruned GGUF image, and the
// perplexity of a model file on either backend.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readGguf, type GgufFile } from '../gguf/reader';
import { bytesSource } from '../gguf/source';
import { loadLlamaWeights } from '../model/weights';
import { layerSparsity, parseSparsityList } from '../analysis/allocation';
import { gpuPerplexity, referencePerplexity, type Perplexity } from '../engine/perplexity';
import type { PruneRequest } from '../prune/prune';
import type { PrunedTensor } from '../prune/zero';
import { runOn, UsageError, withNodeGpu, type PrecisionChoice } from './common';

/** N_i: the density set's activated parameters per layer over the 7 matrices at `threshold`. */
export async function densityCounts(
  file: GgufFile,
  samples: { source: string; tokens: number[] }[],
  threshold: number,
  maxTokens: number,
  backend: 'reference' | 'gpu',
  precision: PrecisionChoice,
): Promise<number[]> {
  const { out } = await runOn(
    file,
    {
      sets: [{ name: 'density', samples }],
      pairs: [],
      thresholds: [threshold],
      metric: 'grad_x_weight',
      maxTokens,
    },
    backend,
    precision,
  );
  return out.sets[0].density.counts.map((row) => row.reduce((a, m) => a + m[0], 0));
}

/** OWL's outlier ratio D_i of each layer of `file`'s dense model over the calibration tokens. */
export async function owlLayerRatios(
  file: GgufFile,
  calibration: number[][],
  M: number,
  backend: 'reference' | 'gpu',
  precision: PrecisionChoice,
): Promise<number[]> {
  const { owlRatios, fileWeights } = await import('../prune/owl');
  if (backend === 'reference') {
    const { referenceDenseNorms } = await import('../prune/prune');
    const w = await loadLlamaWeights(file);
    return owlRatios(
      w.config,
      M,
      (each) => referenceDenseNorms(w, calibration, each),
      async (l, m) => w.layers[l].matrices[m],
    );
  }
  const { uploadLlama } = await import('../gpu/model');
  const { gpuDenseNorms } = await import('../prune/gpu');
  return withNodeGpu(precision, async (ctx) => {
    const model = await uploadLlama(ctx, file);
    try {
      const c = model.config;
      const walk = (each: Parameters<typeof gpuDenseNorms>[3]) =>
        gpuDenseNorms(ctx, model, calibration, each);
      return await owlRatios(c, M, walk, fileWeights(file, c));
    } finally {
      model.destroy();
    }
  });
}

/** S_i from a list file (one number per line), refused by name when it does not fit L. */
export async function listSparsity(path: string, L: number): Promise<number[]> {
  try {
    return parseSparsityList(await readFile(path, 'utf8'), L);
  } catch (e) {
    throw new UsageError(`--allocation ${basename(path)}: ${(e as Error).message}`);
  }
}

export { layerSparsity };

export { prunedGguf } from '../prune/export';

/** Perplexity of each model image on the eval samples, on one backend (one GPU device). */
export async function perplexities(
  images: GgufFile[],
  samples: { source: string; tokens: number[] }[],
  backend: 'reference' | 'gpu',
  precision: PrecisionChoice,
): Promise<Perplexity[]> {
  if (backend === 'reference')
    return Promise.all(
      images.map(async (f) => referencePerplexity(await loadLlamaWeights(f), samples)),
    );
  const { uploadLlama } = await import('../gpu/model');
  return withNodeGpu(precision, async (ctx) => {
    const out: Perplexity[] = [];
    for (const f of images) {
      const model = await uploadLlama(ctx, f);
      try {
        out.push(await gpuPerplexity(ctx, model, samples));
      } finally {
        model.destroy();
      }
    }
    return out;
  });
}

/** A GGUF image read back as a file (the pruned model before it is written anywhere). */
export const imageFile = (bytes: Uint8Array, name: string) => readGguf(bytesSource(bytes, name));

/**
 * On one GPU device: the dense perplexity, the model pruned there by `req` (src/prune/gpu.ts),
 * the pruned perplexity and the pruned matrices read back for the GGUF.
 */
export async function pruneOnGpu(
  file: GgufFile,
  req: PruneRequest,
  samples: { source: string; tokens: number[] }[],
  precision: PrecisionChoice,
): Promise<{
  pruned: number[][];
  tensors: Map<string, PrunedTensor>;
  dense: Perplexity;
  after: Perplexity;
}> {
  const { uploadLlama } = await import('../gpu/model');
  const { gpuPrune, readPrunedTensors } = await import('../prune/gpu');
  return withNodeGpu(precision, async (ctx) => {
    const model = await uploadLlama(ctx, file);
    try {
      const dense = await gpuPerplexity(ctx, model, samples);
      const pruned = await gpuPrune(ctx, model, req);
      const after = await gpuPerplexity(ctx, model, samples);
      return { pruned, tensors: await readPrunedTensors(ctx, model, file), dense, after };
    } finally {
      model.destroy();
    }
  });
}
