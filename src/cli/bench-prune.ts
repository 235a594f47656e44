// `npm run bench -- --prune-samples N [--prune-tokens T] [--eval-samples M]`: the pruning lab at a
// model's shape — Wanda at 50 % (uniform) with N calibration samples of T tokens on the GPU
// (src/prune/gpu.ts), then perplexity over M eval samples of T tokens on the pruned model — timed
// end to end, with the GPU memory the walk allocates beside the weights.
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { gpuPrune } from '../prune/gpu';
import { gpuPerplexity, headChunkRows } from '../engine/perplexity';
import { layerScratchFloats } from '../gpu/llama';
import { dims } from '../model/config';
import { groupRows, stackedGroups, STACK_ROWS } from '../engine/batch-plan';
import { mulberry32 } from '../util/random';

export interface PruneBenchRow {
  method: 'wanda';
  sparsity: number;
  calibration: { samples: number; tokens: number };
  eval: { samples: number; tokens: number };
  pruneSeconds: number;
  perplexitySeconds: number;
  perplexity: number;
  /** bytes the walk allocates beside the weights: calibration states, one layer's scratch */
  walkBytes: number;
  /** bytes the perplexity allocates beside the weights (one stacked batch) */
  perplexityBytes: number;
}

/** n seeded random sequences of T tokens (BOS first). */
export function randomSequences(n: number, T: number, vocab: number, seed: number): number[][] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => [
    1,
    ...Array.from({ length: T - 1 }, () => 2 + Math.floor(r() * (vocab - 2))),
  ]);
}

export async function benchPrune(
  ctx: GpuContext,
  model: GpuLlama,
  n: number,
  m: number,
  T: number,
  log: (s: string) => void = console.log,
): Promise<PruneBenchRow> {
  const c = model.config;
  const L = c.blockCount;
  const calibration = randomSequences(n, T, c.vocabSize, 11);
  const evalSet = randomSequences(m, T, c.vocabSize, 12).map((tokens, i) => ({
    source: `eval ${i}`,
    tokens,
  }));
  const t0 = performance.now();
  await gpuPrune(
    ctx,
    model,
    { method: 'wanda', sparsity: new Array(L).fill(0.5), seed: 0, calibration },
    { onLayer: (d) => d % 8 === 0 && log(`  pruned ${d}/${L} layers`) },
  );
  const t1 = performance.now();
  const ppl = await gpuPerplexity(ctx, model, evalSet);
  const t2 = performance.now();
  const { C, V } = { ...dims(c), V: c.vocabSize };
  // both stack their samples (stackedGroups): one batch's rows of scratch
  const maxBinding = ctx.device.limits.maxStorageBufferBindingSize;
  const rows = (k: number) =>
    Math.max(...stackedGroups(c, new Array(k).fill(T), STACK_ROWS, maxBinding).map(groupRows));
  const scratchOf = (n: number) =>
    Object.values(layerScratchFloats(c, n)).reduce((a, x) => a + x, 0) * 4;
  const R = Math.min(T - 1, headChunkRows(V, maxBinding));
  const [nRows, mRows] = [rows(n), rows(m)];
  return {
    method: 'wanda',
    sparsity: 0.5,
    calibration: { samples: n, tokens: n * T },
    eval: { samples: m, tokens: m * T },
    pruneSeconds: (t1 - t0) / 1000,
    perplexitySeconds: (t2 - t1) / 1000,
    perplexity: ppl.ppl,
    walkBytes: n * T * C * 4 + scratchOf(nRows),
    perplexityBytes: scratchOf(mRows) + (3 * mRows * C + R * (C + V)) * 4,
  };
}
