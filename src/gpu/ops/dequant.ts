// Dispatch of shaders/dequant.wgsl. Reference twin: src/reference/dequant.ts.
import code from '../../../shaders/dequant.wgsl?raw';
import { grid, type GpuContext } from '../context';
import { qtype, withQuant, type GpuWeight } from './quant';

/** out (n) = the weight decoded to f32. Overwrites out. */
export function dequantForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  w: GpuWeight,
): void {
  const p = ctx.pipeline('dequant', withQuant(code), 'dequant_forward', qtype(w));
  const g = grid(w.elements, 64);
  ctx.dispatch(enc, p, { out, wbytes: w.buffer, dims: ctx.uniform([w.elements, g.x, 0, 0]) }, [
    g.x,
    g.y,
  ]);
}
