// Dispatch of shaders/colnorm.wgsl. Reference twin: src/reference/colnorm.ts.
import code from '../../../shaders/colnorm.wgsl?raw';
import { groups, workgroupSize, type Bound, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'colnorm_forward');

function dispatch(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  entry: 'colnorm_forward' | 'colsumsq_add',
  n: GPUBuffer,
  X: Bound,
  T: number,
  I: number,
): void {
  ctx.dispatch(
    enc,
    ctx.pipeline(entry, code, entry),
    { n, x: X, dims: ctx.uniform([T, I, 0, 0]) },
    [groups(I, WG)],
  );
}

/** n (I) = ‖X[:, i]‖₂ for X (T, I). Overwrites n. */
export const colnormForward = (
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  n: GPUBuffer,
  X: GPUBuffer,
  T: number,
  I: number,
): void => dispatch(ctx, enc, 'colnorm_forward', n, X, T, I);

/** s (I) += Σ_t X[t, i]² for X (T, I) (a buffer or a slice of one). Accumulates into s. */
export const colsumsqAdd = (
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  s: GPUBuffer,
  X: Bound,
  T: number,
  I: number,
): void => dispatch(ctx, enc, 'colsumsq_add', s, X, T, I);
