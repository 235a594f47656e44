// Dispatch of shaders/matmul.wgsl. Reference twin: src/reference/matmul.ts.
// Test-only (the engine's linears are src/gpu/ops/linear.ts): run by tests/gpu/matmul.test.ts.
import code from '../../../shaders/matmul.wgsl?raw';
import { groups, workgroupSize, type GpuContext } from '../runtime/context';
import type { LinearDims } from '../../model/shapes';

const [WG] = workgroupSize(code, 'matmul_forward');

function dimsUniform(ctx: GpuContext, d: LinearDims): GPUBuffer {
  return ctx.uniform([d.T, d.I, d.O, 0]);
}

/** Y (T, O) = X (T, I) · Wᵀ, W (O, I). Overwrites Y. */
export function matmulForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  Y: GPUBuffer,
  X: GPUBuffer,
  W: GPUBuffer,
  d: LinearDims,
): void {
  const p = ctx.pipeline('matmul', code, 'matmul_forward');
  ctx.dispatch(enc, p, { out: Y, a: X, b: W, dims: dimsUniform(ctx, d) }, [
    groups(d.O, WG),
    groups(d.T, WG),
  ]);
}

/** dX (T, I) = dY (T, O) · W (O, I). Overwrites dX. */
export function matmulBackwardInput(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dX: GPUBuffer,
  dY: GPUBuffer,
  W: GPUBuffer,
  d: LinearDims,
): void {
  const p = ctx.pipeline('matmul', code, 'matmul_backward_input');
  ctx.dispatch(enc, p, { out: dX, a: dY, b: W, dims: dimsUniform(ctx, d) }, [
    groups(d.I, WG),
    groups(d.T, WG),
  ]);
}

/** dW (O, I) = dYᵀ · X, dY (T, O), X (T, I). Overwrites dW. */
export function matmulBackwardWeight(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dW: GPUBuffer,
  dY: GPUBuffer,
  X: GPUBuffer,
  d: LinearDims,
): void {
  const p = ctx.pipeline('matmul', code, 'matmul_backward_weight');
  ctx.dispatch(enc, p, { out: dW, a: dY, b: X, dims: dimsUniform(ctx, d) }, [
    groups(d.I, WG),
    groups(d.O, WG),
  ]);
}
