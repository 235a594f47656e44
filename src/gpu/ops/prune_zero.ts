// Dispatch of shaders/prune_zero.wgsl. Reference twin: src/reference/prune_zero.ts.
import code from '../../../shaders/prune_zero.wgsl?raw';
import { grid, type GpuContext } from '../runtime/context';
import { ZEROABLE, typeName } from '../../gguf/types';
import type { GpuWeight } from './quant';

/** W's elements whose mask bit is set become exactly 0, in W's own bytes (in place). */
export function pruneZero(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  W: GpuWeight,
  mask: GPUBuffer,
  name = 'weight',
): void {
  // (src/prune/gpu.ts re-encodes a matrix of another type as F16 first)
  if (!ZEROABLE.includes(W.type))
    throw new Error(`tensor "${name}" is ${typeName(W.type)}: it has no exact 0 to write`);
  const words = W.buffer.size / 4;
  const g = grid(words, 256);
  ctx.dispatch(
    enc,
    ctx.pipeline('prune_zero', code, 'prune_zero', { QTYPE: W.type }),
    { wbytes: W.buffer, mask, dims: ctx.uniform([words, W.elements, g.x, 0]) },
    [g.x, g.y],
  );
}
