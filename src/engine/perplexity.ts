// Perplexity of a model on token sequences (the pruning lab's measure, docs/METHOD.md §4): each sample
// is one sequence (BOS + tokens); PPL = exp(Σ_s Σ_{t=1..T_s−1} −log p(x_t | x_<t) / Σ_s (T_s − 1)),
// over the full vocabulary. The GPU backend runs the forward, the final norm over every position,
// the head over rows in chunks (a T × V logits buffer can pass the binding limit) and the
// cross-entropy kernel; the reference backend the same with src/reference twins.
import type { LlamaWeights } from '../model/weights';
import { ropeFreqs } from '../model/config';
import {
  groupRows,
  ropeRowsMax,
  stackedGroups,
  stackedIds,
  stackedRows,
  type BatchGroup,
} from './batch-plan';
import { finalNormed, llamaForward } from '../reference/llama';
import { matmulForward } from '../reference/matmul';
import { crossEntropyForward } from '../reference/xent';
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { withGpuErrors } from '../gpu/runtime/errors';
import { forwardLayers, layerScratchFloats, type LayerScratch } from '../gpu/llama';
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

/**
 * The GPU backend's perplexity: the samples stacked in batches as the batched walk stacks them
 * (stackedGroups: each linear one GEMM over ≈ 2048 rows), each batch one submit; the next batch is
 * encoded while the GPU runs the one before.
 */
export async function gpuPerplexity(
  ctx: GpuContext,
  model: GpuLlama,
  samples: PerplexitySample[],
  opts: {
    signal?: AbortSignal;
    onProgress?: (done: number, of: number) => void;
    /** rows per head chunk (default: headChunkRows) */
    chunkRows?: number;
    /** rows a batch aims for (default STACK_ROWS; 1: one sample per batch) */
    batchRows?: number;
  } = {},
): Promise<Perplexity> {
  const c = model.config;
  checkPerplexitySamples(samples, c.contextLength);
  const lengths = samples.map((s) => s.tokens.length);
  const maxBinding = ctx.device.limits.maxStorageBufferBindingSize;
  const groups = stackedGroups(c, lengths, opts.batchRows, maxBinding);
  return withGpuErrors(ctx.device, 'the perplexity run', async () => {
    const bufs = new NllBuffers(ctx, model, groups, lengths, opts.chunkRows);
    const perSample: Perplexity['perSample'] = [];
    let prev: Promise<void> | null = null;
    const inflight: Promise<unknown>[] = [];
    try {
      for (const g of groups) {
        opts.signal?.throwIfAborted();
        const read = bufs.encode(g, samples);
        inflight.push(read);
        if (prev) await prev;
        prev = read.then((nll) => {
          g.members.forEach((i, b) => {
            const T = lengths[i];
            const sum = nll.subarray(b * g.stride, b * g.stride + T - 1).reduce((a, v) => a + v, 0);
            if (!Number.isFinite(sum))
              throw new Error(
                `a non-finite log-probability (${sum}): check the model file's weights`,
              );
            perSample.push({ source: samples[i].source, nll: sum, tokens: T - 1 });
          });
          opts.onProgress?.(perSample.length, samples.length);
        });
      }
      await prev;
      return total(perSample);
    } finally {
      // (a failed batch leaves the next one submitted: its buffers go once it is done)
      await Promise.allSettled([...inflight, prev]);
      bufs.destroy();
    }
  });
}

/** The buffers of the perplexity batches (sized for the largest) and the encoding of one. */
class NllBuffers {
  private owned: GPUBuffer[] = [];
  private S: LayerScratch;
  private x: [GPUBuffer, GPUBuffer];
  private y: GPUBuffer;
  private rstd: GPUBuffer;
  private nll: GPUBuffer;
  private rows: GPUBuffer;
  private logits: GPUBuffer;
  private part: GPUBuffer;
  private chunkTargets: GPUBuffer;
  private rope: GPUBuffer;
  /** rows per head chunk */
  private R: number;

  constructor(
    private ctx: GpuContext,
    private model: GpuLlama,
    groups: BatchGroup[],
    private lengths: number[],
    chunkRows?: number,
  ) {
    const c = model.config;
    const [C, V] = [c.embeddingLength, c.vocabSize];
    const n = Math.max(...groups.map(groupRows));
    const Tmax = Math.max(...lengths);
    const fit = chunkRows ?? headChunkRows(V, ctx.device.limits.maxStorageBufferBindingSize);
    this.R = Math.min(Tmax - 1, fit);
    const buf = (floats: number, label: string) => this.own(ctx.storage(floats * F32, label));
    this.S = Object.fromEntries(
      Object.entries(layerScratchFloats(c, n)).map(([k, f]) => [k, buf(f, k)]),
    ) as LayerScratch;
    this.x = [buf(n * C, 'x0'), buf(n * C, 'x1')];
    [this.y, this.rstd, this.nll] = [buf(n * C, 'y'), buf(n, 'rstd'), buf(n, 'nll')];
    [this.rows, this.logits] = [buf(this.R * C, 'rows'), buf(this.R * V, 'logits')];
    [this.part, this.chunkTargets] = [buf(this.R, 'part'), buf(this.R, 'chunk targets')];
    const positions = ropeRowsMax(Tmax, groups);
    this.rope = this.own(ropeTableBuffer(ctx, positions, ropeFreqs(c, model.ropeFactors)));
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  /**
   * Submits batch g (its samples `stride` rows apart, padding rows reading token 0) and resolves
   * with its rows' −log p (each sample's first T − 1 rows; the rest unwritten).
   */
  encode(g: BatchGroup, samples: PerplexitySample[]): Promise<Float32Array> {
    const { ctx, model, S, R } = this;
    const c = model.config;
    const C = c.embeddingLength;
    const rows = stackedRows(g, this.lengths);
    const n = rows.rows;
    const idsBuf = ctx.upload(
      stackedIds(g, (i) => samples[i].tokens),
      'tokens',
    );
    // each row's next token (a sample's last row predicts nothing: never read)
    const targetsBuf = ctx.upload(
      stackedIds(g, (i) => samples[i].tokens.slice(1)),
      'targets',
    );
    const enc = ctx.device.createCommandEncoder({ label: 'perplexity' });
    const xL = forwardLayers(ctx, enc, model, S, this.x, idsBuf, rows, this.rope);
    rmsnormForward(ctx, enc, this.y, this.rstd, xL, model.outputNorm, n, C, c.rmsEps);
    for (const { start, T } of rows.seqs)
      for (let t0 = 0; t0 < T - 1; t0 += R) {
        const k = Math.min(R, T - 1 - t0);
        const r0 = start + t0;
        ctx.copyBuffer(enc, this.y, r0 * C * F32, this.rows, 0, k * C * F32);
        ctx.copyBuffer(enc, targetsBuf, r0 * F32, this.chunkTargets, 0, k * F32);
        linearForward(ctx, enc, this.logits, this.rows, model.output, {
          T: k,
          I: C,
          O: c.vocabSize,
        });
        xentGpu(ctx, enc, this.part, this.logits, this.chunkTargets, k, c.vocabSize);
        ctx.copyBuffer(enc, this.part, 0, this.nll, r0 * F32, k * F32);
      }
    return ctx
      .submitAndRead(enc, [{ buffer: this.nll, count: n }])
      .then(([v]) => v)
      .finally(() => {
        idsBuf.destroy();
        targetsBuf.destroy();
      });
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.ctx.forgetBindGroups();
    this.ctx.releaseStaging();
  }
}
