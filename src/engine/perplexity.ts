// Perplexity of a model on token sequences (the pruning lab's measure, docs/METHOD.md §4): each sample
// is one sequence (BOS + tokens); PPL = exp(Σ_s Σ_{t=1..T_s−1} −log p(x_t | x_<t) / Σ_s (T_s − 1)),
// over the full vocabulary. The GPU backend runs the forward, the final norm over every position,
// the head over rows in chunks (a T × V logits buffer can pass the binding limit) and the
// cross-entropy kernel; the reference backend the same with src/reference twins.
import type { LlamaWeights } from '../model/weights';
import { ropeFreqs } from '../model/config';
import { finalNormed, llamaForward } from '../reference/llama';
import { matmulForward } from '../reference/matmul';
import { crossEntropyForward } from '../reference/xent';
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { withGpuErrors } from '../gpu/runtime/errors';
import { forwardLayers, layerScratchFloats } from '../gpu/llama';
import { ropeTableBuffer } from '../gpu/ops/rope';
import { rmsnormForward } from '../gpu/ops/rmsnorm';
import { linearForward } from '../gpu/ops/linear';
import { crossEntropyForward as xentGpu } from '../gpu/ops/xent';
import { RunRefusedError } from './memory';
import { quoted } from '../util/message';

const F32 = 4;

export interface PerplexitySample {
  source: string;
  tokens: number[];
}

export interface Perplexity {
  /** exp(nll / tokens) */
  ppl: number;
  /** Σ of −log p over every predicted token */
  nll: number;
  /** predicted tokens: Σ (T_s − 1) */
  tokens: number;
  perSample: { source: string; nll: number; tokens: number }[];
}

/** Refuses sequences that predict nothing or exceed the context, by sample. */
export function checkPerplexitySamples(samples: PerplexitySample[], context: number): void {
  if (samples.length === 0) throw new RunRefusedError('no evaluation samples');
  for (const s of samples) {
    if (s.tokens.length < 2)
      throw new RunRefusedError(
        `${quoted(s.source, 60)} has ${s.tokens.length} token(s): perplexity needs BOS and at least one more`,
      );
    if (s.tokens.length > context)
      throw new RunRefusedError(
        `${quoted(s.source, 60)} has ${s.tokens.length} tokens, above the model's context ${context}`,
      );
  }
}

function total(perSample: Perplexity['perSample']): Perplexity {
  const nll = perSample.reduce((a, s) => a + s.nll, 0);
  const tokens = perSample.reduce((a, s) => a + s.tokens, 0);
  return { ppl: Math.exp(nll / tokens), nll, tokens, perSample };
}

/** The reference backend's perplexity (f32 arrays like the GPU; sums in f64). */
export function referencePerplexity(w: LlamaWeights, samples: PerplexitySample[]): Perplexity {
  const c = w.config;
  checkPerplexitySamples(samples, c.contextLength);
  return total(
    samples.map((s) => {
      const T = s.tokens.length;
      const x = llamaForward(w, s.tokens).layers[c.blockCount - 1].out;
      const y = finalNormed(w, x, T);
      const logits = new Float32Array(T * c.vocabSize);
      matmulForward(logits, y, w.output, { T, I: c.embeddingLength, O: c.vocabSize });
      const nll = new Float32Array(T - 1);
      crossEntropyForward(nll, logits, s.tokens.slice(1), T - 1, c.vocabSize);
      return { source: s.source, nll: nll.reduce((a, b) => a + b, 0), tokens: T - 1 };
    }),
  );
}

/** Rows of logits per head chunk: within the binding limit and 64 MiB. */
export function headChunkRows(V: number, maxBinding: number): number {
  return Math.max(1, Math.floor(Math.min(maxBinding, 64 << 20) / (V * F32)));
}

/** The GPU backend's perplexity, one sample per submit. */
export async function gpuPerplexity(
  ctx: GpuContext,
  model: GpuLlama,
  samples: PerplexitySample[],
  opts: {
    signal?: AbortSignal;
    onProgress?: (done: number, of: number) => void;
    /** rows per head chunk (default: headChunkRows) */
    chunkRows?: number;
  } = {},
): Promise<Perplexity> {
  const c = model.config;
  checkPerplexitySamples(samples, c.contextLength);
  return withGpuErrors(ctx.device, 'the perplexity run', async () => {
    const perSample: Perplexity['perSample'] = [];
    for (const s of samples) {
      opts.signal?.throwIfAborted();
      const nll = await sampleNll(ctx, model, s.tokens, opts.chunkRows);
      perSample.push({ source: s.source, nll, tokens: s.tokens.length - 1 });
      opts.onProgress?.(perSample.length, samples.length);
    }
    return total(perSample);
  });
}

/** Σ −log p(x_t | x_<t) of one sequence on the GPU. */
async function sampleNll(
  ctx: GpuContext,
  model: GpuLlama,
  tokens: number[],
  chunkRows?: number,
): Promise<number> {
  const c = model.config;
  const [T, C, V] = [tokens.length, c.embeddingLength, c.vocabSize];
  const fit = chunkRows ?? headChunkRows(V, ctx.device.limits.maxStorageBufferBindingSize);
  const R = Math.min(T - 1, fit);
  const owned: GPUBuffer[] = [];
  const buf = (floats: number, label: string) => {
    const b = ctx.storage(floats * F32, label);
    owned.push(b);
    return b;
  };
  const S = Object.fromEntries(
    Object.entries(layerScratchFloats(c, T)).map(([k, n]) => [k, buf(n, k)]),
  ) as Parameters<typeof forwardLayers>[3];
  const x: [GPUBuffer, GPUBuffer] = [buf(T * C, 'x0'), buf(T * C, 'x1')];
  const [y, rstd, nll] = [buf(T * C, 'y'), buf(T, 'rstd'), buf(T, 'nll')];
  const [rows, logits, part] = [buf(R * C, 'rows'), buf(R * V, 'logits'), buf(R, 'part')];
  const ids = ctx.upload(Uint32Array.from(tokens), 'tokens');
  const targets = ctx.upload(Uint32Array.from([...tokens.slice(1), 0]), 'targets');
  const chunkTargets = buf(R, 'chunk targets');
  const rope = ropeTableBuffer(ctx, T, ropeFreqs(c, model.ropeFactors));
  owned.push(ids, targets, rope);
  try {
    const enc = ctx.device.createCommandEncoder({ label: 'perplexity' });
    const xL = forwardLayers(ctx, enc, model, S, x, ids, T, rope);
    rmsnormForward(ctx, enc, y, rstd, xL, model.outputNorm, T, C, c.rmsEps);
    for (let t0 = 0; t0 < T - 1; t0 += R) {
      const n = Math.min(R, T - 1 - t0);
      ctx.copyBuffer(enc, y, t0 * C * F32, rows, 0, n * C * F32);
      ctx.copyBuffer(enc, targets, t0 * F32, chunkTargets, 0, n * F32);
      linearForward(ctx, enc, logits, rows, model.output, { T: n, I: C, O: V });
      xentGpu(ctx, enc, part, logits, chunkTargets, n, V);
      ctx.copyBuffer(enc, part, 0, nll, t0 * F32, n * F32);
    }
    const [out] = await ctx.submitAndRead(enc, [{ buffer: nll, count: T - 1 }]);
    let sum = 0;
    for (const v of out) sum += v;
    if (!Number.isFinite(sum))
      throw new Error(`a non-finite log-probability (${sum}): check the model file's weights`);
    return sum;
  } finally {
    for (const b of owned) b.destroy();
    ctx.forgetBindGroups();
    ctx.releaseStaging();
  }
}
