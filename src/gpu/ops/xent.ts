// Dispatch of shaders/xent.wgsl. Reference twin: src/reference/xent.ts.
import code from '../../../shaders/xent.wgsl?raw';
import type { GpuContext } from '../runtime/context';

/** nll (T) ← logits (T, V), targets (T). Overwrites nll. */
export function crossEntropyForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  nll: GPUBuffer,
  logits: GPUBuffer,
  targets: GPUBuffer,
  T: number,
  V: number,
): void {
  const p = ctx.pipeline('xent', code, 'xent_forward');
  ctx.dispatch(enc, p, { nll, logits, targets, dims: ctx.uniform([T, V, 0, 0]) }, [T]);
}
