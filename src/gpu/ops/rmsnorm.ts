// Dispatch of shaders/rmsnorm.wgsl. Reference twin: src/reference/rmsnorm.ts.
import code from '../../../shaders/rmsnorm.wgsl?raw';
import type { GpuContext } from '../runtime/context';

function dims(ctx: GpuContext, T: number, C: number, eps: number): GPUBuffer {
  const u = new Uint32Array(4);
  u[0] = T;
  u[1] = C;
  new Float32Array(u.buffer)[2] = eps;
  return ctx.uniform(u);
}

/** y (T, C), rstd (T) ← x (T, C), w (C). Overwrites y and rstd. */
export function rmsnormForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  y: GPUBuffer,
  rstd: GPUBuffer,
  x: GPUBuffer,
  w: GPUBuffer,
  T: number,
  C: number,
  eps: number,
): void {
  const p = ctx.pipeline('rmsnorm', code, 'rmsnorm_forward');
  ctx.dispatch(enc, p, { out: y, rstd, x, w, dims: dims(ctx, T, C, eps) }, [T]);
}

/** dx (T, C) += rmsnorm backward of dy. Accumulates into dx. */
export function rmsnormBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dx: GPUBuffer,
  dy: GPUBuffer,
  x: GPUBuffer,
  w: GPUBuffer,
  rstd: GPUBuffer,
  T: number,
  C: number,
): void {
  const p = ctx.pipeline('rmsnorm', code, 'rmsnorm_backward');
  ctx.dispatch(enc, p, { out: dx, rstd, x, w, dy, dims: dims(ctx, T, C, 0) }, [T]);
}
