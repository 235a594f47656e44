// Wanda's calibration walk on the GPU (src/prune/gpu.ts layerWalk, gpuDenseNorms): the calibration
// samples' hidden states carried layer by layer, the column norms of each matrix's input at each
// layer. Reference twin: the calibration walk of src/prune/prune.ts.
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import { embed, layerForward, layerScratchFloats, rowSlice, type LayerScratch } from '../gpu/llama';
import { colsumsqAdd } from '../gpu/ops/colnorm';
import { ropeTableBuffer } from '../gpu/ops/rope';
import { dims, ropeFreqs, type MatrixName } from '../model/config';
import {
  groupRows,
  ropeRowsMax,
  stackedGroups,
  stackedIds,
  stackedRows,
  STACK_ROWS,
  type StackedSeq,
} from '../engine/batch-plan';
import type { LayerNorms } from './owl';

const F32 = 4;

/** The 7 matrices' inputs from the four norm vectors (attention input, its output, FFN input, h). */
function byMatrix<T>([a, o, f, d]: T[]): Record<MatrixName, T> {
  return { q: a, k: a, v: a, o, gate: f, up: f, down: d };
}

/**
 * Wanda's calibration hidden states at the current layer's input: the samples stacked in batches
 * (stackedGroups: each linear one GEMM over ≈ 2048 rows, as perplexity's), one buffer per batch,
 * each sample's rows `stride` apart (padding rows read token 0 and are never summed).
 */
export class WandaInputs {
  private xs: GPUBuffer[];
  private groups: { rows: number; seqs: StackedSeq[] }[];
  private S: LayerScratch;
  private rope: GPUBuffer;
  private sums: Record<'nC1' | 'nAtt' | 'nC2' | 'nF', GPUBuffer>;
  private owned: GPUBuffer[] = [];

  constructor(
    private ctx: GpuContext,
    private model: GpuLlama,
    samples: number[][],
    rows = STACK_ROWS,
  ) {
    const c = model.config;
    const { C } = dims(c);
    const lengths = samples.map((t) => t.length);
    const Tmax = Math.max(...lengths);
    const buf = (floats: number, label: string) => {
      const b = ctx.storage(floats * F32, label);
      this.owned.push(b);
      return b;
    };
    const stacked = stackedGroups(c, lengths, rows, ctx.device.limits.maxStorageBufferBindingSize);
    this.groups = stacked.map((g) => stackedRows(g, lengths));
    const most = Math.max(...stacked.map(groupRows));
    this.S = Object.fromEntries(
      Object.entries(layerScratchFloats(c, most)).map(([k, n]) => [k, buf(n, k)]),
    ) as LayerScratch;
    this.sums = { nC1: this.S.nC1, nAtt: this.S.nAtt, nC2: this.S.nC2, nF: this.S.nF };
    this.rope = ropeTableBuffer(ctx, ropeRowsMax(Tmax, stacked), ropeFreqs(c, model.ropeFactors));
    this.owned.push(this.rope);
    const enc = ctx.device.createCommandEncoder({ label: 'wanda embed' });
    this.xs = stacked.map((g, k) => {
      const n = groupRows(g);
      const x = buf(n * C, `calibration x ${k}`);
      const idsBuf = ctx.upload(
        stackedIds(g, (i) => samples[i]),
        'tokens',
      );
      this.owned.push(idsBuf);
      embed(ctx, enc, model, x, idsBuf, n);
      return x;
    });
    void ctx.submit(enc);
  }

  /**
   * ‖X_k‖₂ of each matrix's input over every calibration token, layer l unpruned: on the GPU (the
   * mask kernel's scale) and on the CPU (OWL's ratios).
   */
  async norms(l: number): Promise<{ buffers: Record<MatrixName, GPUBuffer>; roots: LayerNorms }> {
    const { ctx, model, S } = this;
    const c = model.config;
    const { C, F } = dims(c);
    const HD = c.headCount * c.headDim;
    const enc = ctx.device.createCommandEncoder({ label: `wanda norms ${l}` });
    for (const b of Object.values(this.sums)) ctx.clearBuffer(enc, b);
    this.xs.forEach((x, k) => {
      const rows = this.groups[k];
      layerForward(ctx, enc, model, l, S, x, rows, this.rope);
      // each sample's own rows, in sample order (as one sample at a time would add them)
      for (const { start, T } of rows.seqs) {
        colsumsqAdd(ctx, enc, S.nC1, rowSlice(S.xn1, start, T, C), T, C);
        colsumsqAdd(ctx, enc, S.nAtt, rowSlice(S.att, start, T, HD), T, HD);
        colsumsqAdd(ctx, enc, S.nC2, rowSlice(S.xn2, start, T, C), T, C);
        colsumsqAdd(ctx, enc, S.nF, rowSlice(S.h, start, T, F), T, F);
      }
    });
    const keys = ['nC1', 'nAtt', 'nC2', 'nF'] as const;
    const read = await ctx.submitAndRead(
      enc,
      keys.map((k) => ({ buffer: this.sums[k], count: this.sums[k].size / F32 })),
    );
    // the roots on the CPU (f64, then f32 as the kernel reads them), as the reference takes them
    const roots = keys.map((_, i) => Float32Array.from(read[i], Math.sqrt));
    keys.forEach((k, i) => ctx.device.queue.writeBuffer(this.sums[k], 0, roots[i]));
    return { buffers: byMatrix(keys.map((k) => this.sums[k])), roots: byMatrix(roots) };
  }

  /** The calibration states through layer l as now pruned: the inputs of layer l + 1. */
  async advance(l: number): Promise<void> {
    const { ctx, model, S } = this;
    const enc = ctx.device.createCommandEncoder({ label: `wanda advance ${l}` });
    this.xs.forEach((x, k) => layerForward(ctx, enc, model, l, S, x, this.groups[k], this.rope, x));
    await ctx.submit(enc);
    ctx.forgetBindGroups();
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.ctx.forgetBindGroups();
  }
}
