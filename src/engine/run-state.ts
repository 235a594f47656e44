// The GPU run's state, shared by its steps (run-gpu.ts) and the batched walk (batch-walk.ts): the
// options, the buffers and samples of a run, a layer's walk, and the progress it reports.
import type { LlamaConfig, MatrixName } from '../model/config';
import { MATRICES } from '../model/config';
import type { MatrixDensity } from '../analysis/density';
import type { PairResult, SampleResult } from '../analysis/results';
import {
  isSlice,
  type Bound,
  type BufferSlice,
  type GpuContext,
  type ReadItem,
} from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import {
  embed,
  layerForward,
  linearDims,
  rowCount,
  type HeadScratch,
  type LayerScratch,
  type Rows,
} from '../gpu/llama';
import { scoreReduce, scoreSlots, sumPartials } from '../gpu/ops/score';
import type { Readbacks } from './readbacks';
import type { MemoryEstimate } from './memory';
import { pairedSamples, type RunOptions, type RunRequest, type SavedInputs } from './types';

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

/** A batch's buffers: stacked tokens, layer inputs and gradients; its samples' partials. */
export interface Batch {
  members: SampleState[];
  stride: number;
  rows: Exclude<Rows, number>;
  tokens: GPUBuffer;
  /** x_l (rows, C) for l = 0 … L−1; with saved inputs in CPU memory one (rows, C) buffer, which
   * the walk fills from `cpu` at each layer */
  saved: GPUBuffer[];
  /** with saved inputs in CPU memory: x_l as read back after the forward (emptied once written) */
  cpu: Float32Array[];
  /** (rows, C) gradients at the current layer's output and input */
  dxIn: GPUBuffer;
  dxOut: GPUBuffer;
}

/** A run's buffers, its samples and where its results collect. */
export interface GpuRun {
  ctx: GpuContext;
  model: GpuLlama;
  c: LlamaConfig;
  req: RunRequest;
  opts: GpuRunOptions;
  est: MemoryEstimate;
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
  batchParts: Record<MatrixName, BufferSlice>[];
}

/**
 * A walk step (one sample at one layer) costs about this many times a sample's forward through
 * one layer: its recompute (6 of 7 linears), its backward (7) and its score (one more GEMM each).
 * Only guides the estimate until the walk has measured its own pace (H200: 3.1× in f32, 3.9×
 * in f16 on subgroup matrices; bench/results/README.md).
 */
const STEP_PER_LAYER_FORWARD = 3.5;

/**
 * A run's progress and time left, from measured paces: the forwards' pace while they run, then
 * the walk's own pace over its steps (a step per sample pair and per sample no pair scores, at
 * every layer; all of a layer's steps cost alike). The fraction is time done over time done plus
 * time left, never going back.
 */
export class WalkProgress {
  private steps = 0;
  private forwards = 0;
  private readonly started = performance.now();
  private walkStarted = 0;
  private last = 0;
  /** per layer: a step per sample pair, and one per sample that no pair scores */
  private readonly perLayer: number;
  constructor(private readonly run: Pick<GpuRun, 'req' | 'opts' | 'states' | 'c'>) {
    const { pairs, alone } = pairedSamples(run.req);
    this.perLayer = pairs.length + alone.length;
  }
  private get total() {
    return this.perLayer * this.run.c.blockCount;
  }
  /** Seconds left: the walk's pace once it has steps, else the forwards' pace for both. */
  etaSeconds(): number {
    const now = performance.now();
    const L = this.run.c.blockCount;
    if (this.steps > 0)
      return ((now - this.walkStarted) / this.steps) * (this.total - this.steps) * 1e-3;
    const perForward = (now - this.started) / Math.max(1, this.forwards);
    const forwardsLeft = this.run.states.length - this.forwards;
    const walk = this.total * (perForward / L) * STEP_PER_LAYER_FORWARD;
    return (forwardsLeft * perForward + walk) * 1e-3;
  }
  /** Time done over time done plus left, never less than before; 1 after the last step. */
  fraction(eta = this.etaSeconds()): number {
    if (this.steps >= this.total) return (this.last = 1);
    const done = (performance.now() - this.started) * 1e-3;
    const f = done / (done + eta);
    this.last = Math.max(this.last, Math.min(0.999, f));
    return this.last;
  }
  forward(st: SampleState): void {
    this.forwards++;
    const set = this.run.req.sets[st.set];
    const eta = this.etaSeconds();
    this.run.opts.onProgress?.({
      stage: 'forward',
      set: set.name,
      sample: st.index,
      samples: set.samples.length,
      fraction: this.fraction(eta),
      etaSeconds: eta,
    });
  }
  /** The forwards are done: the walk's pace is measured from here. */
  forwardFinished(): void {
    this.walkStarted = performance.now();
  }
  step(layer: number, set: number, sample: number): void {
    this.steps++;
    const eta = this.etaSeconds();
    this.run.opts.onProgress?.({
      stage: 'layer',
      layer,
      set: this.run.req.sets[set].name,
      sample,
      fraction: this.fraction(eta),
      etaSeconds: eta,
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

/** The partials a sample's scoring leaves (`part(m)` per matrix), to read with its submit. */
export const singles = (run: GpuRun, st: SampleState, part: (m: MatrixName) => Bound): ReadItem[] =>
  MATRICES.map((m) => {
    const b = part(m);
    const count = scoreSlots(linearDims(run.c, m, st.T), run.ctx) * 3;
    return isSlice(b) ? { buffer: b.buffer, offset: b.offset / 4, count } : { buffer: b, count };
  });

/** A scratch set's partials, by matrix. */
export const partOf = (S: Scratch) => (m: MatrixName) => S[`part_${m}`];

/**
 * st's A at layer w.l for every matrix into its set's accumulator (the set's first sample of the
 * layer writes it, the rest add) and `part(m)`'s partials, from each matrix's operands.
 */
export function scoreSample(
  w: LayerWalk,
  enc: GPUCommandEncoder,
  st: SampleState,
  operand: (m: MatrixName) => { dY: Bound; X: Bound; xnorm: GPUBuffer },
  part: (m: MatrixName) => Bound,
): void {
  const { run, l } = w;
  const first = w.setStarted.has(st.set) || 'set';
  for (const m of MATRICES) {
    const { dY, X, xnorm } = operand(m);
    const W = run.model.layers[l].m[m];
    const d = linearDims(run.c, m, st.T);
    scoreReduce(
      run.ctx,
      enc,
      run.setAcc[st.set][m],
      part(m),
      dY,
      X,
      W,
      xnorm,
      d,
      run.req.metric,
      first,
    );
  }
  w.setStarted.add(st.set);
  w.scored.add(st);
}

/** st's max logit and its token from the forward's `best` readback. */
export function takeBest(st: SampleState, best: Float32Array): void {
  st.result.argmax = new Uint32Array(best.buffer, best.byteOffset, 2)[0];
  st.result.maxLogit = best[1];
}

/** Layers of a forward per submit (the GPU starts while the rest is encoded). */
const FORWARD_LAYERS_PER_SUBMIT = 4;

/**
 * Encodes the forward of `rows` from `tokens` through every layer: x_0 into xs[0], layer l's output
 * into xs[l + 1] and the last into SA.xL (activations in SA, or per layer when kept), submitting
 * every few layers; returns the encoder, still open, for the head.
 */
export function encodeForward(
  run: GpuRun,
  label: string,
  xs: GPUBuffer[],
  tokens: GPUBuffer,
  rows: Rows,
): GPUCommandEncoder {
  const { ctx, model, SA } = run;
  const L = run.c.blockCount;
  let enc = ctx.device.createCommandEncoder({ label: `forward ${label}` });
  embed(ctx, enc, model, xs[0], tokens, rowCount(rows));
  for (let l = 0; l < L; l++) {
    const S = run.est.keepActivations ? run.perLayer[l] : SA;
    layerForward(ctx, enc, model, l, S, xs[l], rows, run.rope, l + 1 < L ? xs[l + 1] : SA.xL);
    if ((l + 1) % FORWARD_LAYERS_PER_SUBMIT === 0 && l + 1 < L) {
      run.reads.add(ctx.submit(enc));
      enc = ctx.device.createCommandEncoder({ label: `forward ${label} from ${l + 1}` });
    }
  }
  return enc;
}

export function takeSingles(run: GpuRun, l: number, st: SampleState, parts: Float32Array[]): void {
  MATRICES.forEach((m, mi) => {
    const slots = scoreSlots(linearDims(run.c, m, st.T), run.ctx);
    const [a, a2, mx] = sumPartials(parts[mi], slots, true);
    st.result.sumA[l][mi] = a;
    st.result.sumA2[l][mi] = a2;
    st.result.maxA[l][mi] = mx;
  });
}
