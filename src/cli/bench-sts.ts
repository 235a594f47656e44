// `npm run bench -- --sts-pairs N [--sts-tokens T]`: the STS lab's run at a model's shape — N
// pairs of random sentences of 8…T tokens (BOS included; seeded), every sentence distinct (the
// worst case: no sentence shared), each scored alone, LLMDcos per pair and layer, and the
// pooled hidden states for the baseline — timed end to end on the GPU, per pair.
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { runGpu } from '../engine/run-gpu';
import { stsMeasures, stsRequest, type TokenPair } from '../engine/sts';
import { planMemory, type MemoryEstimate } from '../engine/memory';
import { mulberry32 } from '../util/random';

export interface StsBenchRow {
  pairs: number;
  sentences: number;
  maxTokens: number;
  meanTokens: number;
  seconds: number;
  secondsPerPair: number;
  forwardSeconds: number;
  memory: MemoryEstimate;
}

/** N seeded random pairs of 8…maxT tokens, gold = pair index (the statistics are not the point). */
export function randomPairs(n: number, maxT: number, vocab: number, seed = 7): TokenPair[] {
  const r = mulberry32(seed);
  const sentence = (k: number) => {
    const T = 8 + Math.floor(r() * (maxT - 7));
    return {
      source: `random ${k}`,
      tokens: [1, ...Array.from({ length: T - 1 }, () => 2 + Math.floor(r() * (vocab - 2)))],
    };
  };
  return Array.from({ length: n }, (_, i) => ({
    a: sentence(2 * i),
    b: sentence(2 * i + 1),
    score: i,
  }));
}

export async function benchSts(
  ctx: GpuContext,
  model: GpuLlama,
  n: number,
  maxT: number,
): Promise<StsBenchRow> {
  const c = model.config;
  const pairs = randomPairs(n, maxT, c.vocabSize);
  const req = stsRequest(pairs, 'grad_x_weight', maxT, c.blockCount);
  let forwardDone = 0;
  const t0 = performance.now();
  const out = await runGpu(ctx, model, req, {
    onProgress: (p) => {
      if (p.stage === 'forward') forwardDone = performance.now();
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const { llmdcos, cosine } = stsMeasures(out, req);
  if (llmdcos.length !== n || cosine.some((x) => !Number.isFinite(x)))
    throw new Error('the STS bench run returned incomplete measures');
  const all = req.sets[0].samples;
  return {
    pairs: n,
    sentences: all.length,
    maxTokens: maxT,
    meanTokens: all.reduce((s, x) => s + x.tokens.length, 0) / all.length,
    seconds,
    secondsPerPair: seconds / n,
    forwardSeconds: (forwardDone - t0) / 1000,
    memory: planMemory(c, model.bytes, req),
  };
}
