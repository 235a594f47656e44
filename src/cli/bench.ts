// npm run bench -- [--shape tiny|7b|8b] [--types q4_0,q8_0,q4_k_m] [--tokens 128,256] [--out bench.json]
//   [--precision f32,f16] [--unsafe] [--check] [--repeat 3] [--streaming] [--profile]
// Per-op rates (GFLOP/s, GB/s of weights) at the shape's layer sizes, then the time of a whole
// sample (forward, layer walk, scores) and our GPU memory by category, on synthetic random
// weights. The default shape is tiny (runs anywhere, SwiftShader included); 7b is the paper's
// Llama-2-7B shape for a real GPU, 8b Llama-3-8B's. A type is one type for every matrix or a
// llama.cpp mix (q4_k_m: src/gpu/synthetic.ts's MIXES).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openNodeGpu } from '../gpu/runtime/node';
import { GpuContext, optionsFor, precisionLabel } from '../gpu/runtime/context';
import type { Precision } from '../gpu/runtime/context';
import { checkF16Kernels } from '../gpu/checks/f16check';
import { GpuProfiler } from '../gpu/runtime/profiler';
import { benchSts, type StsBenchRow } from './bench-sts';
import { benchPrune, type PruneBenchRow } from './bench-prune';
import { benchScores, type ScoresBenchRow } from './bench-scores';
import {
  LLAMA2_7B,
  LLAMA3_8B,
  MIXES,
  oneType,
  syntheticLlama,
  type TypeMix,
} from '../gpu/synthetic';
import { runGpu } from '../engine/run-gpu';
import type { GpuLlama } from '../gpu/model';
import { estimateGpuMemory } from '../engine/memory';
import type { SavedInputs } from '../engine/types';
import { linearBackwardInput, linearForward } from '../gpu/ops/linear';
import { scoreReduce, scoreSlots } from '../gpu/ops/score';
import { attentionBackward, attentionForward } from '../gpu/ops/attention';
import { uploadWeight } from '../gpu/ops/quant';
import { densityCounters, densityFinish, densitySlots } from '../gpu/ops/density';
import { randomTensorBytes } from '../gguf/random-blocks';
import { BLOCK, GgmlType } from '../gguf/types';
import { MATRICES, matrixShape, type LlamaConfig } from '../model/config';
import type { RunRequest } from '../engine/types';
import { planMemory, planRequest, RunRefusedError } from '../engine/memory';
import { oneLine } from '../util/message';
import { runIncremental } from '../engine/incremental';
import { memoryStore } from '../cache/store';
import { gpuMemoryNow, withGpuMemoryPeak } from './gpu-memory';

const TINY: LlamaConfig = {
  ...LLAMA2_7B,
  name: 'tiny',
  embeddingLength: 256,
  blockCount: 4,
  feedForwardLength: 512,
  headCount: 4,
  headCountKv: 4,
  headDim: 64,
  ropeDims: 64,
  vocabSize: 1000,
};

const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: 'tiny' },
    types: { type: 'string', default: 'q4_0,q8_0' },
    tokens: { type: 'string', default: '' },
    out: { type: 'string' },
    'skip-ops': { type: 'boolean', default: false },
    /** per-op rates only (no whole samples) */
    'ops-only': { type: 'boolean', default: false },
    /** per-op rates of the linears alone (forward, backward-input; the head's shape too) */
    'linear-only': { type: 'boolean', default: false },
    /** the f16 path without subgroup matrices even where the adapter has them (what most adapters get) */
    'no-matrix': { type: 'boolean', default: false },
    /** also time runs with the saved layer inputs in CPU memory (streamed back per layer) */
    streaming: { type: 'boolean', default: false },
    /** samples per set for the streaming comparison */
    'stream-samples': { type: 'string', default: '2' },
    /**
     * batch sizes of the layer walk to time for the multi-sample rows (--streaming), e.g. 1,4
     * (default: the planner's choice only)
     */
    batch: { type: 'string', default: '' },
    /** also time a whole workload: SETSxSAMPLES at the first --tokens, e.g. 5x64 (Finding 1) */
    workload: { type: 'string', default: '' },
    /**
     * the workload under this GPU budget (GiB), run as the app runs it: a set at a time (its cache
     * units), each planned under the budget (smaller batches, then the saved layer inputs in CPU
     * memory), as a person with that much GPU memory would run it
     */
    'gpu-budget': { type: 'string', default: '' },
    /** which sample rows to time: lone, kept (activations kept), multi (--streaming's), cpu */
    rows: { type: 'string', default: 'lone,kept,multi,cpu' },
    /** time every kernel of one sample's run with timestamp queries */
    profile: { type: 'boolean', default: false },
    /** workgroups split-K aims for in the tiled linears */
    'split-target': { type: 'string' },
    /** precisions to time, in order (f16: the f16 path, on subgroup matrices where usable) */
    precision: { type: 'string', default: 'f32' },
    /**
     * Dawn's allow_unsafe_apis and vulkan_enable_f16_on_nvidia: shader-f16 and subgroup
     * matrices on NVIDIA's Vulkan driver (not what a stock browser gives)
     */
    unsafe: { type: 'boolean', default: false },
    /**
     * more Dawn toggles to enable, comma-separated (experiments, e.g. disable_robustness: what
     * the index clamps a browser always has cost; never a result row of the table)
     */
    'dawn-features': { type: 'string', default: '' },
    /** Dawn toggles to disable, comma-separated (experiments, as --dawn-features) */
    'dawn-disable': { type: 'string', default: '' },
    /** runs per timed configuration (the median is reported) */
    repeat: { type: 'string', default: '3' },
    /** check the f16 kernels (incl. subgroup matrices) against their twins before timing */
    check: { type: 'boolean', default: false },
    /**
     * tiles of the matrix kernels to compare, keys of MATRIX_TILES in src/gpu/ops/linear.ts
     * (per-op rates and checks for each; whole samples with the first)
     */
    'matrix-tile': { type: 'string', default: '' },
    /**
     * the f16 path's score on subgroup matrices as two kernels (∂D/∂W stored, then scored), as
     * before the fused kernel: the comparison
     */
    'score-split': { type: 'boolean', default: false },
    /**
     * a batch's samples of one set scored in one kernel, Σ A folded in once, at any T and on every
     * path (default: on subgroup matrices up to FOLD_MAX_T tokens)
     */
    'score-fold': { type: 'boolean', default: false },
    /** one score kernel per sample, never the batch fold: the comparison */
    'score-per-sample': { type: 'boolean', default: false },
    /** f16 without subgroup matrices: the f32-multiply-add linears (shaders/linear_f16.wgsl) instead of the packed default */
    'f16-unpacked': { type: 'boolean', default: false },
    /** a batch's attention one dispatch per sample (as before the stacked dispatch): the comparison */
    'attention-per-sample': { type: 'boolean', default: false },
    /** the attention forward on the block kernels instead of subgroup matrices: the comparison */
    'attention-blk': { type: 'boolean', default: false },
    /** the score kernel's tile on subgroup matrices, a key of SCORE_TILES in src/gpu/ops/score.ts */
    'score-tile': { type: 'string', default: '' },
    /** the score kernel's operands staged from f32, not packed to f16 first (options.scoreF16Operands false) */
    'score-f32-in': { type: 'boolean', default: false },
    /** f32 tiled linears' tile sides to compare (64, 128), likewise */
    'linear-tile': { type: 'string', default: '' },
    /**
     * also time the CPU side of each run: ms inside dispatch encoding, bind-group and buffer
     * creation and submits (what the GPU may wait for)
     */
    'cpu-time': { type: 'boolean', default: false },
    /** also time the STS lab's run: this many pairs of random sentences (0: none) */
    /** a folder to time a set's per-parameter scores file in (removed after: ≈ 26 GB at 7B) */
    'scores-out': { type: 'string' },
    /** samples of that set (at the first --tokens, in batches of the largest --batch) */
    'scores-samples': { type: 'string', default: '4' },
    'sts-pairs': { type: 'string', default: '0' },
    /** the STS sentences' most tokens (BOS included); lengths are drawn from 8 up to it */
    'sts-tokens': { type: 'string', default: '64' },
    /** also time the pruning lab: Wanda at 50 % with this many calibration samples (0: none) */
    'prune-samples': { type: 'string', default: '0' },
    /** eval samples for the pruned model's perplexity */
    'eval-samples': { type: 'string', default: '64' },
    /** tokens of each calibration and eval sample (BOS included) */
    'prune-tokens': { type: 'string', default: '512' },
  },
});
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat ${values.repeat}: ≥ 1`);
const precisions = values.precision!.split(',').map((p) => {
  if (p !== 'f32' && p !== 'f16') throw new Error(`--precision: f32 or f16, not ${p}`);
  return p as Precision;
});
const SHAPES: Record<string, LlamaConfig> = { tiny: TINY, '7b': LLAMA2_7B, '8b': LLAMA3_8B };
const config = SHAPES[values.shape!];
if (!config) throw new Error(`--shape: one of ${Object.keys(SHAPES).join(', ')}`);
const tokenCounts = (values.tokens || (values.shape === 'tiny' ? '16,32' : '128,256'))
  .split(',')
  .map(Number);
const types: TypeMix[] = values.types!.split(',').map((t) => {
  if (MIXES[t.toLowerCase()]) return MIXES[t.toLowerCase()];
  const g = GgmlType[t.toUpperCase() as keyof typeof GgmlType];
  if (g === undefined || !BLOCK[g as GgmlType]) throw new Error(`--types: unknown type ${t}`);
  return oneType(g as GgmlType);
});

const dawnFeatures = [
  ...(values.unsafe ? ['allow_unsafe_apis', 'vulkan_enable_f16_on_nvidia'] : []),
  ...(values['dawn-features'] ? values['dawn-features'].split(',') : []),
];
const toggles = [
  ...(dawnFeatures.length ? [`enable-dawn-features=${dawnFeatures.join(',')}`] : []),
  ...(values['dawn-disable'] ? [`disable-dawn-features=${values['dawn-disable']}`] : []),
];
const { gpu, software } = await openNodeGpu({ toggles });
const s = gpu.summary;
const adapter = [s.vendor, s.architecture, s.device, s.description].filter(Boolean).join(' / ');
console.log(
  `adapter: ${adapter}${software ? ' (software)' : ''}; toggles [${toggles.join(' ')}]; shader-f16 ${s.features.shaderF16}, subgroup matrices ${s.features.subgroupMatrix} (usable: ${s.features.matrixF16})`,
);
const listOf = (v?: string) => (v ? v.split(',').map(Number) : [undefined]);
const matrixTileChoices = values['matrix-tile'] ? values['matrix-tile'].split(',') : [undefined];
const tileChoices = listOf(values['linear-tile']);
/** A context for precision p; `variant`: the matrix kernels' tile (f16) or the f32 tile side. */
const contextFor = (p: Precision, variant?: number | string) => {
  const options = optionsFor(gpu.summary, p);
  // as an adapter without subgroup matrices: the f16 path's packed linears
  if (values['no-matrix']) Object.assign(options, { matrix: false, f16Packed: !!options.f16 });
  return new GpuContext(gpu.device, {
    ...options,
    ...(values['split-target'] ? { splitTarget: Number(values['split-target']) } : {}),
    ...(values['score-split'] ? { fusedScore: false } : {}),
    ...(values['score-fold'] ? { foldScore: true } : {}),
    ...(values['score-per-sample'] ? { foldScore: false } : {}),
    ...(values['f16-unpacked'] ? { f16Packed: false } : {}),
    ...(values['attention-per-sample'] ? { stackAttention: false } : {}),
    ...(values['attention-blk'] ? { matrixAttention: false } : {}),
    ...(values['score-tile'] ? { scoreTile: values['score-tile'] } : {}),
    ...(values['score-f32-in'] ? { scoreF16Operands: false } : {}),
    ...(variant && options.matrix ? { matrixTile: String(variant) } : {}),
    ...(variant && !options.f16 ? { linearTile: Number(variant) } : {}),
  });
};
/** The precision label, with the variant when several are compared. */
const labelOf = (c: GpuContext) =>
  precisionLabel(c.options) +
  (c.options.matrix && c.options.matrixTile ? ` ${c.options.matrixTile}` : '') +
  (c.options.linearTile ? ` tile ${c.options.linearTile}` : '') +
  (c.options.fusedScore === false ? ' score-split' : '') +
  (c.options.foldScore === true ? ' score-fold' : '') +
  (c.options.foldScore === false ? ' score-per-sample' : '') +
  (c.options.f16 && !c.options.matrix && !c.options.f16Packed ? ' unpacked' : '') +
  (c.options.stackAttention === false ? ' attention-per-sample' : '') +
  (c.options.matrixAttention === false ? ' attention-blk' : '') +
  (c.options.scoreTile ? ` score ${c.options.scoreTile}` : '') +
  (c.options.scoreF16Operands === false ? ' score-f32-in' : '');
let ctx = contextFor(precisions[0]);
let precision = precisionLabel(ctx.options);
const checks = [];
if (values.check) {
  for (const p of precisions.filter((x) => x === 'f16')) {
    for (const nsg of matrixTileChoices) {
      const c = contextFor(p, nsg);
      gpu.device.pushErrorScope('validation');
      const result = await checkF16Kernels(c);
      const error = await gpu.device.popErrorScope();
      console.log(`check ${labelOf(c)}: ${result.ok && !error ? 'ok' : 'FAILED'}`);
      if (error) console.log(`  GPU validation error: ${error.message}`);
      for (const r of result.results) console.log(`  ${r.report}`);
      checks.push({ precision: labelOf(c), error: error?.message, ...result });
    }
  }
}

async function time(record: (enc: GPUCommandEncoder) => void, minMs = 200): Promise<number> {
  const once = async (reps: number) => {
    const enc = ctx.device.createCommandEncoder();
    for (let i = 0; i < reps; i++) record(enc);
    const t0 = performance.now();
    await ctx.submit(enc);
    return performance.now() - t0;
  };
  await once(1);
  let reps = 1;
  let ms = await once(reps);
  while (ms < minMs && reps < 1024) {
    reps *= 4;
    ms = await once(reps);
  }
  return ms / reps / 1000;
}

interface OpRow {
  precision: string;
  op: string;
  type: string;
  T: number;
  O: number;
  I: number;
  seconds: number;
  gflops: number;
  weightGBs: number;
}
const ops: OpRow[] = [];
/** The linears at 7B's four shapes: q (C → C), gate (C → F), down (F → C) and the head (C → V). */
type LinearShape = 'q' | 'gate' | 'down' | 'head';
const shapeOf = (m: LinearShape) =>
  m === 'head' ? { O: config.vocabSize, I: config.embeddingLength } : matrixShape(config, m);

/** The linears and (unless --linear-only; not for the head) the score kernel at shape m. */
async function benchLinear(t: GgmlType, T: number, m: LinearShape): Promise<void> {
  const { O, I } = shapeOf(m);
  const W = uploadWeight(ctx.device, randomTensorBytes(t, O * I, 7, 0.01), t, O * I);
  const X = ctx.storage(T * Math.max(O, I) * 4);
  const Y = ctx.storage(T * Math.max(O, I) * 4);
  const d = { T, O, I };
  const flops = 2 * T * O * I;
  const row = (op: string, sec: number): OpRow => ({
    precision,
    op,
    type: GgmlType[t],
    T,
    O,
    I,
    seconds: sec,
    gflops: flops / sec / 1e9,
    weightGBs: W.buffer.size / sec / 1e9,
  });
  ops.push(row(`linear_forward ${m}`, await time((enc) => linearForward(ctx, enc, Y, X, W, d))));
  ops.push(
    row(
      `linear_backward_input ${m}`,
      await time((enc) => linearBackwardInput(ctx, enc, X, Y, W, d)),
    ),
  );
  if (!values['linear-only'] && m !== 'head') {
    const acc = ctx.storage(O * I * 4);
    const part = ctx.storage(scoreSlots({ T, O, I }, ctx) * 12);
    const score = (enc: GPUCommandEncoder) =>
      scoreReduce(ctx, enc, acc, part, Y, X, W, X, d, 'grad_x_weight', true);
    ops.push(row(`score_reduce ${m}`, await time(score)));
    [acc, part].forEach((b) => b.destroy());
  }
  [W.buffer, X, Y].forEach((b) => b.destroy());
}

/** Attention forward and backward at T tokens. */
async function benchAttention(T: number): Promise<void> {
  const ad = { T, H: config.headCount, Hkv: config.headCountKv, Dh: config.headDim };
  const n = T * ad.H * ad.Dh;
  const [q, k, v, o, dout, dq, dk, dv] = Array.from({ length: 8 }, () => ctx.storage(n * 4));
  const [lse, delta] = [ctx.storage(ad.H * T * 4), ctx.storage(ad.H * T * 4)];
  const aflops = 2 * 2 * ((T * (T + 1)) / 2) * ad.H * ad.Dh;
  const row = (op: string, seconds: number, flops: number): OpRow => ({
    precision,
    op,
    type: '-',
    T,
    O: ad.H,
    I: ad.Dh,
    seconds,
    gflops: flops / seconds / 1e9,
    weightGBs: 0,
  });
  const fw = await time((enc) => attentionForward(ctx, enc, o, lse, q, k, v, ad));
  ops.push(row('attention_forward', fw, aflops));
  const bw = await time((enc) =>
    attentionBackward(ctx, enc, dq, dk, dv, delta, dout, q, k, v, o, lse, ad),
  );
  ops.push(row('attention_backward', bw, 2.5 * aflops));
  [q, k, v, o, dout, dq, dk, dv, lse, delta].forEach((b) => b.destroy());
}

/** The density finish over one layer's parameters (once per set and layer). */
async function benchDensity(T: number): Promise<void> {
  const n = MATRICES.reduce((s, m) => s + matrixShape(config, m).O * matrixShape(config, m).I, 0);
  const acc = ctx.storage(n * 4);
  const counts = ctx.storage(densityCounters(1) * 4);
  const part = ctx.storage(densitySlots(n) * 4);
  const thr = ctx.upload(Float32Array.of(2e-6));
  const sec = await time((enc) => densityFinish(ctx, enc, counts, part, acc, thr, n, 1, 1));
  ops.push({
    precision,
    op: 'density_finish layer',
    type: '-',
    T,
    O: n,
    I: 1,
    seconds: sec,
    gflops: 0,
    weightGBs: (n * 4) / sec / 1e9,
  });
  [acc, counts, part, thr].forEach((b) => b.destroy());
}

async function benchOps(): Promise<void> {
  for (const t of new Set(types.map((x) => x.main))) {
    for (const T of tokenCounts) {
      for (const m of ['q', 'gate', 'down', 'head'] as const) await benchLinear(t, T, m);
      if (values['linear-only']) continue;
      await benchAttention(T);
      if (T === tokenCounts[0]) await benchDensity(T);
    }
  }
  console.table(
    ops.map((o) => ({
      ...o,
      seconds: o.seconds.toExponential(2),
      gflops: o.gflops.toFixed(1),
      weightGBs: o.weightGBs.toFixed(1),
    })),
  );
}

/** CPU milliseconds a run spent in the calls it makes per dispatch, buffer and submit. */
type CpuTime = Record<'dispatch' | 'bindGroups' | 'buffers' | 'submits', { ms: number; n: number }>;

/** Wraps the context's and device's calls with timers while `body` runs. */
async function cpuTimed(body: () => Promise<void>): Promise<CpuTime> {
  const t: CpuTime = {
    dispatch: { ms: 0, n: 0 },
    bindGroups: { ms: 0, n: 0 },
    buffers: { ms: 0, n: 0 },
    submits: { ms: 0, n: 0 },
  };
  const wrap = <T extends object, K extends keyof T>(o: T, k: K, slot: keyof CpuTime) => {
    const f = o[k] as (...a: unknown[]) => unknown;
    o[k] = ((...a: unknown[]) => {
      const s0 = performance.now();
      const r = f.apply(o, a);
      t[slot].ms += performance.now() - s0;
      t[slot].n++;
      return r;
    }) as T[K];
    return () => (o[k] = f as T[K]);
  };
  const undo = [
    wrap(ctx, 'dispatch', 'dispatch'),
    wrap(ctx.device, 'createBindGroup', 'bindGroups'),
    wrap(ctx.device, 'createBuffer', 'buffers'),
    wrap(ctx.device.queue, 'submit', 'submits'),
  ];
  try {
    await body();
  } finally {
    undo.forEach((u) => u());
  }
  return t;
}

interface SampleRow {
  precision: string;
  type: string;
  T: number;
  samples: number;
  savedInputs: SavedInputs;
  keepActivations: boolean;
  /** samples per batch of the layer walk (1: one at a time) */
  batch: number;
  /** nvidia-smi's peak for this process over the row's runs (null: no reading) */
  measuredBytes: number | null;
  /** nvidia-smi's reading just before the row (what earlier rows left held) */
  measuredBeforeBytes: number | null;
  /** per sample: the median of the repeats, and each */
  seconds: number;
  secondsAll: number[];
  forwardSeconds: number;
  memory: ReturnType<typeof estimateGpuMemory>;
  /** --cpu-time: the median run's CPU time in those calls (dispatch includes bind groups) */
  cpu?: CpuTime;
  /**
   * --workload under --gpu-budget: run as the app runs it (src/engine/incremental.ts: one unit per
   * set, each planned under the budget); the units, and `memory` is the largest unit's plan
   */
  units?: number;
}
const samples: SampleRow[] = [];
const profiles: {
  precision: string;
  type: string;
  T: number;
  samples: number;
  batch: number;
  wallMs: number;
  kernelMs: number;
  /** the longest submit's GPU time (first pass begin to last pass end) */
  longestSubmitMs: number;
  kernels: ReturnType<GpuProfiler['table']>;
}[] = [];
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** A timed configuration: T, samples, saved inputs, activations kept, batch (default: planned). */
type Run = [number, number, SavedInputs, boolean, number?];

/**
 * Times `req` (the median of `reps` runs, per sample) with nvidia-smi's reading; adds a row.
 * `app`: run it as the app does under that GPU budget (runIncremental over a fresh in-memory
 * cache, each unit planned under the budget by runGpu) instead of as one request with the row's
 * saved inputs and batch.
 */
async function timeRow(
  model: GpuLlama,
  t: TypeMix,
  req: RunRequest,
  r: Run,
  reps = repeat,
  app?: { budget: number },
) {
  const [T, count, savedInputs, keepActivations, batch] = r;
  const plan = app ? planRequest(config, model.bytes, req, app.budget) : null;
  const memory = plan
    ? plan.est
    : savedInputs === 'gpu' && !keepActivations
      ? planMemory(config, model.bytes, req, undefined, batch)
      : estimateGpuMemory(config, model.bytes, req, savedInputs, keepActivations);
  const times: { sec: number; forward: number; cpu?: CpuTime }[] = [];
  // the previous row's buffers are destroyed (its pooled ones too: each row starts from none, its
  // repeats reuse the first's as the app's next run would); let the device release them first
  ctx.pool.trim();
  await ctx.device.queue.onSubmittedWorkDone();
  await new Promise((r) => setTimeout(r, 1000));
  const { peakBytes, startBytes } = await withGpuMemoryPeak(async () => {
    // the median of `reps` runs (single runs varied by ±10 % on the H200)
    for (let rep = 0; rep < reps; rep++) {
      let forwardDone = 0;
      const t0 = performance.now();
      const onProgress = (p: { stage: string }) => {
        if (p.stage === 'forward') forwardDone = performance.now();
      };
      const run = () =>
        app
          ? runIncremental(
              req,
              'bench',
              memoryStore(),
              (unit, o) => runGpu(ctx, model, unit, { ...o, gpuMemoryBudget: app.budget }),
              { onProgress },
            ).then(() => {})
          : runGpu(ctx, model, req, { savedInputs, keepActivations, batch, onProgress }).then(
              () => {},
            );
      const cpu = values['cpu-time'] ? await cpuTimed(run) : (await run(), undefined);
      const sec = (performance.now() - t0) / 1000 / count;
      times.push({ sec, forward: (forwardDone - t0) / 1000 / count, cpu });
    }
  });
  times.sort((a, b) => a.sec - b.sec);
  const { sec, forward, cpu } = times[Math.floor((times.length - 1) / 2)];
  const row: SampleRow = {
    precision,
    type: t.name,
    T,
    samples: count,
    savedInputs: memory.savedOn,
    keepActivations,
    batch: memory.batch,
    ...(plan ? { units: plan.units } : {}),
    seconds: sec,
    secondsAll: times.map((x) => x.sec),
    forwardSeconds: forward,
    cpu,
    memory,
    measuredBytes: peakBytes,
    measuredBeforeBytes: startBytes,
  };
  samples.push(row);
  console.log(
    `${config.name} ${precision} ${row.type} T=${T} ×${count} batch ${row.batch} (saved inputs on the ${row.savedInputs}${keepActivations ? ', activations kept' : ''}${plan ? `; as the app runs it: ${plan.units} units under ${gib(app!.budget)}, the largest unit's plan` : ''}): ${sec.toFixed(3)} s per sample (forward ${forward.toFixed(3)} s), GPU memory estimate ${gib(memory.total)} (weights ${gib(memory.weights)}, CPU ${gib(memory.cpuSavedInputs)}), nvidia-smi ${peakBytes === null ? '—' : `${gib(peakBytes)} (before the row ${gib(startBytes ?? 0)})`}`,
  );
  if (cpu)
    console.log(
      `  CPU: ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${v.ms.toFixed(1)} ms (${v.n})`)
        .join(', ')}`,
    );
}

async function benchSamples(t: TypeMix): Promise<void> {
  const up0 = performance.now();
  const model = await syntheticLlama(ctx, config, t, 3);
  await ctx.device.queue.onSubmittedWorkDone();
  const held = await gpuMemoryNow();
  if (held !== null) memoryAfterUpload.push({ type: t.name, bytes: held });
  console.log(
    `nvidia-smi after the upload: ${held === null ? '—' : `${(held / 2 ** 30).toFixed(2)} GiB`}; uploaded ${(model.bytes / 2 ** 30).toFixed(2)} GiB of ${t.name} weights in ${((performance.now() - up0) / 1000).toFixed(1)} s`,
  );
  // warm-up: compiles every pipeline
  const warm = (T: number, n = 1): RunRequest => ({
    sets: [
      {
        name: 'bench',
        samples: Array.from({ length: n }, (_, k) => ({
          source: `random ${k}`,
          tokens: Array.from({ length: T }, (_, i) => (i * 7919 + 1 + k * 31) % config.vocabSize),
        })),
      },
    ],
    pairs: [],
    thresholds: [2e-6],
    metric: 'grad_x_weight',
    maxTokens: T,
  });
  await runGpu(ctx, model, warm(4));
  // and the batched walk's (the folded score): its pipelines compiled outside the timed rows
  await runGpu(ctx, model, warm(4, 2), { batch: 2 });
  const n = Number(values['stream-samples']);
  const batches = values.batch ? values.batch.split(',').map(Number) : [undefined];
  if (values.profile && s.features.timestampQuery) {
    // a lone sample, and with --batch the multi-sample run at the largest batch (per sample)
    const T = tokenCounts[0];
    const big = Math.max(...batches.map((b) => b ?? 0));
    for (const [count, batch] of big > 1
      ? [
          [1, 1],
          [n, big],
        ]
      : [[1, 1]]) {
      ctx.profiler = new GpuProfiler(ctx.device);
      const t0 = performance.now();
      await runGpu(ctx, model, warm(T, count), { batch });
      const wall = performance.now() - t0;
      const table = ctx.profiler
        .table()
        .map((r) => ({ ...r, ms: r.ms / count, dispatches: r.dispatches / count }));
      const busy = table.reduce((a, r) => a + r.ms, 0);
      const longestSubmitMs = ctx.profiler.longestSubmitNs / 1e6;
      const cut = ctx.profiler.truncated ? ' (a submit overflowed the query set: at least)' : '';
      ctx.profiler = null;
      console.table(table.map((r) => ({ ...r, ms: r.ms.toFixed(2) })));
      console.log(
        `profile ${t.name} T=${T} ×${count} batch ${batch}, per sample: wall ${(wall / count).toFixed(0)} ms (with a readback per submit), kernels ${busy.toFixed(0)} ms; longest submit ${longestSubmitMs.toFixed(1)} ms of GPU time${cut}`,
      );
      const row = { precision, type: t.name, T, wallMs: wall / count, kernelMs: busy };
      profiles.push({ ...row, samples: count, batch, longestSubmitMs, kernels: table });
    }
  }
  const want = new Set(values.rows!.split(','));
  const runs: Run[] = tokenCounts.flatMap((T) => [
    ...(want.has('lone') ? [[T, 1, 'gpu', false] as Run] : []),
    ...(want.has('kept') ? [[T, 1, 'gpu', true] as Run] : []),
    ...(values.streaming && want.has('multi')
      ? batches.map((b) => [T, n, 'gpu', false, b] as Run)
      : []),
    ...(values.streaming && want.has('cpu') ? [[T, n, 'cpu', false] as Run] : []),
  ]);
  for (const r of runs) await timeRow(model, t, warm(r[0], r[1]), r);
  if (values.workload) {
    const [sets, per] = values.workload.split('x').map(Number);
    const T = tokenCounts[0];
    const req = warm(T, per);
    req.sets = Array.from({ length: sets }, (_, k) => ({
      name: `set ${k}`,
      samples: warm(T, per).sets[0].samples.map((x, i) => ({
        ...x,
        tokens: x.tokens.map((id, j) => (j === 0 ? id : (id + 97 * k + i) % config.vocabSize)),
      })),
    }));
    req.thresholds = [2e-6, 5e-6];
    const budget = values['gpu-budget'] ? Number(values['gpu-budget']) * 2 ** 30 : undefined;
    if (budget !== undefined && !(budget > 0)) throw new Error('--gpu-budget: GiB > 0');
    // under a budget: as the app runs it, a unit (set) at a time, each planned under the budget
    const app = budget ? { budget } : undefined;
    try {
      await timeRow(model, t, req, [T, sets * per, 'gpu', false, undefined], 1, app);
    } catch (e) {
      // a budget no plan fits: the planner's one line, with its numbers
      if (!(e instanceof RunRefusedError)) throw e;
      console.error(`error: --workload ${values.workload}: ${oneLine(e.message)}`);
      process.exit(1);
    }
  }
  await benchLabs(model, t, warm, batches);
  model.destroy();
}
/** The labs' rows on the same model: a set's scores file, the STS lab, the pruning lab (last: it prunes the model). */
async function benchLabs(
  model: GpuLlama,
  t: TypeMix,
  warm: (T: number, n?: number) => RunRequest,
  batches: (number | undefined)[],
): Promise<void> {
  if (values['scores-out']) {
    const big = Math.max(...batches.map((b) => b ?? 1));
    const req = warm(tokenCounts[0], Number(values['scores-samples']));
    const { result: row, peakBytes } = await withGpuMemoryPeak(() =>
      benchScores(ctx, model, req, values['scores-out']!, big),
    );
    scores.push({ precision, type: t.name, ...row, batch: big, measuredBytes: peakBytes });
    console.log(
      `${config.name} ${precision} ${t.name} scores out: ${row.samples} samples × ${row.tokens} tokens, batch ${big}: ${(row.bytes / 1e9).toFixed(2)} GB written; run ${row.runSeconds.toFixed(1)} s, with the file ${row.withScoresSeconds.toFixed(1)} s (writes ${row.writeSeconds.toFixed(1)} s, ${(row.bytes / 1e9 / row.writeSeconds).toFixed(2)} GB/s); resident memory ${gib(row.rssBeforeBytes)} → peak ${gib(row.rssPeakBytes)}; nvidia-smi peak ${peakBytes === null ? '—' : gib(peakBytes)}`,
    );
  }
  const stsPairs = Number(values['sts-pairs']);
  if (stsPairs > 0) {
    const row = await benchSts(ctx, model, stsPairs, Number(values['sts-tokens']));
    sts.push({ precision, type: t.name, ...row });
    console.log(
      `${config.name} ${precision} ${t.name} STS: ${row.pairs} pairs (${row.sentences} sentences, ${row.meanTokens.toFixed(1)} tokens on average, ≤ ${row.maxTokens}): ${row.seconds.toFixed(1)} s, ${row.secondsPerPair.toFixed(3)} s per pair (forward ${row.forwardSeconds.toFixed(1)} s), our GPU memory ${(row.memory.total / 2 ** 30).toFixed(2)} GiB (saved inputs on the ${row.memory.savedOn})`,
    );
  }
  const pruneSamples = Number(values['prune-samples']);
  if (pruneSamples > 0) {
    const [m, T] = [Number(values['eval-samples']), Number(values['prune-tokens'])];
    const {
      result: row,
      peakBytes,
      startBytes,
    } = await withGpuMemoryPeak(() => benchPrune(ctx, model, pruneSamples, m, T));
    // the matrices as they are after pruning (a type without an exact 0 is re-encoded as F16)
    const weightBytes = model.layers.reduce(
      (a, lw) => a + MATRICES.reduce((b, mm) => b + lw.m[mm].buffer.size, 0),
      0,
    );
    const measured = { measuredBytes: peakBytes, measuredBeforeBytes: startBytes };
    prunes.push({ precision, type: t.name, ...row, ...measured, prunedMatrixBytes: weightBytes });
    console.log(
      `${config.name} ${precision} ${t.name} prune: Wanda 50 % with ${pruneSamples} × ${T} calibration tokens ${row.pruneSeconds.toFixed(1)} s; perplexity over ${m} × ${T} tokens ${row.perplexitySeconds.toFixed(1)} s (${row.perplexity.toFixed(2)}); beside the weights: walk ${gib(row.walkBytes)}, perplexity ${gib(row.perplexityBytes)}; nvidia-smi peak ${peakBytes === null ? '—' : gib(peakBytes)} (before ${gib(startBytes ?? 0)}); the pruned matrices hold ${gib(weightBytes)}`,
    );
  }
}
/** nvidia-smi's reading after each type's weights were uploaded (before any run) */
const memoryAfterUpload: { type: string; bytes: number }[] = [];
const sts: (StsBenchRow & { precision: string; type: string })[] = [];
const scores: (ScoresBenchRow & {
  precision: string;
  type: string;
  batch: number;
  measuredBytes: number | null;
})[] = [];
const prunes: (PruneBenchRow & {
  precision: string;
  type: string;
  measuredBytes: number | null;
  measuredBeforeBytes: number | null;
  prunedMatrixBytes: number;
})[] = [];

for (const p of precisions) {
  const choices =
    p === 'f16' ? (gpu.summary.features.matrixF16 ? matrixTileChoices : [undefined]) : tileChoices;
  for (const nsg of choices.slice(1).concat(choices[0])) {
    ctx = contextFor(p, nsg);
    precision = labelOf(ctx);
    console.log(`precision: ${precision}`);
    if (!values['skip-ops']) await benchOps();
  }
  // whole samples with the first choice (its context is the last one above)
  if (!values['ops-only']) for (const t of types) await benchSamples(t);
}

const report = {
  shape: values.shape,
  config,
  adapter,
  software,
  toggles,
  checks,
  date: new Date().toISOString(),
  ops,
  samples,
  memoryAfterUpload,
  profiles,
  sts,
  scores,
  prunes,
  matrices: MATRICES,
};
if (values.out) await writeFile(values.out, JSON.stringify(report, null, 1));
gpu.device.destroy();
process.exit(0);
