// Dispatch of shaders/dequant.wgsl. Reference twin: src/reference/dequant.ts.
import code from '../../../shaders/dequant.wgsl?raw';
import { grid, workgroupSize, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'dequant_forward');
import { qtype, withQuant, type GpuWeight } from './quant';

/** out (n) = the weight decoded to f32. Overwrites out. */
export function dequantForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  w: GpuWeight,
): void {
  const p = ctx.pipeline('dequant', withQuant(code), 'dequant_forward', qtype(w));
  const g = grid(w.elements, WG);
  ctx.dispatch(enc, p, { out, wbytes: w.buffer, dims: ctx.uniform([w.elements, g.x, 0, 0]) }, [
    g.x,
    g.y,
  ]);
}
