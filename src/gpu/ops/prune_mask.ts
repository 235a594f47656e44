// Dispatch of shaders/prune_mask.wgsl. Reference twin: src/reference/prune_mask.ts.
import code from '../../../shaders/prune_mask.wgsl?raw';
import { grid, type GpuContext } from '../runtime/context';
import { qtype, withQuant, type GpuWeight } from './quant';
import { PRUNE_MODE, type NmPattern, type PruneMode } from '../../reference/prune_mask';

export interface PruneMaskDims {
  O: number;
  I: number;
  /** entries pruned per row (unstructured) */
  k: number;
  mode: PruneMode;
  seed: number;
  /** N:M instead of k per row (prune_mask_nm) */
  pattern?: NmPattern;
}

/** u32 words of a mask of n elements. */
export const maskWords = (n: number): number => Math.ceil(n / 32);

/**
 * mask |= the k smallest metric entries of each row of W (O, I), ties to the lower column (with
 * d.pattern: N:M instead, prune_mask_nm).
 * `scale` (I) is read in mode scaled, `metric` (O, I) in mode given; bind any buffer otherwise.
 * The caller clears mask.
 */
export function pruneMask(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  mask: GPUBuffer,
  W: GpuWeight,
  scale: GPUBuffer,
  metric: GPUBuffer,
  d: PruneMaskDims,
): void {
  if (d.pattern) return pruneMaskNm(ctx, enc, mask, W, scale, metric, d, d.pattern);
  if (d.O > ctx.device.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(
      `prune_mask: ${d.O} rows, above the ${ctx.device.limits.maxComputeWorkgroupsPerDimension} workgroups of one dimension`,
    );
  const k = Math.min(d.k, d.I);
  const words = [d.O, d.I, k, PRUNE_MODE[d.mode], d.seed >>> 0, 0, 0, 0];
  dispatchMask(ctx, enc, 'prune_mask', { mask, W, scale, metric }, words, [d.O]);
}

/** One of prune_mask.wgsl's entry points with its buffers and Dims words. */
function dispatchMask(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  entryPoint: string,
  b: { mask: GPUBuffer; W: GpuWeight; scale: GPUBuffer; metric: GPUBuffer },
  words: number[],
  workgroups: [number, number?],
): void {
  const p = ctx.pipeline('prune_mask', withQuant(code), entryPoint, qtype(b.W));
  const bind = { mask: b.mask, wbytes: b.W.buffer, scale: b.scale, metric: b.metric };
  ctx.dispatch(enc, p, { ...bind, dims: ctx.uniform(words) }, workgroups);
}

/** prune_mask_nm: mask |= in each row the p.n smallest of every p.m consecutive entries. */
function pruneMaskNm(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  mask: GPUBuffer,
  W: GpuWeight,
  scale: GPUBuffer,
  metric: GPUBuffer,
  d: PruneMaskDims,
  p: NmPattern,
): void {
  if (!(
    Number.isInteger(p.m) &&
    p.m >= 1 &&
    p.m <= 8 &&
    Number.isInteger(p.n) &&
    p.n >= 0 &&
    p.n <= p.m
  ))
    throw new Error(`prune_mask: ${p.n}:${p.m} sparsity: m in 1…8, n in 0…m`);
  if (d.I % p.m !== 0)
    throw new Error(
      `prune_mask: ${p.n}:${p.m} sparsity needs rows of a multiple of ${p.m}, not ${d.I}`,
    );
  const g = grid((d.O * d.I) / p.m, 256);
  const words = [d.O, d.I, p.n, PRUNE_MODE[d.mode], d.seed >>> 0, p.m, g.x, 0];
  dispatchMask(ctx, enc, 'prune_mask_nm', { mask, W, scale, metric }, words, [g.x, g.y]);
}
