// Dispatch of shaders/density.wgsl. Reference twin: src/reference/density.ts.
import code from '../../../shaders/density.wgsl?raw';
import { grid, workgroupSize, type GpuContext } from '../runtime/context';
import { HIST_BINS, type Log10Histogram } from '../../analysis/histogram';

export const MAX_THRESHOLDS = 8;
const [WG] = workgroupSize(code, 'density_finish');

/** u32 counters a density dispatch with K thresholds uses: K counts, zeros, under, bins, over. */
export function densityCounters(K: number): number {
  return K + 3 + HIST_BINS;
}

/** Parameters per workgroup: WG invocations × PER each (shaders/density.wgsl). */
const PER_WG = WG * Number(/const PER: u32 = (\d+)u;/.exec(code)![1]);

export function densitySlots(n: number): number {
  const g = grid(n, PER_WG);
  return g.x * g.y;
}

/**
 * counts (densityCounters(K) u32, zeroed by the caller) += threshold counts and histogram of
 * acc / samples over n parameters; partials (slots) = per-workgroup Σ mean. `thresholds` holds
 * K f32. Accumulates into counts; overwrites partials.
 */
export function densityFinish(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  counts: GPUBuffer,
  partials: GPUBuffer,
  acc: GPUBuffer,
  thresholds: GPUBuffer,
  n: number,
  samples: number,
  K: number,
): void {
  if (K < 1 || K > MAX_THRESHOLDS)
    throw new Error(`${K} thresholds: between 1 and ${MAX_THRESHOLDS}`);
  const g = grid(n, PER_WG);
  const p = ctx.pipeline('density', code, 'density_finish');
  ctx.dispatch(
    enc,
    p,
    { counts, partials, acc, thresholds, dims: ctx.uniform([n, samples, K, g.x]) },
    [g.x, g.y],
  );
}

/** Splits the counters read back into threshold counts and a histogram. */
export function unpackDensity(
  c: Uint32Array,
  K: number,
): { counts: number[]; hist: Log10Histogram } {
  return {
    counts: Array.from(c.subarray(0, K)),
    hist: {
      zeros: c[K],
      under: c[K + 1],
      bins: Array.from(c.subarray(K + 2, K + 2 + HIST_BINS)),
      over: c[K + 2 + HIST_BINS],
    },
  };
}
