// Dispatch of shaders/linear.wgsl. Reference twin: src/reference/linear.ts.
import code from '../../../shaders/linear.wgsl?raw';
import { groups, type GpuContext } from '../context';
import type { LinearDims } from '../../model/shapes';
import { qtype, withQuant, type GpuWeight } from './quant';

const WG = 16;

/** Y (T, O) = X (T, I) · Wᵀ with W (O, I) quantized. Overwrites Y. */
export function linearForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  Y: GPUBuffer,
  X: GPUBuffer,
  W: GpuWeight,
  d: LinearDims,
): void {
  const p = ctx.pipeline('linear', withQuant(code), 'linear_forward', qtype(W));
  ctx.dispatch(
    enc,
    p,
    [Y, X, W.buffer, ctx.uniform([d.T, d.I, d.O, 0])],
    [groups(d.O, WG), groups(d.T, WG)],
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
  const p = ctx.pipeline('linear', withQuant(code), 'linear_backward_input', qtype(W));
  ctx.dispatch(
    enc,
    p,
    [dX, dY, W.buffer, ctx.uniform([d.T, d.I, d.O, 0])],
    [groups(d.I, WG), groups(d.T, WG)],
  );
}
