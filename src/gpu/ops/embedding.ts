// Dispatch of shaders/embedding.wgsl. Reference twin: src/reference/embedding.ts.
import code from '../../../shaders/embedding.wgsl?raw';
import { groups, workgroupSize, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'embedding_forward');
import { qtype, withQuant, type GpuWeight } from './quant';

/** x (T, C) = E[tokens]. `tokens` holds T u32 ids. Overwrites x. */
export function embeddingForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  x: GPUBuffer,
  tokens: GPUBuffer,
  E: GpuWeight,
  T: number,
  C: number,
): void {
  const p = ctx.pipeline('embedding', withQuant(code), 'embedding_forward', qtype(E));
  ctx.dispatch(enc, p, { x, tokens, wbytes: E.buffer, dims: ctx.uniform([T, C, 0, 0]) }, [
    groups(C, WG),
    T,
  ]);
}
