// `npm run bench -- --scores-out DIR [--scores-samples N]`: the size and write time of a set's
// per-parameter scores file (src/scores, analyze --scores-out) at a model's shape — one set of N
// samples run once without scores out and once streaming its Σ A to DIR/bench.safetensors, with
// the process's resident memory sampled while it writes (the writer holds one matrix at a time).
// The file is removed afterwards: at 7B it is ≈ 26 GB.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { runGpu } from '../engine/run-gpu';
import type { RunRequest } from '../engine/types';
import { tokenIdsHash } from '../cache/keys';
import { ScoresWriter } from '../scores/writer';
import { TOOL } from '../scores/layout';
import { positionedFile } from './scores-out';

export interface ScoresBenchRow {
  samples: number;
  tokens: number;
  /** bytes of the file */
  bytes: number;
  /** the run without scores out */
  runSeconds: number;
  /** the run writing the file, finish (rename) included */
  withScoresSeconds: number;
  /** inside onScores: writing each matrix's sums to the file (the readback is the rest of the gap) */
  writeSeconds: number;
  /** the process's largest resident set while writing, and before the run */
  rssPeakBytes: number;
  rssBeforeBytes: number;
}

export async function benchScores(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  dir: string,
  batch?: number,
): Promise<ScoresBenchRow> {
  const set = req.sets[0];
  const t0 = performance.now();
  await runGpu(ctx, model, req, { batch });
  const runSeconds = (performance.now() - t0) / 1000;
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'bench.safetensors');
  const meta = {
    set: set.name,
    model: model.config.name,
    modelKey: 'synthetic',
    metric: req.metric,
    samples: set.samples.length,
    maxTokens: req.maxTokens,
    tokenIds: await tokenIdsHash(set),
    tool: TOOL,
  };
  const rssBeforeBytes = process.memoryUsage().rss;
  let rssPeakBytes = rssBeforeBytes;
  let write = 0;
  const t1 = performance.now();
  const writer = await ScoresWriter.open(model.config, meta, await positionedFile(path));
  try {
    await runGpu(ctx, model, req, {
      batch,
      onScores: async (_si, l, m, sums) => {
        const start = performance.now();
        await writer.put(l, m, sums);
        write += performance.now() - start;
        rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage().rss);
      },
    });
    await writer.finish();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const withScoresSeconds = (performance.now() - t1) / 1000;
  await rm(path, { force: true });
  return {
    samples: set.samples.length,
    tokens: req.maxTokens,
    bytes: writer.size,
    runSeconds,
    withScoresSeconds,
    writeSeconds: write / 1000,
    rssPeakBytes,
    rssBeforeBytes,
  };
}
