// Dispatch of shaders/prune_mask.wgsl. Reference twin: src/reference/prune_mask.ts.
import code from '../../../shaders/prune_mask.wgsl?raw';
import type { GpuContext } from '../context';
import { qtype, withQuant, type GpuWeight } from './quant';

/** How the kernel forms each weight's metric (shaders/prune_mask.wgsl). */
export const PRUNE_MODE = { scaled: 0, random: 1, given: 2 } as const;
export type PruneMode = keyof typeof PRUNE_MODE;

export interface PruneMaskDims {
  O: number;
  I: number;
  /** entries pruned per row */
  k: number;
  mode: PruneMode;
  seed: number;
}

/** u32 words of a mask of n elements. */
export const maskWords = (n: number): number => Math.ceil(n / 32);

/**
 * mask |= the k smallest metric entries of each row of W (O, I), ties to the lower column.
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
  if (d.O > ctx.device.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(
      `prune_mask: ${d.O} rows, above the ${ctx.device.limits.maxComputeWorkgroupsPerDimension} workgroups of one dimension`,
    );
  const k = Math.min(d.k, d.I);
  ctx.dispatch(
    enc,
    ctx.pipeline('prune_mask', withQuant(code), 'prune_mask', qtype(W)),
    {
      mask,
      wbytes: W.buffer,
      scale,
      metric,
      dims: ctx.uniform([d.O, d.I, k, PRUNE_MODE[d.mode], d.seed >>> 0, 0, 0, 0]),
    },
    [d.O],
  );
}
