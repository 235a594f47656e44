// Dispatch of shaders/f16_round.wgsl. Reference twin: src/reference/f16_round.ts.
import code from '../../../shaders/f16_round.wgsl?raw';
import { grid, type GpuContext } from '../runtime/context';

/**
 * out (⌈n / 2⌉ u32) = the n f32 values of x as half bits, round to nearest even, two per word;
 * beyond[0] += how many lie beyond F16's range (|x| > 65504 or not finite). Overwrites out.
 */
export function f16Round(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  x: GPUBuffer,
  beyond: GPUBuffer,
  n: number,
): void {
  const g = grid(Math.ceil(n / 2), 256);
  const p = ctx.pipeline('f16_round', code, 'f16_round');
  ctx.dispatch(enc, p, { out, x, beyond, dims: ctx.uniform([n, g.x, 0, 0]) }, [g.x, g.y]);
}
