// Dispatch of shaders/linear.wgsl. Reference twin: src/reference/linear.ts.
import code from '../../../shaders/linear.wgsl?raw';
import { groups, type GpuContext } from '../context';
import type { LinearDims } from '../../model/shapes';
import { qtype, withQuant, type GpuWeight } from './quant';

/** Output tile of one workgroup: 16 × 16 (simple kernels) or 64 × 64 (tiled kernels). */
const tile = (ctx: GpuContext) => (ctx.options.tiledLinear ? 64 : 16);
const entry = (ctx: GpuContext, name: string) => (ctx.options.tiledLinear ? `${name}_tiled` : name);

/** Y (T, O) = X (T, I) · Wᵀ with W (O, I) quantized. Overwrites Y. */
export function linearForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  Y: GPUBuffer,
  X: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  const p = ctx.pipeline('linear', withQuant(code), entry(ctx, 'linear_forward'), qtype(W));
  ctx.dispatch(
    enc,
    p,
    [Y, X, W.buffer, ctx.uniform([d.T, d.I, d.O, 0])],
    [groups(d.O, tile(ctx)), groups(d.T, tile(ctx))],
  );
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
  const p = ctx.pipeline('linear', withQuant(code), entry(ctx, 'linear_backward_input'), qtype(W));
  ctx.dispatch(
    enc,
    p,
    [dX, dY, W.buffer, ctx.uniform([d.T, d.I, d.O, 0])],
    [groups(d.I, tile(ctx)), groups(d.T, tile(ctx))],
  );
}
