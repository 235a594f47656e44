// Dispatch of shaders/linear.wgsl. Reference twin: src/reference/linear.ts.
import code from '../../../shaders/linear.wgsl?raw';
import f16Code from '../../../shaders/linear_f16.wgsl?raw';
import mmCode from '../../../shaders/linear_mm.wgsl?raw';
import { grid, groups, withConstants, workgroupSize, type GpuContext } from '../context';
import type { LinearDims } from '../../model/shapes';
import { qtype, withQuant, type GpuWeight } from './quant';

/** Workgroups split-K aims for (the best of 256, 528 and 1056 measured: bench/results/README.md). */
const TARGET_WORKGROUPS = 528;
const MIN_CHUNK = 256;

/**
 * Split-K for the tiled kernels: the number of reduction chunks (1: none) and their length (a
 * multiple of the kernels' k-steps, 16 and 32), so that a (T, N) output of few tiles still fills the GPU.
 */
export function splitK(
  T: number,
  N: number,
  K: number,
  target = TARGET_WORKGROUPS,
  tileRows = 64,
  tileCols = 64,
): { splits: number; chunk: number } {
  const tiles = Math.ceil(T / tileRows) * Math.ceil(N / tileCols);
  const want = Math.min(8, Math.ceil(target / tiles), Math.floor(K / MIN_CHUNK));
  if (want <= 1) return { splits: 1, chunk: 0 };
  const chunk = Math.ceil(K / want / 32) * 32;
  return { splits: Math.ceil(K / chunk), chunk };
}

/**
 * The most f32 values the split-K partials of a (T, N) output over K take with any tile shape
 * the kernels use (64 × 64, 128 × 128, the matrix kernels' 128 × 16·n), for memory estimates.
 */
export function splitScratchFloats(T: number, N: number, K: number): number {
  const shapes = [
    [64, 64],
    [128, 128],
    [128, 64],
    [128, 256],
  ];
  // (the split-K target is the default one: bench --split-target may take more)
  return (
    Math.max(...shapes.map(([r, c]) => splitK(T, N, K, TARGET_WORKGROUPS, r, c).splits)) * T * N
  );
}

/** WGSL `enable` lines of the f16 path and of its subgroup-matrix variant. */
const F16_ENABLE = 'enable f16;\n';
// The subgroup-matrix builtins want uniform offsets; ours come from subgroup_id, uniform within
// a subgroup, which the analysis sees under `requires subgroup_uniformity`.
export const MATRIX_ENABLE =
  'enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;\nrequires subgroup_uniformity;\n';

/**
 * Gradients are multiplied by this power of two before they are rounded to f16 (and the result
 * divided by it), so that values down to 2⁻²⁴ stay normal f16 numbers; |dY| up to 64 fits.
 */
export const F16_GRAD_SCALE = 1024;

/** The bits of an f32, for uniform words. */
export function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}
const ONE_BITS = f32Bits(1);
export const GRAD_SCALE_BITS = f32Bits(F16_GRAD_SCALE);
export const GRAD_UNSCALE_BITS = f32Bits(1 / F16_GRAD_SCALE);

/**
 * Side of the f32 tiled kernels' output tiles: 64 (8 × 8 invocations) or 128 (16 × 16), the
 * faster one measured (bench/results/README.md).
 */
export const LINEAR_TILE = 128;
/** linear.wgsl with its tile side: TW invocations per side, 8 TW outputs per side. */
const linearCode = (tile: number) => withConstants(code, { TW: tile / 8 });
const SIMPLE_WG = workgroupSize(code, 'linear_forward');
const [SUM_WG] = workgroupSize(code, 'linear_split_sum');

/**
 * Subgroups per workgroup of the matrix kernels (tiles of 128 × 16·n): 4, 8 or 16; more is faster
 * (each staged chunk of the activations serves more weights; measured: bench/results/README.md).
 */
export const MATRIX_SUBGROUPS = 16;
/** Workgroup memory of linear_mm.wgsl with n subgroups (staged chunks with padded rows, slots). */
const mmBytes = (n: number) => (128 * 40 + Math.max(16 * n * 40, 32 * (16 * n + 8))) * 2 + 1024 * n;
/** The most subgroups, up to `want`, whose workgroup memory the device allows. */
function subgroupsFor(ctx: GpuContext, want: number): number {
  const limit = ctx.device.limits.maxComputeWorkgroupStorageSize;
  return [want, 8, 4].find((n) => n <= want && mmBytes(n) <= limit) ?? 4;
}
const mmCodeFor = (n: number) => withConstants(mmCode, { NSG: n });

/**
 * out (T, N) = a (T, K) · B with B = Wᵀ (forward) or W (backward_input). The simple kernel (one
 * invocation per output, 16 × 16 workgroups) on software adapters; else the tiled kernel
 * (LINEAR_TILE-sided tiles), split over K when that fills the GPU better. The f16 path: operands
 * rounded to f16, f32 sums, on subgroup matrices (shaders/linear_mm.wgsl, 128 × 16·n tiles)
 * where the context has them, else with f32 multiply-adds (shaders/linear_f16.wgsl, 64 × 64
 * tiles); split-K alike.
 */
function dispatchLinear(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  name: string,
  out: GPUBuffer,
  a: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
  N: number,
  K: number,
): void {
  const { f16, matrix } = ctx.options;
  if (!f16 && !ctx.options.tiledLinear) {
    const p = ctx.pipeline('linear', withQuant(linearCode(64)), name, qtype(W));
    const u = ctx.uniform([d.T, d.I, d.O, 0]);
    ctx.dispatch(enc, p, { out, a, wbytes: W.buffer, dims: u }, [
      groups(N, SIMPLE_WG[0]),
      groups(d.T, SIMPLE_WG[1]),
    ]);
    return;
  }
  const nsg = matrix ? subgroupsFor(ctx, ctx.options.matrixSubgroups ?? MATRIX_SUBGROUPS) : 0;
  const tile = ctx.options.linearTile ?? LINEAR_TILE;
  const p = !f16
    ? ctx.pipeline(`linear${tile}`, withQuant(linearCode(tile)), `${name}_tiled`, qtype(W))
    : matrix
      ? ctx.pipeline(
          `linear_mm${nsg}`,
          withQuant(`${f16Code}\n${mmCodeFor(nsg)}`, MATRIX_ENABLE),
          `${name}_mm`,
          qtype(W),
        )
      : ctx.pipeline('linear_f16', withQuant(f16Code, F16_ENABLE), `${name}_f16`, qtype(W));
  const rows = !f16 ? tile : matrix ? 128 : 64;
  const cols = !f16 ? tile : matrix ? 16 * nsg : 64;
  const { splits, chunk } = splitK(d.T, N, K, ctx.options.splitTarget, rows, cols);
  const wg: [number, number, number] = [groups(N, cols), groups(d.T, rows), splits];
  const words = [d.T, d.I, d.O, splits === 1 ? 0 : chunk];
  // the f16 kernels also take the left operand's scale: 1 forward, F16_GRAD_SCALE for gradients
  if (f16) words.push(name === 'linear_forward' ? ONE_BITS : GRAD_SCALE_BITS);
  const u = ctx.uniform(words);
  if (splits === 1) {
    ctx.dispatch(enc, p, { out, a, wbytes: W.buffer, dims: u }, wg);
    return;
  }
  const part = ctx.scratch('linear.splitK', splits * d.T * N * 4);
  ctx.dispatch(enc, p, { out: part, a, wbytes: W.buffer, dims: u }, wg);
  const n = d.T * N;
  const g = grid(n, SUM_WG);
  // the f16 kernels leave raw partials: the sum unscales them
  const f = f16 && name !== 'linear_forward' ? GRAD_UNSCALE_BITS : ONE_BITS;
  // (one pipeline for every weight type: the sum reads no weights)
  const ps = ctx.pipeline('linear', withQuant(linearCode(64)), 'linear_split_sum');
  ctx.dispatch(enc, ps, { out, a: part, dims: ctx.uniform([n, splits, f, 0]) }, [g.x, g.y]);
}

/** Y (T, O) = X (T, I) · Wᵀ with W (O, I) quantized. Overwrites Y. */
export function linearForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  Y: GPUBuffer,
  X: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  dispatchLinear(ctx, enc, 'linear_forward', Y, X, W, d, d.O, d.I);
}

/** dX (T, I) = dY (T, O) · W (O, I). Overwrites dX. */
export function linearBackwardInput(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dX: GPUBuffer,
  dY: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  dispatchLinear(ctx, enc, 'linear_backward_input', dX, dY, W, d, d.I, d.O);
}
