// Dispatch of shaders/score.wgsl. Reference twin: src/reference/score.ts.
import code from '../../../shaders/score.wgsl?raw';
import gradCode from '../../../shaders/score_grad.wgsl?raw';
import mmCode from '../../../shaders/score_mm.wgsl?raw';
import mmStoreCode from '../../../shaders/score_mm_store.wgsl?raw';
import mmScoreCode from '../../../shaders/score_mm_score.wgsl?raw';
import mmFoldCode from '../../../shaders/score_mm_fold.wgsl?raw';
import mmStatsCode from '../../../shaders/score_mm_stats.wgsl?raw';
import mmStageCode from '../../../shaders/score_mm_stage.wgsl?raw';
import mmStage16Code from '../../../shaders/score_mm_stage16.wgsl?raw';
import {
  f32Bits,
  grid,
  withConstants,
  workgroupSize,
  type Bound,
  type GpuContext,
} from '../runtime/context';
import type { LinearDims } from '../../model/shapes';
import {
  GRAD_METRIC_MASK,
  NORM_METRIC_MASK,
  metricKind,
  type Metric,
} from '../../analysis/metrics';
import { qtype, withQuant, type GpuWeight } from './quant';
import { F16_GRAD_SCALE, GRAD_SCALE_BITS, GRAD_UNSCALE_BITS, MATRIX_ENABLE } from './linear';
import { packRows } from './linear_pack';

export const [SCORE_WG] = workgroupSize(code, 'score_reduce');
/** Side of the (o, i) tile of the tiled kernels. */
export const SCORE_TILE = 64;

function layout(ctx: GpuContext | null, d: LinearDims): { x: number; y: number } {
  return ctx?.options.tiledScore ? tiles(d) : grid(d.O * d.I, SCORE_WG);
}

/** The tiled kernels' grid: one workgroup per SCORE_TILE-sided tile. */
const tiles = (d: LinearDims) => ({
  x: Math.ceil(d.I / SCORE_TILE),
  y: Math.ceil(d.O / SCORE_TILE),
});

/**
 * Workgroups (and so partial triples) a score dispatch over O·I parameters produces on this
 * context; with no context, the larger count (the simple kernels'), for allocation.
 */
export function scoreSlots(d: LinearDims, ctx: GpuContext | null = null): number {
  const g = layout(ctx, d);
  return g.x * g.y;
}

const entry = (ctx: GpuContext, name: string) => (ctx.options.tiledScore ? `${name}_tiled` : name);

/** score.wgsl with what it reads of the metric table (its GRAD_METRICS and NORM_METRICS). */
const scoreCode = withConstants(code, {
  GRAD_METRICS: GRAD_METRIC_MASK,
  NORM_METRICS: NORM_METRIC_MASK,
});

/** A pipeline of score.wgsl; the tiled kernels get their ∂D/∂W tile from score_grad.wgsl. */
function pipeline(ctx: GpuContext, entryPoint: string, W: GpuWeight): GPUComputePipeline {
  return ctx.pipeline('score', withQuant(`${scoreCode}\n${gradCode}`), entryPoint, qtype(W));
}

/** The Dims words of score.wgsl for grid g; `gunscale`: score_reduce_g's unscale bits. */
function dims(
  ctx: GpuContext,
  g: { x: number; y: number },
  d: LinearDims,
  metric: Metric,
  accumulate: Accumulate,
  Tb = 0,
  gunscale = 0,
): GPUBuffer {
  const m = metricKind(metric).shader;
  return ctx.uniform([d.T, d.I, d.O, m, accWord(accumulate), g.x, Tb, gunscale]);
}

/**
 * What a score_reduce does with the set's accumulator: true adds A, 'set' writes A (a set's first
 * sample of a layer: the accumulator need not be cleared first), false leaves it.
 */
export type Accumulate = boolean | 'set';
const accWord = (a: Accumulate) => (a === 'set' ? 2 : a ? 1 : 0);

/**
 * Whether score_reduce forms g on subgroup matrices (shaders/score_mm.wgsl) and scores it there
 * (shaders/score_mm_score.wgsl; or, with options.fusedScore false, stores it and scores it with
 * score_reduce_g): the f16 path where the adapter has them, for the gradient metrics. (Pairs stay
 * on the f32 tiled kernel.)
 */
function matrixScore(ctx: GpuContext, metric: Metric): boolean {
  const grad = metricKind(metric).gradient;
  const fits = tileFits(ctx, scoreTile(ctx));
  return !!(ctx.options.tiledScore && ctx.options.f16 && ctx.options.matrix && grad && fits);
}

/** Whether the device's workgroup memory holds score_mm.wgsl's with tile `t` (scoreTileBytes). */
const tileFits = (ctx: GpuContext, t: ScoreTileName) =>
  ctx.device.limits.maxComputeWorkgroupStorageSize >= scoreTileBytes(t);

/**
 * score_reduce_g alone: A from a formed g (O, I) times the f32 with `unscaleBits`, into acc as
 * `accumulate` says, partials as scoreReduce's tiled ones (the same epilogue; xnorm (I) for
 * Wanda's form of A). (Exposed for its test.)
 */
export function scoreReduceFromGrad(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  acc: GPUBuffer,
  partials: Bound,
  g: GPUBuffer,
  W: GpuWeight,
  xnorm: GPUBuffer,
  d: LinearDims,
  metric: Metric,
  accumulate: Accumulate,
  unscaleBits: number,
): void {
  const t = tiles(d);
  const u = dims(ctx, t, d, metric, accumulate, 0, unscaleBits);
  const p = pipeline(ctx, 'score_reduce_g', W);
  ctx.dispatch(enc, p, { acc, partials, dya: g, wbytes: W.buffer, xna: xnorm, dims: u }, [
    t.x,
    t.y,
  ]);
}

/** g (O, I) = (dY · F16_GRAD_SCALE)ᵀ X over f16 operands on subgroup matrices (scaled). */
export function scoreGradMatrix(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  g: GPUBuffer,
  dY: Bound,
  X: Bound,
  d: LinearDims,
): void {
  dispatchScoreMm(ctx, enc, d, { g, dy: dY, x: X }, 'store');
}

/**
 * score_mm.wgsl's kernel on the context's tile over d, with `bind` and its GDims: g stored, or
 * (bind holding the weight and score.wgsl's buffers) scored where it is formed; `batch`: the
 * samples' token counts and row stride (default: one sample of d.T tokens) and the floats between
 * their partials.
 */
function dispatchScoreMm(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  d: LinearDims,
  bind: Record<string, Bound>,
  kind: ScoreMmKind,
  W?: GpuWeight,
  batch: { T: number[]; stride: number; pstride: number } = { T: [d.T], stride: 0, pstride: 0 },
): void {
  const t = kind === 'fold' ? foldTile(ctx) : scoreTile(ctx);
  const h = packsOperands(ctx, d);
  const { stride, pstride } = batch;
  // a batch's samples `stride` rows apart, or one sample's T rows
  const rows = stride > 0 ? stride * batch.T.length : d.T;
  const operands = h ? packOperands(ctx, enc, bind.dy, bind.x, d, rows) : {};
  const src = `${MATRIX_ENABLE}${scoreMatrixCode(kind, t, h)}`;
  const p = ctx.pipeline(
    `score_mm_${kind}${t}${h ? 'h' : ''}`,
    src,
    'score_grad_mm',
    W && qtype(W),
  );
  const gd = ctx.uniform([
    batch.T.length,
    d.O,
    d.I,
    h ? f32Bits(1) : GRAD_SCALE_BITS, // packed dY is scaled already
    stride,
    pstride,
    0,
    0,
    ...foldTs(batch.T),
  ]);
  ctx.dispatch(enc, p, { ...bind, ...operands, gd }, mmGrid(d, t));
}

/**
 * Whether score_mm.wgsl reads dY and X packed to f16 in storage first (unless
 * options.scoreF16Operands is false; rows of whole groups of 8): each tile then stages half the
 * bytes and converts nothing, and rounds nothing itself — the values are those it would round to,
 * so the results are bit for bit the same (`bench --check` on an H100 gave every case the same
 * differences with and without). On an H100 the folded score went from 60.1 to 56.7 ms per sample
 * in a batch of 8, all kernels 122 → 120 ms (the packing included); the per-sample kernel stayed
 * level (bench/results/README.md, session 20).
 */
const packsOperands = (ctx: GpuContext, d: LinearDims) =>
  ctx.options.scoreF16Operands !== false && d.O % 8 === 0 && d.I % 8 === 0;

/**
 * score_mm.wgsl's operands dY (rows, O) and X (rows, I) — a sample's T or a batch's samples' rows —
 * packed to f16 in two scratch buffers, dY times the gradient scale: the values the kernel would
 * round them to itself, so the results are the same.
 */
function packOperands(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dY: Bound,
  X: Bound,
  d: LinearDims,
  rows: number,
): { dy: Bound; x: Bound } {
  const dy = ctx.scratch('score dY f16', rows * d.O * 2);
  const x = ctx.scratch('score X f16', rows * d.I * 2);
  packRows(ctx, enc, dy, dY, rows, d.O, rows, d.O, F16_GRAD_SCALE);
  packRows(ctx, enc, x, X, rows, d.I, rows, d.I);
  return { dy, x };
}

/** Bytes of packOperands' scratch for `rows` rows of the largest of `shapes`. */
export const scoreOperandBytes = (shapes: { O: number; I: number }[], rows: number): number =>
  rows * 2 * (Math.max(...shapes.map((s) => s.O)) + Math.max(...shapes.map((s) => s.I)));

/** Samples score_mm.wgsl's GDims and score.wgsl's FoldDims hold (their T: array<vec4u, 2>). */
export const MAX_FOLD = 8;
/** The samples' token counts as those uniforms hold them: MAX_FOLD words, 0 past the last. */
const foldTs = (T: number[]) => Array.from({ length: MAX_FOLD }, (_, s) => T[s] ?? 0);

/**
 * Floats between two samples' partials in one buffer: `slots` triples rounded up to 64 floats, so
 * that each sample's partials start at a 256-byte offset (a binding's alignment).
 */
export const partStride = (slots: number): number => Math.ceil((slots * 3) / 64) * 64;

/**
 * What score_mm.wgsl's kernel does with g: store it, score it into the set's sums per sample, or
 * score a batch's samples and fold their A into the set's sums once.
 */
export type ScoreMmKind = 'store' | 'score' | 'fold';
const EPILOGUES: Record<ScoreMmKind, string[]> = {
  store: [mmStoreCode],
  score: [mmStatsCode, mmScoreCode],
  fold: [mmStatsCode, mmFoldCode],
};

/**
 * The WGSL of score_mm.wgsl's kernel (entry point score_grad_mm, without the `enable` lines), its
 * operands staged from f32 (shaders/score_mm_stage.wgsl) or from f16 packed by packOperands
 * (score_mm_stage16.wgsl), with the epilogue `kind` (shaders/score_mm_store.wgsl, or score.wgsl's
 * metric and accumulator with score_mm_stats.wgsl and score_mm_score.wgsl or
 * score_mm_fold.wgsl; override QTYPE: the weight's type).
 */
export function scoreMatrixCode(
  kind: ScoreMmKind,
  tile: ScoreTileName = SCORE_TILE_DEFAULT,
  f16Operands = false,
): string {
  const stage = f16Operands ? mmStage16Code : mmStageCode;
  const mm = withConstants(`${mmCode}\n${stage}`, SCORE_TILES[tile]);
  const tail = EPILOGUES[kind].join('\n');
  if (kind === 'store') return `${mm}\n${tail}`;
  return withQuant(`${scoreCode}\n${gradCode}\n${mm}\n${tail}`);
}

/**
 * score_mm.wgsl's tiles: GO rows of o × GI columns of i for GW invocations, each subgroup holding
 * 2 × NB result matrices (32 × 16 · NB). The default's 16 subgroups hold one workgroup per SM; the
 * half tile's 8, two; 128x128's 16 subgroups hold half the result matrices each, so that the batch
 * fold's per-lane sums (shaders/score_mm_fold.wgsl) fit beside them in registers.
 */
export const SCORE_TILES = {
  '128x256': { GO: 128, GI: 256, NB: 4, GW: 512 },
  '64x256': { GO: 64, GI: 256, NB: 4, GW: 256 },
  '128x128': { GO: 128, GI: 128, NB: 2, GW: 512 },
} as const;
export type ScoreTileName = keyof typeof SCORE_TILES;
export const SCORE_TILE_DEFAULT: ScoreTileName = '128x256';
/** The batch fold's tile: 2 × 2 result matrices per subgroup leave registers for its sums. */
export const FOLD_TILE_DEFAULT: ScoreTileName = '128x128';

/**
 * Workgroup memory of score_mm.wgsl with tile `t`: the f16 chunk's slabs (GO / 32 of dY, 32 tokens
 * × 40 halves; GI / (16 · NB) of X, 32 × (16 · NB + 8)) and the f32 slots.
 */
export function scoreTileBytes(t: ScoreTileName): number {
  const { GO, GI, NB, GW } = SCORE_TILES[t];
  const dy = (GO / 32) * 32 * 40 * 2;
  const x = (GI / (16 * NB)) * 32 * (16 * NB + 8) * 2;
  return dy + x + (GW / 32) * 256 * 4;
}

/** The batch fold's tile: options.scoreTile (benchmarks) or FOLD_TILE_DEFAULT. */
const foldTile = (ctx: GpuContext) => scoreTile(ctx, FOLD_TILE_DEFAULT);

function scoreTile(ctx: GpuContext, fallback = SCORE_TILE_DEFAULT): ScoreTileName {
  const t = ctx.options.scoreTile ?? fallback;
  if (!(t in SCORE_TILES))
    throw new Error(`score tile ${t}: one of ${Object.keys(SCORE_TILES).join(', ')}`);
  return t as ScoreTileName;
}

/** score_mm.wgsl's grid: one workgroup per GO (o) × GI (i) tile. */
const mmGrid = (d: LinearDims, t: ScoreTileName): [number, number] => [
  Math.ceil(d.I / SCORE_TILES[t].GI),
  Math.ceil(d.O / SCORE_TILES[t].GO),
];

/**
 * g = (dY · F16_GRAD_SCALE)ᵀ X formed on subgroup matrices and scored where it is formed
 * (shaders/score_mm_score.wgsl; `fold`: a batch's samples, shaders/score_mm_fold.wgsl): acc and
 * partials as scoreReduceFromGrad's over a stored g.
 */
function scoreReduceMatrix(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  acc: GPUBuffer,
  partials: Bound,
  dY: Bound,
  X: Bound,
  W: GpuWeight,
  d: LinearDims,
  metric: Metric,
  accumulate: Accumulate,
  fold?: { T: number[]; stride: number; pstride: number },
): void {
  const u = dims(ctx, tiles(d), d, metric, accumulate, 0, GRAD_UNSCALE_BITS);
  const bind = { acc, partials, wbytes: W.buffer, dims: u, dy: dY, x: X };
  // one sample of a batch's set: the per-sample kernel on its own tile (the faster one alone)
  const kind = fold && fold.T.length > 1 ? 'fold' : 'score';
  dispatchScoreMm(ctx, enc, d, bind, kind, W, fold);
}

/**
 * Whether scoreFold serves this context and metric for a batch whose longest sample has T tokens:
 * on subgroup matrices (the fused score, shaders/score_mm_fold.wgsl on the 128x128 tile) by
 * default up to FOLD_MAX_T tokens, where it measured faster than one kernel per sample; on the
 * tiled f32 kernels (score_fold_tiled) only when options.foldScore is true (measured slower, session
 * 14). options.foldScore true folds at any T, false never.
 */
export function foldsScore(ctx: GpuContext, metric: Metric, T = 0): boolean {
  const want = ctx.options.foldScore;
  if (want === false || !metricKind(metric).gradient) return false;
  if (matrixScore(ctx, metric)) {
    const fits = tileFits(ctx, foldTile(ctx));
    return ctx.options.fusedScore !== false && fits && (want === true || T <= FOLD_MAX_T);
  }
  return want === true && !!ctx.options.tiledScore;
}

/**
 * The longest sample (tokens) the fold takes by default: on an H100 in a batch of 4 it took the score
 * from 75.8 to 68.8 ms per sample at T = 128 and was level (94.2 against 94.9) at T = 256, where
 * the 128x128 tile's smaller GEMM blocks cost what the fold saves (bench/results/README.md,
 * session 18).
 */
export const FOLD_MAX_T = 256;

/**
 * A of one matrix for the samples of one set in a batch (foldsScore contexts): sample s's rows
 * `stride` apart in dY (rows, O) and X (rows, I), its first T[s] its tokens; acc += Σ_s A_s (or
 * = it, see Accumulate) with one read and write of acc, and sample s's partials (as scoreReduce's)
 * `pstride` floats after sample s − 1's in `partials`. Each A and partial as scoreReduce's; acc
 * the same sums in another order.
 */
export function scoreFold(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  acc: GPUBuffer,
  partials: Bound,
  dY: Bound,
  X: Bound,
  W: GpuWeight,
  d: LinearDims,
  metric: Metric,
  accumulate: Accumulate,
  batch: { T: number[]; stride: number; pstride: number },
): void {
  if (!foldsScore(ctx, metric)) throw new Error('scoreFold: not on this context or metric');
  if (batch.T.length < 1 || batch.T.length > MAX_FOLD)
    throw new Error(`scoreFold: ${batch.T.length} samples (1 … ${MAX_FOLD})`);
  const t = tiles(d);
  if (!matrixScore(ctx, metric)) {
    const fd = ctx.uniform([batch.T.length, batch.stride, batch.pstride, 0, ...foldTs(batch.T)]);
    const u = dims(ctx, t, d, metric, accumulate);
    // load4 also names sample b's buffers (unused): a's stand in
    const bind = { acc, partials, dya: dY, xa: X, dyb: dY, xb: X, wbytes: W.buffer, dims: u, fd };
    ctx.dispatch(enc, pipeline(ctx, 'score_fold_tiled', W), bind, [t.x, t.y]);
    return;
  }
  scoreReduceMatrix(ctx, enc, acc, partials, dY, X, W, d, metric, accumulate, batch);
}

/**
 * A of one matrix for one sample: acc += A (or = A, see Accumulate) and partials (slots, 3) = per
 * workgroup Σ A, Σ A², max A. dY (T, O) and X (T, I) are the linear's gradient and input;
 * xnorm (I) is needed for Wanda only. Overwrites partials; accumulates into acc.
 */
export function scoreReduce(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  acc: GPUBuffer,
  partials: Bound,
  dY: Bound,
  X: Bound,
  W: GpuWeight,
  xnorm: GPUBuffer,
  d: LinearDims,
  metric: Metric,
  accumulate: Accumulate,
): void {
  if (matrixScore(ctx, metric)) {
    if (ctx.options.fusedScore !== false) {
      scoreReduceMatrix(ctx, enc, acc, partials, dY, X, W, d, metric, accumulate);
      return;
    }
    const g = ctx.scratch('score.g', d.O * d.I * 4);
    scoreGradMatrix(ctx, enc, g, dY, X, d);
    const u = GRAD_UNSCALE_BITS;
    scoreReduceFromGrad(ctx, enc, acc, partials, g, W, xnorm, d, metric, accumulate, u);
    return;
  }
  const p = pipeline(ctx, entry(ctx, 'score_reduce'), W);
  const g = layout(ctx, d);
  const u = dims(ctx, g, d, metric, accumulate);
  // the tiled kernel also binds sample b's slots (unused): a's buffers stand in
  const b: Record<string, Bound> = ctx.options.tiledScore ? { dyb: dY, xb: X } : {};
  const bind = { acc, partials, dya: dY, xa: X, wbytes: W.buffer, xna: xnorm, dims: u, ...b };
  ctx.dispatch(enc, p, bind, [g.x, g.y]);
}

/**
 * Partials (slots, 3) = per workgroup Σ|A_a·A_b|, Σ A_a², Σ A_b² for two samples; d.T is a's
 * token count, Tb b's.
 */
export function scorePair(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  partials: GPUBuffer,
  a: { dY: GPUBuffer; X: GPUBuffer; xnorm: GPUBuffer },
  b: { dY: GPUBuffer; X: GPUBuffer; xnorm: GPUBuffer },
  W: GpuWeight,
  d: LinearDims,
  Tb: number,
  metric: Metric,
): void {
  const p = pipeline(ctx, entry(ctx, 'score_pair'), W);
  const g = layout(ctx, d);
  const u = dims(ctx, g, d, metric, false, Tb);
  ctx.dispatch(
    enc,
    p,
    {
      partials,
      dya: a.dY,
      xa: a.X,
      wbytes: W.buffer,
      xna: a.xnorm,
      dims: u,
      dyb: b.dY,
      xb: b.X,
      xnb: b.xnorm,
    },
    [g.x, g.y],
  );
}

/** Sums partial triples (f64, in slot order); the third is a max or a sum. */
export function sumPartials(
  p: Float32Array,
  slots: number,
  thirdIsMax: boolean,
): [number, number, number] {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let s = 0; s < slots; s++) {
    a += p[s * 3];
    b += p[s * 3 + 1];
    c = thirdIsMax ? Math.max(c, p[s * 3 + 2]) : c + p[s * 3 + 2];
  }
  return [a, b, c];
}
