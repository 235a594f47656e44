// The GPU backend: the sample-set schedule of DESIGN.md ("The score pass").
//  1. Forward every sample, keeping each layer's input x_l (T, C); at the end, the max logit,
//     its token and the gradient at the last residual (only the last row is non-zero).
//  2. Walk the layers from last to first. At layer l, for each sample: recompute the layer's
//     forward from x_l, back-propagate the sample's incoming gradient, and feed the fused score
//     kernels (Σ A, Σ A², max A per matrix, A added into the set's accumulator of this layer
//     only); pairs (sample i of set a, sample i of set b) are recomputed side by side in two
//     scratch sets and meet in the pair kernel. Then each set's accumulator holds Σ over its
//     samples of A for every parameter of the layer: the mean-first density and histogram are
//     taken, and the accumulator is cleared for the next layer.
// Extra GPU memory beyond the weights: the accumulators (one layer's parameters × 4 B per set),
// the saved layer inputs (samples × L × T × C × 4 B), two gradients per sample (T × C × 4 B
// each) and one or two scratch sets of one layer's activations (see estimateGpuMemory).
// With savedInputs 'cpu' the layer inputs are read back to CPU memory after each sample's
// forward and each layer's slice is written back to one (T, C) buffer per sample when the walk
// reaches it (and then dropped): GPU memory no longer grows with samples × L.
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import type { LinearDims } from '../model/shapes';
import type { Metric } from '../analysis/metrics';
import { cosFromParts } from '../analysis/llmdcos';
import type { PairResult, SampleResult, SetResult } from '../analysis/results';
import { checkPairs, pairedIndex, type RunOptions, type RunRequest } from '../engine/types';
import type { RunOutput } from '../engine/reference';
import { checkRunOutput } from '../engine/check';
import { withGpuErrors } from './errors';
import type { GpuContext } from './context';
import type { GpuLlama } from './model';
import { embeddingForward } from './ops/embedding';
import { linearBackwardInput, linearForward, splitScratchFloats } from './ops/linear';
import { rmsnormBackward, rmsnormForward } from './ops/rmsnorm';
import { ropeBackward, ropeForward, ropeTableBuffer } from './ops/rope';
import { attentionBackward, attentionForward } from './ops/attention';
import { swigluBackward, swigluForward } from './ops/swiglu';
import { addAccumulate, addForward } from './ops/add';
import { colnormForward } from './ops/colnorm';
import { headArgmax, headBackward } from './ops/head';
import { scorePair, scoreReduce, scoreSlots, sumPartials } from './ops/score';
import {
  densityCounters,
  densityFinish,
  densitySlots,
  MAX_THRESHOLDS,
  unpackDensity,
} from './ops/density';

const F32 = 4;

interface Scratch {
  [name: string]: GPUBuffer;
}

interface SampleState {
  set: number;
  index: number;
  source: string;
  tokenIds: number[];
  T: number;
  tokens: GPUBuffer;
  saved: GPUBuffer[]; // x_l (T, C) for l = 0 … L−1 (GPU mode); [the current layer's] (CPU mode)
  cpu: Float32Array[]; // x_l on the CPU (CPU mode), dropped once the walk has used it
  dxIn: GPUBuffer; // (T, C) gradient at the current layer's output
  dxOut: GPUBuffer; // (T, C) gradient at its input
  best: GPUBuffer; // [argmax, bits of max logit]
  result: SampleResult;
}

/** Bytes by category for a run (what estimateGpuMemory reports and runGpu allocates). */
export type SavedInputs = 'gpu' | 'cpu';

export interface MemoryEstimate {
  /** where the saved layer inputs live */
  savedOn: SavedInputs;
  weights: number;
  /** GPU bytes for saved layer inputs (all of them, or one layer's slice when on the CPU) */
  savedInputs: number;
  /** CPU bytes for saved layer inputs (0 when on the GPU) */
  cpuSavedInputs: number;
  gradients: number;
  scratch: number;
  /** set accumulators and the density pass's partial sums */
  accumulators: number;
  /** GPU bytes in all */
  total: number;
  /** the largest single buffer, to check against maxStorageBufferBindingSize */
  largestBuffer: number;
}

/** Layers of a sample's forward per submit. */
const FORWARD_LAYERS_PER_SUBMIT = 4;

function scratchSizes(c: LlamaConfig, T: number): Record<string, number> {
  const C = c.embeddingLength;
  const F = c.feedForwardLength;
  const HD = c.headCount * c.headDim;
  const KV = c.headCountKv * c.headDim;
  const s: Record<string, number> = {
    xn1: T * C,
    rstd1: T,
    q: T * HD,
    k: T * KV,
    v: T * KV,
    att: T * HD,
    lse: c.headCount * T,
    o: T * C,
    x2: T * C,
    xn2: T * C,
    rstd2: T,
    gate: T * F,
    up: T * F,
    h: T * F,
    down: T * C,
    xL: T * C,
    dh: T * F,
    dg: T * F,
    du: T * F,
    dxn2: T * C,
    tmp: T * C,
    dx2: T * C,
    datt: T * HD,
    dq: T * HD,
    dk: T * KV,
    dv: T * KV,
    delta: c.headCount * T,
    dxn1: T * C,
    nC1: C,
    nAtt: HD,
    nC2: C,
    nF: F,
    xlast: C,
    xf: C,
    rstdf: 1,
    logits: c.vocabSize,
    dxf: C,
    dlast: C,
  };
  for (const m of MATRICES) {
    const slots = scoreSlots({ T, ...matrixShape(c, m) });
    s[`part_${m}`] = slots * 3;
    s[`pair_${m}`] = slots * 3;
  }
  return s;
}

/** The forward activations a layer's backward reads: kept per layer by keepActivations. */
const KEPT = ['xn1', 'rstd1', 'q', 'k', 'v', 'att', 'lse', 'x2', 'xn2', 'rstd2', 'gate', 'up', 'h'];

/** Whether a run takes keepActivations: one sample, no pairs, saved inputs on the GPU. */
function keepsActivations(
  req: Pick<RunRequest, 'sets' | 'pairs'>,
  savedOn: SavedInputs,
  keep?: boolean,
): boolean {
  const n = req.sets.reduce((a, s) => a + s.samples.length, 0);
  return !!keep && n === 1 && req.pairs.length === 0 && savedOn === 'gpu';
}

export function estimateGpuMemory(
  c: LlamaConfig,
  weightBytes: number,
  req: Pick<RunRequest, 'sets' | 'pairs'>,
  savedOn: SavedInputs = 'gpu',
  keepActivations = false,
): MemoryEstimate {
  const C = c.embeddingLength;
  const L = c.blockCount;
  const samples = req.sets.flatMap((s) => s.samples);
  const Tmax = Math.max(1, ...samples.map((s) => s.tokens.length));
  const tokens = samples.reduce((s, x) => s + x.tokens.length, 0);
  const sizes = scratchSizes(c, Tmax);
  // the tiled linears' split-K partials (one scratch, the largest use, over every tile shape the
  // kernels take), counted even where the simple kernels run
  const splitScratch = Math.max(
    0,
    ...MATRICES.flatMap((m) => {
      const { O, I } = matrixShape(c, m);
      return [splitScratchFloats(Tmax, O, I), splitScratchFloats(Tmax, I, O)];
    }),
  );
  const scratchOne = (Object.values(sizes).reduce((a, b) => a + b, 0) + splitScratch) * F32;
  const layerParams = MATRICES.reduce((s, m) => {
    const { O, I } = matrixShape(c, m);
    return s + O * I;
  }, 0);
  const largestMatrix = Math.max(...MATRICES.map((m) => matrixShape(c, m).O * matrixShape(c, m).I));
  const allSaved = tokens * C * L * F32;
  const densityParts = MATRICES.reduce((s, m) => {
    const { O, I } = matrixShape(c, m);
    return s + densitySlots(O * I) + densityCounters(MAX_THRESHOLDS);
  }, 0);
  const est: MemoryEstimate = {
    savedOn,
    weights: weightBytes,
    // CPU mode: one (T, C) slice per sample, plus L (Tmax, C) buffers the forward writes into
    savedInputs: savedOn === 'gpu' ? allSaved : (tokens * C + L * Tmax * C) * F32,
    cpuSavedInputs: savedOn === 'gpu' ? 0 : allSaved,
    gradients: 2 * tokens * C * F32,
    // keepActivations: every layer's forward activations stay (no recompute in the walk)
    // (+ one matrix's ∂D/∂W: the f16 path on subgroup matrices forms it whole before scoring;
    // counted on every path, since the estimate does not know the adapter)
    scratch:
      largestMatrix * F32 +
      scratchOne * (req.pairs.length > 0 ? 2 : 1) +
      (keepsActivations(req, savedOn, keepActivations)
        ? L * KEPT.reduce((a, k) => a + sizes[k], 0) * F32
        : 0),
    accumulators: (req.sets.length * layerParams + densityParts) * F32,
    total: 0,
    largestBuffer: Math.max(
      largestMatrix * F32,
      Tmax * c.feedForwardLength * F32,
      c.vocabSize * F32,
    ),
  };
  est.total = est.weights + est.savedInputs + est.gradients + est.scratch + est.accumulators;
  return est;
}

export class RunRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/**
 * Where to keep the saved layer inputs for a GPU with `budget` bytes (none: on the GPU): on the
 * GPU when everything fits, else in CPU memory. Returns the estimate of the choice.
 */
export function planMemory(
  c: LlamaConfig,
  weightBytes: number,
  req: Pick<RunRequest, 'sets' | 'pairs'>,
  budget?: number,
): MemoryEstimate {
  const onGpu = estimateGpuMemory(c, weightBytes, req, 'gpu');
  if (budget === undefined || onGpu.total <= budget) return onGpu;
  return estimateGpuMemory(c, weightBytes, req, 'cpu');
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

/** Refuses, with the numbers, a run above a GPU memory budget. */
export function checkBudget(est: MemoryEstimate, budget?: number): void {
  if (budget !== undefined && est.total > budget)
    throw new RunRefusedError(
      `the run needs ${gib(est.total)} of GPU memory (weights ${gib(est.weights)}, saved inputs ${gib(est.savedInputs)}${est.savedOn === 'cpu' ? ' with the rest in CPU memory' : ''}, gradients ${gib(est.gradients)}, scratch ${gib(est.scratch)}, accumulators ${gib(est.accumulators)}) but the budget is ${gib(budget)}`,
    );
}

/** Refuses, with the numbers, a run whose buffers exceed the device's limits. */
export function checkFits(est: MemoryEstimate, limits: GPUSupportedLimits): void {
  const lim = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (est.largestBuffer > lim) {
    throw new RunRefusedError(
      `the run needs a ${est.largestBuffer} B buffer but the adapter binds at most ${lim} B (maxStorageBufferBindingSize)`,
    );
  }
}

/**
 * What a cancelled run had finished, on the AbortError it throws (`error.partial`): every
 * sample's forward (max logit, its token) and its scores for the layers in `layersDone` (the
 * walk goes from the last layer down; other layers' entries are 0).
 */
export interface PartialRun {
  forwardDone: boolean;
  layersDone: number[];
  samples: (SampleResult & { set: string })[];
}

export interface GpuRunOptions extends RunOptions {
  /** the last-position logits (V) of every sample, after its forward */
  onLogits?: (set: number, index: number, logits: Float32Array) => void;
  /** stop after the forward of every sample (no scores; the output has no sets) */
  forwardOnly?: boolean;
  /** where the saved layer inputs live; by default chosen by planMemory from gpuMemoryBudget */
  savedInputs?: SavedInputs;
  /** GPU memory the run may take, in bytes; a run that cannot fit is refused */
  gpuMemoryBudget?: number;
  /**
   * one-sample runs without pairs: keep every layer's forward activations so the layer walk does
   * not recompute them (≈ L × 12 T·C-sized buffers more GPU memory; the same results)
   */
  keepActivations?: boolean;
}

/** The engine's forward alone: last-position logits (V) of one token sequence. */
export async function gpuForwardLogits(
  ctx: GpuContext,
  model: GpuLlama,
  tokens: number[],
): Promise<Float32Array> {
  let out: Float32Array | null = null;
  await runGpu(
    ctx,
    model,
    {
      sets: [{ name: 'verify', samples: [{ source: 'verify', tokens }] }],
      pairs: [],
      thresholds: [1],
      metric: 'grad_x_weight',
      maxTokens: tokens.length,
    },
    { forwardOnly: true, onLogits: (_s, _i, l) => (out = l) },
  );
  return out!;
}

/**
 * Runs `req` on the GPU (the schedule above). Fails closed: any WebGPU error the run causes
 * (validation, out-of-memory, internal, a lost device) throws GpuRunError, and results that cannot
 * be right (non-finite, counts beyond the parameters, a layer with no score) throw RunCheckError —
 * a run returns correct-looking numbers or nothing.
 */
export async function runGpu(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  opts: GpuRunOptions = {},
): Promise<RunOutput> {
  const out = await withGpuErrors(ctx.device, 'the GPU run', () => runOnGpu(ctx, model, req, opts));
  if (!opts.forwardOnly) checkRunOutput(out, model.config, req.metric);
  return out;
}

async function runOnGpu(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  opts: GpuRunOptions,
): Promise<RunOutput> {
  const c = model.config;
  const L = c.blockCount;
  const C = c.embeddingLength;
  const F = c.feedForwardLength;
  const H = c.headCount;
  const Hkv = c.headCountKv;
  const Dh = c.headDim;
  const HD = H * Dh;
  const KV = Hkv * Dh;
  const V = c.vocabSize;
  const K = req.thresholds.length;
  if (K < 1 || K > MAX_THRESHOLDS)
    throw new RunRefusedError(`${K} thresholds: the GPU backend takes 1 to ${MAX_THRESHOLDS}`);
  const pairLengths = checkPairs(req);
  const all = req.sets.flatMap((s) => s.samples);
  if (all.length === 0) throw new RunRefusedError('no samples');
  const Tmax = Math.max(...all.map((s) => s.tokens.length));
  if (Tmax > c.contextLength)
    throw new RunRefusedError(
      `a sample has ${Tmax} tokens, above the model's context length ${c.contextLength}`,
    );
  const planned = opts.savedInputs
    ? estimateGpuMemory(c, model.bytes, req, opts.savedInputs)
    : planMemory(c, model.bytes, req, opts.gpuMemoryBudget);
  const keep = keepsActivations(req, planned.savedOn, opts.keepActivations);
  const est = keep ? estimateGpuMemory(c, model.bytes, req, planned.savedOn, true) : planned;
  checkFits(est, ctx.device.limits);
  checkBudget(est, opts.gpuMemoryBudget);
  const onCpu = est.savedOn === 'cpu';

  const owned: GPUBuffer[] = [];
  const buf = (floats: number, label: string) => {
    const b = ctx.storage(Math.max(1, floats) * F32, label);
    owned.push(b);
    return b;
  };
  let lost: string | null = null;
  void ctx.device.lost.then(
    (info) => (lost = `the GPU device was lost (${info.reason}): ${info.message}`),
  );
  const check = () => {
    if (lost) throw new Error(lost);
    opts.signal?.throwIfAborted();
  };

  // readbacks in flight: the forward's are awaited once after it (CPU mode needs its copies);
  // the walk's one layer behind (`previous`), so that the next layer is encoded meanwhile
  let inflight: Promise<void>[] = [];
  let previous: Promise<void>[] = [];
  /** what a cancelled run has finished (set once the samples exist) */
  let partialOf: (() => PartialRun) | null = null;
  const completed: number[] = [];
  let forwardDone = false;
  try {
    const sizes = scratchSizes(c, Tmax);
    const makeScratch = (tag: string): Scratch =>
      Object.fromEntries(Object.entries(sizes).map(([k, n]) => [k, buf(n, `${tag}.${k}`)]));
    const SA = makeScratch('A');
    const SB = req.pairs.length > 0 ? makeScratch('B') : SA;
    // keepActivations: per layer, SA with its own buffers for what the backward reads
    const perLayer: Scratch[] = keep
      ? Array.from({ length: L }, (_, l) => ({
          ...SA,
          ...Object.fromEntries(KEPT.map((k) => [k, buf(sizes[k], `L${l}.${k}`)])),
        }))
      : [];
    const table = ropeTableBuffer(ctx, Tmax, c.ropeDims, c.ropeFreqBase);
    owned.push(table);
    const thresholds = ctx.upload(Float32Array.from(req.thresholds), 'thresholds');
    owned.push(thresholds);

    // per-set accumulators and density outputs, one layer at a time
    const setAcc = req.sets.map(
      (s, si) =>
        Object.fromEntries(
          MATRICES.map((m) => {
            const { O, I } = matrixShape(c, m);
            return [m, buf(O * I, `acc.${si}.${m}`)];
          }),
        ) as Record<MatrixName, GPUBuffer>,
    );
    const counts = Object.fromEntries(
      MATRICES.map((m) => [m, buf(densityCounters(K), `counts.${m}`)]),
    ) as Record<MatrixName, GPUBuffer>;
    const dparts = Object.fromEntries(
      MATRICES.map((m) => {
        const { O, I } = matrixShape(c, m);
        return [m, buf(densitySlots(O * I), `dpart.${m}`)];
      }),
    ) as Record<MatrixName, GPUBuffer>;

    const states: SampleState[] = [];
    req.sets.forEach((set, si) =>
      set.samples.forEach((s, index) => {
        const T = s.tokens.length;
        const tokens = ctx.upload(Uint32Array.from(s.tokens), 'tokens');
        owned.push(tokens);
        states.push({
          set: si,
          index,
          source: s.source,
          tokenIds: s.tokens,
          T,
          tokens,
          saved: onCpu
            ? [buf(T * C, 'x')]
            : Array.from({ length: L }, (_, l) => buf(T * C, `x${l}`)),
          cpu: [],
          dxIn: buf(T * C, 'dxIn'),
          dxOut: buf(T * C, 'dxOut'),
          best: buf(2, 'best'),
          result: {
            source: s.source,
            tokens: T,
            tokenIds: s.tokens,
            maxLogit: 0,
            argmax: 0,
            sumA: Array.from({ length: L }, () => new Array(7).fill(0)),
            sumA2: Array.from({ length: L }, () => new Array(7).fill(0)),
            maxA: Array.from({ length: L }, () => new Array(7).fill(0)),
          },
        });
      }),
    );

    const lin = (
      enc: GPUCommandEncoder,
      Y: GPUBuffer,
      X: GPUBuffer,
      l: number,
      m: MatrixName,
      T: number,
    ) => linearForward(ctx, enc, Y, X, model.layers[l].m[m], { T, ...matrixShape(c, m) });
    const linBack = (
      enc: GPUCommandEncoder,
      dX: GPUBuffer,
      dY: GPUBuffer,
      l: number,
      m: MatrixName,
      T: number,
    ) => linearBackwardInput(ctx, enc, dX, dY, model.layers[l].m[m], { T, ...matrixShape(c, m) });

    const rope = (T: number, heads: number) => ({
      T,
      heads,
      headDim: Dh,
      ropeDims: c.ropeDims,
      base: c.ropeFreqBase,
    });

    const forwardLayer = (
      enc: GPUCommandEncoder,
      S: Scratch,
      x: GPUBuffer,
      l: number,
      T: number,
      xOut?: GPUBuffer,
    ) => {
      const lw = model.layers[l];
      rmsnormForward(ctx, enc, S.xn1, S.rstd1, x, lw.attnNorm, T, C, c.rmsEps);
      lin(enc, S.q, S.xn1, l, 'q', T);
      lin(enc, S.k, S.xn1, l, 'k', T);
      lin(enc, S.v, S.xn1, l, 'v', T);
      ropeForward(ctx, enc, S.q, table, rope(T, H));
      ropeForward(ctx, enc, S.k, table, rope(T, Hkv));
      attentionForward(ctx, enc, S.att, S.lse, S.q, S.k, S.v, { T, H, Hkv, Dh });
      lin(enc, S.o, S.att, l, 'o', T);
      addForward(ctx, enc, S.x2, x, S.o, T * C);
      rmsnormForward(ctx, enc, S.xn2, S.rstd2, S.x2, lw.ffnNorm, T, C, c.rmsEps);
      lin(enc, S.gate, S.xn2, l, 'gate', T);
      lin(enc, S.up, S.xn2, l, 'up', T);
      swigluForward(ctx, enc, S.h, S.gate, S.up, T * F);
      if (xOut) {
        lin(enc, S.down, S.h, l, 'down', T);
        addForward(ctx, enc, xOut, S.x2, S.down, T * C);
      }
    };

    const backwardLayer = (
      enc: GPUCommandEncoder,
      S: Scratch,
      x: GPUBuffer,
      l: number,
      T: number,
      dxIn: GPUBuffer,
      dxOut: GPUBuffer,
    ) => {
      const lw = model.layers[l];
      linBack(enc, S.dh, dxIn, l, 'down', T);
      swigluBackward(ctx, enc, S.dg, S.du, S.dh, S.gate, S.up, T * F);
      linBack(enc, S.dxn2, S.dg, l, 'gate', T);
      linBack(enc, S.tmp, S.du, l, 'up', T);
      addAccumulate(ctx, enc, S.dxn2, S.tmp, T * C);
      ctx.copyBuffer(enc, dxIn, 0, S.dx2, 0, T * C * F32);
      rmsnormBackward(ctx, enc, S.dx2, S.dxn2, S.x2, lw.ffnNorm, S.rstd2, T, C);
      linBack(enc, S.datt, S.dx2, l, 'o', T);
      attentionBackward(ctx, enc, S.dq, S.dk, S.dv, S.delta, S.datt, S.q, S.k, S.v, S.att, S.lse, {
        T,
        H,
        Hkv,
        Dh,
      });
      ropeBackward(ctx, enc, S.dq, table, rope(T, H));
      ropeBackward(ctx, enc, S.dk, table, rope(T, Hkv));
      linBack(enc, S.dxn1, S.dq, l, 'q', T);
      linBack(enc, S.tmp, S.dk, l, 'k', T);
      addAccumulate(ctx, enc, S.dxn1, S.tmp, T * C);
      linBack(enc, S.tmp, S.dv, l, 'v', T);
      addAccumulate(ctx, enc, S.dxn1, S.tmp, T * C);
      ctx.copyBuffer(enc, S.dx2, 0, dxOut, 0, T * C * F32);
      rmsnormBackward(ctx, enc, dxOut, S.dxn1, x, lw.attnNorm, S.rstd1, T, C);
      if (req.metric === 'wanda') {
        colnormForward(ctx, enc, S.nC1, S.xn1, T, C);
        colnormForward(ctx, enc, S.nAtt, S.att, T, HD);
        colnormForward(ctx, enc, S.nC2, S.xn2, T, C);
        colnormForward(ctx, enc, S.nF, S.h, T, F);
      }
    };

    /** dY, X and ‖X‖ of each matrix in scratch S after backwardLayer with incoming dxIn. */
    const operands = (
      S: Scratch,
      dxIn: GPUBuffer,
    ): Record<MatrixName, { dY: GPUBuffer; X: GPUBuffer; xnorm: GPUBuffer }> => ({
      q: { dY: S.dq, X: S.xn1, xnorm: S.nC1 },
      k: { dY: S.dk, X: S.xn1, xnorm: S.nC1 },
      v: { dY: S.dv, X: S.xn1, xnorm: S.nC1 },
      o: { dY: S.dx2, X: S.att, xnorm: S.nAtt },
      gate: { dY: S.dg, X: S.xn2, xnorm: S.nC2 },
      up: { dY: S.du, X: S.xn2, xnorm: S.nC2 },
      down: { dY: dxIn, X: S.h, xnorm: S.nF },
    });
    const dimsOf = (m: MatrixName, T: number): LinearDims => ({ T, ...matrixShape(c, m) });

    partialOf = () => ({
      forwardDone,
      layersDone: [...completed].sort((a, b) => a - b),
      samples: states.map((st) => ({ set: req.sets[st.set].name, ...structuredClone(st.result) })),
    });

    // 1. forward every sample
    const started = Date.now();
    const fwdSaved = onCpu ? Array.from({ length: L }, (_, l) => buf(Tmax * C, `fwd.x${l}`)) : [];
    const savedOf = (st: SampleState, l: number) => (onCpu ? st.saved[0] : st.saved[l]);
    for (let i = 0; i < states.length; i++) {
      check();
      const st = states[i];
      const T = st.T;
      const S = SA;
      let enc = ctx.device.createCommandEncoder({ label: `forward ${st.source}` });
      const xs = onCpu ? fwdSaved : st.saved;
      embeddingForward(ctx, enc, xs[0], st.tokens, model.tokenEmbd, T, C);
      for (let l = 0; l < L; l++) {
        forwardLayer(enc, keep ? perLayer[l] : S, xs[l], l, T, l + 1 < L ? xs[l + 1] : S.xL);
        // submitted in parts, so that the GPU starts while the rest is encoded (encoding a 7B
        // forward took about as long as running it on the H200)
        if ((l + 1) % FORWARD_LAYERS_PER_SUBMIT === 0 && l + 1 < L) {
          inflight.push(ctx.submit(enc));
          enc = ctx.device.createCommandEncoder({ label: `forward ${st.source} from ${l + 1}` });
        }
      }
      ctx.copyBuffer(enc, S.xL, (T - 1) * C * F32, S.xlast, 0, C * F32);
      rmsnormForward(ctx, enc, S.xf, S.rstdf, S.xlast, model.outputNorm, 1, C, c.rmsEps);
      linearForward(ctx, enc, S.logits, S.xf, model.output, { T: 1, I: C, O: V });
      headArgmax(ctx, enc, st.best, S.logits, model.output, V, C);
      headBackward(ctx, enc, S.dxf, st.best, model.output, V, C);
      ctx.clearBuffer(enc, S.dlast);
      rmsnormBackward(ctx, enc, S.dlast, S.dxf, S.xlast, model.outputNorm, S.rstdf, 1, C);
      ctx.clearBuffer(enc, st.dxIn);
      ctx.copyBuffer(enc, S.dlast, 0, st.dxIn, (T - 1) * C * F32, C * F32);
      // one submit and readback per sample, not awaited here: the queue keeps the order, so the
      // copies of S.logits and fwdSaved are taken before the next sample overwrites them
      const nLogits = opts.onLogits ? V : 0;
      inflight.push(
        ctx
          .submitAndRead(enc, [
            { buffer: st.best, count: 2 },
            { buffer: S.logits, count: nLogits },
            ...fwdSaved.map((b) => ({ buffer: b, count: T * C })),
          ])
          .then(([best, logits, ...xs]) => {
            if (opts.onLogits) opts.onLogits(st.set, st.index, logits);
            if (onCpu) st.cpu = xs.map((x) => x.slice());
            st.result.argmax = new Uint32Array(best.buffer, best.byteOffset, 2)[0];
            st.result.maxLogit = best[1];
            opts.onProgress?.({
              stage: 'forward',
              set: req.sets[st.set].name,
              sample: st.index,
              samples: req.sets[st.set].samples.length,
              fraction: (0.1 * (i + 1)) / states.length,
            });
          }),
      );
    }
    await Promise.all(inflight);
    inflight = [];
    forwardDone = true;

    if (opts.forwardOnly) return { sets: [], pairs: [] };

    // 2. the layer walk
    const pairs: PairResult[] = req.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      ...(p.shift ? { shift: p.shift } : {}),
      llmdcos: [],
    }));
    const setIndex = new Map(req.sets.map((s, i) => [s.name, i]));
    const stateOf = (set: number, index: number) =>
      states.find((s) => s.set === set && s.index === index)!;
    const fin: {
      counts: number[];
      sumMeanA: number;
      hist: SetResult['density']['histograms'][number][number];
    }[][][] = req.sets.map(() => []);
    const stepsPerLayer = states.length + pairLengths.reduce((a, b) => a + b, 0);
    let steps = 0;
    const progress = (l: number, set?: number, sample?: number) => {
      steps++;
      const frac = 0.1 + (0.9 * steps) / (stepsPerLayer * L);
      const el = (Date.now() - started) / 1000;
      opts.onProgress?.({
        stage: 'layer',
        layer: l,
        set: set === undefined ? undefined : req.sets[set].name,
        sample,
        fraction: frac,
        etaSeconds: (el / frac) * (1 - frac),
      });
    };

    for (let l = L - 1; l >= 0; l--) {
      // the set accumulators are not cleared: each set's first sample of the layer writes its A
      // over what the layer before left ('set'), the others add to it
      const started = new Set<number>();
      if (onCpu) {
        // this layer's inputs back onto the GPU; the CPU copies are not needed again
        for (const st of states) {
          ctx.device.queue.writeBuffer(st.saved[0], 0, st.cpu[l]);
          st.cpu[l] = new Float32Array(0);
        }
      }
      const done = new Set<SampleState>();

      /** Recomputes st's layer l in S and (unless done) scores it alone into its set's sums. */
      const step = (enc: GPUCommandEncoder, S0: Scratch, st: SampleState): boolean => {
        // kept activations: this layer's forward is already in perLayer[l]
        const S = keep ? perLayer[l] : S0;
        if (!keep) forwardLayer(enc, S, savedOf(st, l), l, st.T);
        backwardLayer(enc, S, savedOf(st, l), l, st.T, st.dxIn, st.dxOut);
        if (done.has(st)) return false;
        const ops = operands(S, st.dxIn);
        for (const m of MATRICES) {
          scoreReduce(
            ctx,
            enc,
            setAcc[st.set][m],
            S[`part_${m}`],
            ops[m].dY,
            ops[m].X,
            model.layers[l].m[m],
            ops[m].xnorm,
            dimsOf(m, st.T),
            req.metric as Metric,
            started.has(st.set) || 'set',
          );
        }
        started.add(st.set);
        done.add(st);
        return true;
      };
      /** The partials a step leaves in S, to read with the step's own submit. */
      const singles = (S: Scratch, st: SampleState) =>
        MATRICES.map((m) => ({
          buffer: S[`part_${m}`],
          count: scoreSlots(dimsOf(m, st.T), ctx) * 3,
        }));
      const takeSingles = (st: SampleState, parts: Float32Array[]) =>
        MATRICES.forEach((m, mi) => {
          const [a, a2, mx] = sumPartials(parts[mi], scoreSlots(dimsOf(m, st.T), ctx), true);
          st.result.sumA[l][mi] = a;
          st.result.sumA2[l][mi] = a2;
          st.result.maxA[l][mi] = mx;
        });

      for (let k = 0; k < req.pairs.length; k++) {
        for (let i = 0; i < pairLengths[k]; i++) {
          check();
          const a = stateOf(setIndex.get(req.pairs[k].a)!, i);
          const sb = setIndex.get(req.pairs[k].b)!;
          const b = stateOf(sb, pairedIndex(req.pairs[k], i, req.sets[sb].samples.length));
          const enc = ctx.device.createCommandEncoder({ label: `layer ${l} pair ${k}:${i}` });
          const newA = step(enc, SA, a);
          const newB = a === b ? false : step(enc, SB, b);
          const Sb = a === b ? SA : SB;
          const oa = operands(SA, a.dxIn);
          const ob = operands(Sb, b.dxIn);
          for (const m of MATRICES) {
            scorePair(
              ctx,
              enc,
              SA[`pair_${m}`],
              oa[m],
              ob[m],
              model.layers[l].m[m],
              dimsOf(m, a.T),
              b.T,
              req.metric as Metric,
            );
          }
          const pairParts = MATRICES.map((m) => ({
            buffer: SA[`pair_${m}`],
            count: scoreSlots(dimsOf(m, a.T), ctx) * 3,
          }));
          const reads = [
            ...pairParts,
            ...(newA ? singles(SA, a) : []),
            ...(newB ? singles(SB, b) : []),
          ];
          inflight.push(
            ctx.submitAndRead(enc, reads).then((parts) => {
              let dot = 0;
              let aa = 0;
              let bb = 0;
              MATRICES.forEach((m, mi) => {
                const [x, y, z] = sumPartials(parts[mi], scoreSlots(dimsOf(m, a.T), ctx), false);
                dot += x;
                aa += y;
                bb += z;
              });
              (pairs[k].llmdcos[i] ??= new Array(L).fill(0))[l] = cosFromParts({ dot, aa, bb });
              let o = MATRICES.length;
              if (newA) takeSingles(a, parts.slice(o, (o += MATRICES.length)));
              if (newB) takeSingles(b, parts.slice(o, o + MATRICES.length));
              progress(l, a.set, i);
            }),
          );
        }
      }
      for (const st of states) {
        if (done.has(st)) continue;
        check();
        const enc = ctx.device.createCommandEncoder({ label: `layer ${l} ${st.source}` });
        step(enc, SA, st);
        inflight.push(
          ctx.submitAndRead(enc, singles(SA, st)).then((parts) => {
            takeSingles(st, parts);
            progress(l, st.set, st.index);
          }),
        );
      }
      // density of each set at this layer
      for (let si = 0; si < req.sets.length; si++) {
        const N = req.sets[si].samples.length;
        const enc = ctx.device.createCommandEncoder({ label: `density layer ${l}` });
        for (const m of MATRICES) {
          const { O, I } = matrixShape(c, m);
          ctx.clearBuffer(enc, counts[m]);
          densityFinish(ctx, enc, counts[m], dparts[m], setAcc[si][m], thresholds, O * I, N, K);
        }
        const list = MATRICES.flatMap((m) => {
          const { O, I } = matrixShape(c, m);
          return [
            { buffer: counts[m], count: densityCounters(K) },
            { buffer: dparts[m], count: densitySlots(O * I) },
          ];
        });
        inflight.push(
          ctx.submitAndRead(enc, list).then((read) => {
            fin[si][l] = MATRICES.map((_, mi) => {
              const cnt = read[2 * mi];
              const d = unpackDensity(new Uint32Array(cnt.buffer, cnt.byteOffset, cnt.length), K);
              const sumMeanA = read[2 * mi + 1].reduce((s, x) => s + x, 0);
              return { counts: d.counts, sumMeanA, hist: d.hist };
            });
            opts.onProgress?.({
              stage: 'density',
              layer: l,
              set: req.sets[si].name,
              fraction: 0.1 + (0.9 * steps) / (stepsPerLayer * L),
            });
          }),
        );
      }
      // wait for the layer before this one, not this one: the next layer is encoded while this
      // one runs (every readback has its own staging buffer, and the queue orders each copy
      // before the reuse of what it copies); cancel and progress stay within about a layer
      const mine = inflight;
      inflight = [];
      const layer = l;
      void Promise.all(mine).then(
        () => completed.push(layer),
        () => {},
      );
      await Promise.all(previous);
      previous = mine;
      for (const st of states) [st.dxIn, st.dxOut] = [st.dxOut, st.dxIn];
    }
    await Promise.all(previous);

    const sets: SetResult[] = req.sets.map((set, si) => ({
      name: set.name,
      samples: states.filter((s) => s.set === si).map((s) => s.result),
      density: {
        samples: set.samples.length,
        thresholds: req.thresholds,
        counts: fin[si].map((row) => row.map((f) => f.counts)),
        sumMeanA: fin[si].map((row) => row.map((f) => f.sumMeanA)),
        histograms: fin[si].map((row) => row.map((f) => f.hist)),
      },
    }));
    opts.onProgress?.({ stage: 'done', fraction: 1 });
    return { sets, pairs };
  } catch (e) {
    if ((e as Error).name === 'AbortError' && partialOf) {
      await Promise.allSettled([...inflight, ...previous]);
      (e as Error & { partial?: PartialRun }).partial = partialOf();
    }
    throw e;
  } finally {
    // a cancelled or failed run may leave readbacks in flight: let them end before freeing
    await Promise.allSettled([...inflight, ...previous]);
    for (const b of owned) b.destroy();
    ctx.forgetBindGroups();
    ctx.releaseStaging();
  }
}
