// Dispatch of shaders/swiglu.wgsl. Reference twin: src/reference/swiglu.ts.
import code from '../../../shaders/swiglu.wgsl?raw';
import { grid, workgroupSize, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'swiglu_forward');

/** h (n) = silu(g) ⊙ u. Overwrites h. */
export function swigluForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  h: GPUBuffer,
  g: GPUBuffer,
  u: GPUBuffer,
  n: number,
): void {
  const gr = grid(n, WG);
  const p = ctx.pipeline('swiglu', code, 'swiglu_forward');
  ctx.dispatch(enc, p, { out0: h, g, u, dims: ctx.uniform([n, gr.x, 0, 0]) }, [gr.x, gr.y]);
}

/** dg, du (n) ← dh. Overwrites dg and du. */
export function swigluBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dg: GPUBuffer,
  du: GPUBuffer,
  dh: GPUBuffer,
  g: GPUBuffer,
  u: GPUBuffer,
  n: number,
): void {
  const gr = grid(n, WG);
  const p = ctx.pipeline('swiglu', code, 'swiglu_backward');
  ctx.dispatch(enc, p, { out0: dg, out1: du, g, u, dh, dims: ctx.uniform([n, gr.x, 0, 0]) }, [
    gr.x,
    gr.y,
  ]);
}
