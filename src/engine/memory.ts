// The GPU backend's memory model: what a run allocates beyond the weights, by category, where the
// saved layer inputs live (GPU, or CPU memory when the GPU's budget is short), and the refusals
// of a run that cannot fit. run-gpu.ts allocates exactly what runScratchFloats lists.
import { MATRICES, matrixShape, type LlamaConfig } from '../model/config';
import { headScratchFloats, KEPT_ACTIVATIONS, layerScratchFloats } from '../gpu/llama';
import { packScratchBytes, splitScratchFloats } from '../gpu/ops/linear';
import { scoreOperandBytes } from '../gpu/ops/score';
import { bindingLimit } from '../gpu/runtime/context';
import { scoreSlots } from '../gpu/ops/score';
import { densityCounters, densitySlots, MAX_THRESHOLDS } from '../gpu/ops/density';
import type { RunRequest, SavedInputs } from './types';
import { planUnits } from './incremental';
import { formatBytes } from '../util/format';
import { batchGroups, defaultBatch, groupRows, walksInBatches } from './batch-plan';

const F32 = 4;
/**
 * GPU memory the driver and WebGPU take beside our buffers once the kernels have run (measured
 * with nvidia-smi on an H200, each row in a fresh process: 0.81 GiB after a first f32 run,
 * 0.99 GiB with the f16 kernels; bench/results/README.md). Counted in every estimate so that what
 * the app shows is not below what the GPU reports.
 */
export const RUNTIME_BYTES = 2 ** 30;

/** Bytes by category for a run (what estimateGpuMemory reports and runGpu allocates). */
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
  /** what the GPU driver and WebGPU hold beside our buffers once kernels have run (RUNTIME_BYTES) */
  runtime: number;
  /** GPU bytes in all */
  total: number;
  /** the largest single buffer, to check against maxStorageBufferBindingSize */
  largestBuffer: number;
  /** whether the layer walk keeps every layer's forward (no recompute) */
  keepActivations: boolean;
  /** samples per batch of the layer walk (1: one at a time; batch-walk.ts) */
  batch: number;
}

/** What the memory model reads of a request. */
export type PlannedRequest = Pick<RunRequest, 'sets' | 'pairs'> &
  Partial<Pick<RunRequest, 'metric' | 'pooledHidden'>>;

/**
 * f32 lengths of one scratch set at T tokens: a layer's activations and gradients, the head's
 * buffers, and per matrix the score kernels' partials (`part_m`, one sample) and the pair
 * kernel's (`pair_m`).
 */
export function runScratchFloats(c: LlamaConfig, T: number): Record<string, number> {
  const s: Record<string, number> = { ...layerScratchFloats(c, T), ...headScratchFloats(c) };
  for (const m of MATRICES) {
    const slots = scoreSlots({ T, ...matrixShape(c, m) });
    s[`part_${m}`] = slots * 3;
    s[`pair_${m}`] = slots * 3;
  }
  return s;
}

/** Every linear of the model as O × I: the 7 matrices of a layer and the head. */
const linearShapes = (c: LlamaConfig) => [
  ...MATRICES.map((m) => matrixShape(c, m)),
  { O: c.vocabSize, I: c.embeddingLength },
];

/** Whether a run takes keepActivations: one sample, no pairs, saved inputs on the GPU. */
export function keepsActivations(
  req: Pick<RunRequest, 'sets' | 'pairs'>,
  savedOn: SavedInputs,
  keep?: boolean,
): boolean {
  const n = req.sets.reduce((a, s) => a + s.samples.length, 0);
  return !!keep && n === 1 && req.pairs.length === 0 && savedOn === 'gpu';
}

/** The split-K partials of the tiled linears: one scratch, the largest use over every tile shape. */
function splitScratch(c: LlamaConfig, T: number): number {
  return Math.max(
    0,
    ...MATRICES.flatMap((m) => {
      const { O, I } = matrixShape(c, m);
      return [splitScratchFloats(T, O, I), splitScratchFloats(T, I, O)];
    }),
  );
}

/**
 * GPU bytes a run takes by category. `batch`: samples per batch of the layer walk, for a run that
 * walks in batches (walksInBatches; else 1): each sample then takes its batch's row stride in
 * the saved inputs and gradients, and the scratch holds a whole batch's rows.
 */
export function estimateGpuMemory(
  c: LlamaConfig,
  weightBytes: number,
  req: PlannedRequest,
  savedOn: SavedInputs = 'gpu',
  keepActivations = false,
  batch = 1,
): MemoryEstimate {
  const C = c.embeddingLength;
  const L = c.blockCount;
  const samples = req.sets.flatMap((s) => s.samples);
  const lengths = samples.map((s) => s.tokens.length);
  const B = walksInBatches(req, keepActivations) ? Math.max(1, batch) : 1;
  const groups = B > 1 ? batchGroups(c, lengths, B) : [];
  const Tmax = Math.max(1, ...lengths, ...groups.map(groupRows));
  const tokens =
    B > 1 ? groups.reduce((a, g) => a + groupRows(g), 0) : lengths.reduce((a, b) => a + b, 0);
  const sizes = runScratchFloats(c, Tmax);
  // (split-K partials counted even where the simple kernels run)
  const scratchOne =
    (Object.values(sizes).reduce((a, b) => a + b, 0) + splitScratch(c, Tmax)) * F32;
  const params = MATRICES.map((m) => matrixShape(c, m).O * matrixShape(c, m).I);
  const layerParams = params.reduce((a, b) => a + b, 0);
  const largestMatrix = Math.max(...params);
  const allSaved = tokens * C * L * F32;
  const densityParts = params.reduce(
    (s, n) => s + densitySlots(n) + densityCounters(MAX_THRESHOLDS),
    0,
  );
  const keep = keepsActivations(req, savedOn, keepActivations);
  const est: MemoryEstimate = {
    savedOn,
    weights: weightBytes,
    // CPU mode: one (T, C) slice per sample, plus L (Tmax, C) buffers the forward writes into
    savedInputs: savedOn === 'gpu' ? allSaved : (tokens * C + L * Tmax * C) * F32,
    cpuSavedInputs: savedOn === 'gpu' ? 0 : allSaved,
    gradients: 2 * tokens * C * F32,
    // + the matrix linears' packed f16 operands (the largest activations and weight, the head's
    // included) and the matrix score's (packed unless options.scoreF16Operands is false) — counted
    // on every path, since the estimate does not know the adapter or the options; with keepActivations,
    // every layer's forward activations stay (no recompute in the walk); a batch's samples past
    // the first: their score partials
    scratch:
      packScratchBytes(linearShapes(c), Tmax) +
      scoreOperandBytes(
        MATRICES.map((m) => matrixShape(c, m)),
        Tmax,
      ) +
      scratchOne * (req.pairs.length > 0 ? 2 : 1) +
      (B - 1) * MATRICES.reduce((a, m) => a + sizes[`part_${m}`], 0) * F32 +
      (keep ? L * KEPT_ACTIVATIONS.reduce((a, k) => a + sizes[k], 0) * F32 : 0),
    accumulators: (req.sets.length * layerParams + densityParts) * F32,
    runtime: RUNTIME_BYTES,
    total: 0,
    largestBuffer: Math.max(
      largestMatrix * F32,
      Tmax * c.feedForwardLength * F32,
      c.vocabSize * F32,
    ),
    keepActivations: keep,
    batch: B,
  };
  est.total =
    est.weights + est.savedInputs + est.gradients + est.scratch + est.accumulators + est.runtime;
  return est;
}

export class RunRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/**
 * Where to keep the saved layer inputs for a GPU with `budget` bytes (none: on the GPU), and the
 * batch: on the GPU when everything fits at some batch, else in CPU memory, again the largest
 * batch that fits. Returns the estimate of the choice (the last tried when nothing fits).
 */
export function planMemory(
  c: LlamaConfig,
  weightBytes: number,
  req: PlannedRequest,
  budget?: number,
  batch?: number,
): MemoryEstimate {
  const lengths = req.sets.flatMap((s) => s.samples.map((x) => x.tokens.length));
  // the batch asked for, else the default one; smaller ones while the budget is short — first
  // with the saved inputs on the GPU, then in CPU memory (a large set's inputs, e.g. 64 samples of
  // 128 tokens at 7B: 4 GiB, need not leave it walking one sample at a time)
  let est: MemoryEstimate | null = null;
  for (const savedOn of ['gpu', 'cpu'] as const) {
    for (let B = batch ?? defaultBatch(c, lengths); ; B = Math.floor(B / 2)) {
      est = estimateGpuMemory(c, weightBytes, req, savedOn, false, Math.max(1, B));
      if (budget === undefined || est.total <= budget) return est;
      if (B <= 1) break;
    }
  }
  return est!;
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

/** Refuses, with the numbers, a run above a GPU memory budget. */
export function checkBudget(est: MemoryEstimate, budget?: number): void {
  if (budget !== undefined && est.total > budget)
    throw new RunRefusedError(
      `the run needs ${gib(est.total)} of GPU memory (weights ${gib(est.weights)}, saved inputs ${gib(est.savedInputs)}${est.savedOn === 'cpu' ? ' with the rest in CPU memory' : ''}, gradients ${gib(est.gradients)}, scratch ${gib(est.scratch)}, accumulators ${gib(est.accumulators)}, driver and WebGPU runtime ${gib(est.runtime)}) but the budget is ${gib(budget)}`,
    );
}

/** Refuses, with the numbers, a run whose buffers exceed the device's limits. */
export function checkFits(est: MemoryEstimate, limits: GPUSupportedLimits): void {
  const lim = bindingLimit(limits);
  if (est.largestBuffer > lim) {
    throw new RunRefusedError(
      `the run needs a ${est.largestBuffer} B buffer but the adapter binds at most ${lim} B (maxStorageBufferBindingSize)`,
    );
  }
}

/** What a request would take: the largest of its units' plans, how many units, what cannot fit. */
export interface RequestPlan {
  est: MemoryEstimate;
  units: number;
  pairs: number;
  problems: string[];
}

/**
 * The memory plan of the largest unit a request runs as (a pair of sets with both, or a set),
 * with every reason it cannot fit: the adapter's buffer limits, the budget set by the user.
 */
export function planRequest(
  c: LlamaConfig,
  weightBytes: number,
  req: PlannedRequest,
  budget?: number,
  limits?: GPUSupportedLimits,
): RequestPlan | null {
  const units = planUnits(req);
  let worst: MemoryEstimate | null = null;
  for (const u of units) {
    const e = planMemory(c, weightBytes, { ...u, metric: req.metric }, budget);
    if (!worst || e.total > worst.total) worst = e;
  }
  if (!worst) return null;
  const problems: string[] = [];
  try {
    if (limits) checkFits(worst, limits);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (budget !== undefined && worst.total > budget)
    problems.push(
      `${formatBytes(worst.total)} exceeds the ${+(budget / 2 ** 30).toPrecision(3)} GiB of GPU memory you set, even with the saved layer inputs in CPU memory`,
    );
  return { est: worst, units: units.length, pairs: req.pairs.length, problems };
}
