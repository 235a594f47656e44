// Dispatch of shaders/colnorm.wgsl. Reference twin: src/reference/colnorm.ts.
import code from '../../../shaders/colnorm.wgsl?raw';
import { groups, workgroupSize, type GpuContext } from '../context';

const [WG] = workgroupSize(code, 'colnorm_forward');

/** n (I) = ‖X[:, i]‖₂ for X (T, I). Overwrites n. */
export function colnormForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  n: GPUBuffer,
  X: GPUBuffer,
  T: number,
  I: number,
): void {
  ctx.dispatch(
    enc,
    ctx.pipeline('colnorm', code, 'colnorm_forward'),
    { n, x: X, dims: ctx.uniform([T, I, 0, 0]) },
    [groups(I, WG)],
  );
}
