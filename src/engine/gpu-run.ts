// The GPU run's state, shared by its steps (run-gpu.ts) and the batched walk (batches.ts): the
// options, the buffers and samples of a run, a layer's walk, and the progress it reports.
import type { LlamaConfig, MatrixName } from '../model/config';
import { MATRICES } from '../model/config';
import type { MatrixDensity } from '../analysis/density';
import type { PairResult, SampleResult } from '../analysis/results';
import type { GpuContext } from '../gpu/context';
import type { GpuLlama } from '../gpu/model';
import { linearDims, type HeadScratch, type LayerScratch } from '../gpu/llama';
import { scoreSlots, sumPartials } from '../gpu/ops/score';
import type { Readbacks } from './readbacks';
import type { MemoryEstimate, SavedInputs } from './memory';
import { pairMembers, type RunOptions, type RunRequest } from './types';
import type { Batch } from './batches';

export interface GpuRunOptions extends RunOptions {
  /** where the saved layer inputs live; by default chosen by planMemory from gpuMemoryBudget */
  savedInputs?: SavedInputs;
  /** GPU memory the run may take, in bytes; a run that cannot fit is refused */
  gpuMemoryBudget?: number;
  /**
   * one-sample runs without pairs: keep every layer's forward activations so the layer walk does
   * not recompute them (≈ L × 12 T·C-sized buffers more GPU memory; the same results)
   */
  keepActivations?: boolean;
  /**
   * after layer l's walk, each set's Σ over its samples of A per matrix (O, I) on the GPU, before
   * the next layer overwrites it (the pruning lab's score metric); awaited
   */
  onSetSums?: (l: number, set: number, acc: Record<MatrixName, GPUBuffer>) => Promise<void>;
  /**
   * samples per batch of the layer walk, for runs that walk in batches (walksInBatches): 1 walks
   * one sample at a time; by default as many as make ≈ BATCH_ROWS rows, halved while the GPU
   * memory budget is short
   */
  batch?: number;
}

/** One scratch set: a layer's activations and gradients, the head's, the score partials. */
export type Scratch = LayerScratch & HeadScratch & Record<string, GPUBuffer>;

export interface SampleState {
  set: number;
  index: number;
  source: string;
  T: number;
  tokens: GPUBuffer;
  saved: GPUBuffer[]; // x_l (T, C) for l = 0 … L−1 (GPU mode); [the current layer's] (CPU mode)
  cpu: Float32Array[]; // x_l on the CPU (CPU mode), dropped once the walk has used it
  dxIn: GPUBuffer; // (T, C) gradient at the current layer's output
  dxOut: GPUBuffer; // (T, C) gradient at its input
  best: GPUBuffer; // [argmax, bits of the max logit]
  result: SampleResult;
  /** pooledHidden: the mean over positions of the final normed hidden states (C) */
  pooled?: Float64Array;
}

/** A run's buffers, its samples and where its results collect. */
export interface GpuRun {
  ctx: GpuContext;
  model: GpuLlama;
  c: LlamaConfig;
  req: RunRequest;
  opts: GpuRunOptions;
  est: MemoryEstimate;
  pairLengths: number[];
  /** per pair, its sample pairs in walk order (pairOrder) */
  pairOrder: number[][];
  owned: GPUBuffer[];
  SA: Scratch;
  SB: Scratch;
  /** keepActivations: per layer, SA with its own buffers for what the backward reads */
  perLayer: Scratch[];
  rope: GPUBuffer;
  thresholds: GPUBuffer;
  setAcc: Record<MatrixName, GPUBuffer>[];
  counts: Record<MatrixName, GPUBuffer>;
  dparts: Record<MatrixName, GPUBuffer>;
  /** CPU mode: the L (Tmax, C) buffers the forward writes the layer inputs into */
  fwdSaved: GPUBuffer[];
  states: SampleState[];
  density: MatrixDensity[][][];
  pairs: PairResult[];
  reads: Readbacks;
  progress: WalkProgress;
  forwardDone: boolean;
  lost: string | null;
  /** the batched walk's batches (est.batch > 1), else empty */
  batches: Batch[];
  /** per position in a batch, its sample's score partials */
  batchParts: Record<MatrixName, GPUBuffer>[];
}

/** The walk's share of progress: 10 % forward, then steps (sample-layers and pair-layers). */
export class WalkProgress {
  private steps = 0;
  private readonly started = Date.now();
  /** per layer: a step per sample pair, and one per sample that no pair scores */
  private readonly perLayer: number;
  constructor(private readonly run: Pick<GpuRun, 'req' | 'opts' | 'states' | 'pairLengths' | 'c'>) {
    const { req } = run;
    const paired = new Set<string>();
    req.pairs.forEach((p, k) => {
      const nb = req.sets.find((s) => s.name === p.b)!.samples.length;
      for (let i = 0; i < run.pairLengths[k]; i++) {
        const [ia, ib] = pairMembers(p, i, nb);
        paired.add(`${p.a}\u0000${ia}`).add(`${p.b}\u0000${ib}`);
      }
    });
    const alone = run.states.filter(
      (st) => !paired.has(`${req.sets[st.set].name}\u0000${st.index}`),
    ).length;
    this.perLayer = alone + run.pairLengths.reduce((a, b) => a + b, 0);
  }
  private get total() {
    return this.perLayer * this.run.c.blockCount;
  }
  fraction(): number {
    return 0.1 + (0.9 * this.steps) / this.total;
  }
  forward(i: number, st: SampleState): void {
    const set = this.run.req.sets[st.set];
    this.run.opts.onProgress?.({
      stage: 'forward',
      set: set.name,
      sample: st.index,
      samples: set.samples.length,
      fraction: (0.1 * (i + 1)) / this.run.states.length,
    });
  }
  step(layer: number, set: number, sample: number): void {
    this.steps++;
    const fraction = this.fraction();
    const elapsed = (Date.now() - this.started) / 1000;
    this.run.opts.onProgress?.({
      stage: 'layer',
      layer,
      set: this.run.req.sets[set].name,
      sample,
      fraction,
      etaSeconds: (elapsed / fraction) * (1 - fraction),
    });
  }
  density(layer: number, set: number): void {
    const name = this.run.req.sets[set].name;
    this.run.opts.onProgress?.({ stage: 'density', layer, set: name, fraction: this.fraction() });
  }
}

export interface LayerWalk {
  run: GpuRun;
  l: number;
  /** sets whose accumulator this layer has written (the first sample overwrites, the rest add) */
  setStarted: Set<number>;
  /** samples whose scores this layer has taken */
  scored: Set<SampleState>;
  /** the samples whose layer l (forward and backward) SA and SB hold now */
  inA: SampleState | null;
  inB: SampleState | null;
}

/** Throws when the device was lost or the run cancelled. */
export function checkAlive(run: GpuRun): void {
  if (run.lost) throw new Error(run.lost);
  run.opts.signal?.throwIfAborted();
}

/** The partials a sample's scoring leaves in S, to read with its own submit. */
export const singles = (run: GpuRun, S: Scratch, st: SampleState) =>
  MATRICES.map((m) => ({
    buffer: S[`part_${m}`],
    count: scoreSlots(linearDims(run.c, m, st.T), run.ctx) * 3,
  }));

export function takeSingles(run: GpuRun, l: number, st: SampleState, parts: Float32Array[]): void {
  MATRICES.forEach((m, mi) => {
    const slots = scoreSlots(linearDims(run.c, m, st.T), run.ctx);
    const [a, a2, mx] = sumPartials(parts[mi], slots, true);
    st.result.sumA[l][mi] = a;
    st.result.sumA2[l][mi] = a2;
    st.result.maxA[l][mi] = mx;
  });
}
