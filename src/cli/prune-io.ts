// What `npm run prune` reads and writes besides the pruning itself: the allocation's inputs
// (a list file), the pruned GGUF image, and the engine the command prunes on — the reference
// model, or one GPU device with the model uploaded once for everything the command asks of it
// (the density set's run, OWL's dense walk, the dense perplexity, the pruning, the pruned
// perplexity and the pruned matrices read back).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GgufFile } from '../gguf/reader';
import { loadLlamaWeights, type LlamaWeights } from '../model/weights';
import { layerSparsity, parseSparsityList } from '../analysis/allocation';
import { gpuPerplexity, referencePerplexity, type Perplexity } from '../engine/perplexity';
import type { RunOutput, RunRequest } from '../engine/types';
import { fileWeights, owlRatios } from '../prune/owl';
import {
  pruneModel,
  referenceDenseNorms,
  withPrunedTensors,
  type PruneRequest,
} from '../prune/prune';
import type { PrunedTensor } from '../prune/zero';
import { checkRunOutput } from '../engine/check';
import { runReference } from '../engine/run-reference';
import { onProgress, UsageError, withNodeGpu, type PrecisionChoice } from './common';

type Samples = { source: string; tokens: number[] }[];

/** What the command prunes on. */
export interface PruneEngine {
  /** N_i: the density set's activated parameters per layer over the 7 matrices at `threshold` */
  densityCounts(samples: Samples, threshold: number, maxTokens: number): Promise<number[]>;
  /** OWL's outlier ratio D_i of each layer of the dense model over the calibration tokens */
  owlRatios(calibration: number[][], M: number): Promise<number[]>;
  /** the dense perplexity, the model pruned by `req`, the pruned perplexity and matrices */
  prune(
    req: PruneRequest,
    samples: Samples,
  ): Promise<{
    pruned: number[][];
    tensors: Map<string, PrunedTensor>;
    dense: Perplexity;
    after: Perplexity;
  }>;
}

/** The density run's request over `samples`. */
const densityRequest = (samples: Samples, threshold: number, maxTokens: number): RunRequest => ({
  sets: [{ name: 'density', samples }],
  pairs: [],
  thresholds: [threshold],
  metric: 'grad_x_weight',
  maxTokens,
});

const layerCounts = (out: RunOutput) =>
  out.sets[0].density.counts.map((row) => row.reduce((a, m) => a + m[0], 0));

/** `body` with the reference engine (the weights loaded once, on first use). */
async function withReference<T>(file: GgufFile, body: (e: PruneEngine) => Promise<T>) {
  let loaded: Promise<LlamaWeights> | undefined;
  const weights = () => (loaded ??= loadLlamaWeights(file));
  return body({
    async densityCounts(samples, threshold, maxTokens) {
      const w = await weights();
      const req = densityRequest(samples, threshold, maxTokens);
      const out = await runReference(w, req, { onProgress });
      checkRunOutput(out, w.config, req.metric);
      return layerCounts(out);
    },
    async owlRatios(calibration, M) {
      const w = await weights();
      return owlRatios(
        w.config,
        M,
        (each) => referenceDenseNorms(w, calibration, each),
        async (l, m) => w.layers[l].matrices[m],
      );
    },
    async prune(req, samples) {
      const w = await weights();
      const outcome = await pruneModel(file, w, req);
      const dense = referencePerplexity(w, samples);
      const after = referencePerplexity(withPrunedTensors(file, w, outcome.tensors), samples);
      return { ...outcome, dense, after };
    },
  });
}

/** `body` with one GPU device and the model uploaded once; destroyed after. */
async function withGpu<T>(
  file: GgufFile,
  precision: PrecisionChoice,
  body: (e: PruneEngine) => Promise<T>,
) {
  const [{ uploadLlama }, { runGpu }, { gpuDenseNorms, gpuPrune, readPrunedTensors }] =
    await Promise.all([
      import('../gpu/model'),
      import('../engine/run-gpu'),
      import('../prune/gpu'),
    ]);
  return withNodeGpu(precision, async (ctx) => {
    const model = await uploadLlama(ctx, file);
    try {
      return await body({
        async densityCounts(samples, threshold, maxTokens) {
          const req = densityRequest(samples, threshold, maxTokens);
          return layerCounts(await runGpu(ctx, model, req, { onProgress }));
        },
        owlRatios: (calibration, M) =>
          owlRatios(
            model.config,
            M,
            (each) => gpuDenseNorms(ctx, model, calibration, each),
            fileWeights(file, model.config),
          ),
        async prune(req, samples) {
          const dense = await gpuPerplexity(ctx, model, samples);
          const pruned = await gpuPrune(ctx, model, req);
          const after = await gpuPerplexity(ctx, model, samples);
          return { pruned, tensors: await readPrunedTensors(ctx, model, file), dense, after };
        },
      });
    } finally {
      model.destroy();
    }
  });
}

/** `body` with the engine of `backend` for `file`. */
export function withPruneEngine<T>(
  file: GgufFile,
  backend: 'reference' | 'gpu',
  precision: PrecisionChoice,
  body: (e: PruneEngine) => Promise<T>,
): Promise<T> {
  return backend === 'gpu' ? withGpu(file, precision, body) : withReference(file, body);
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
