// Dispatch of shaders/rope.wgsl. Reference twin: src/reference/rope.ts.
import code from '../../../shaders/rope.wgsl?raw';
import { groups, workgroupSize, type Bound, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'rope_forward');
import { ropeTable, type RopeDims, type RopeFreqs } from '../../reference/rope';

/** The cos/sin table for up to T positions, uploaded once per model and length. */
export function ropeTableBuffer(ctx: GpuContext, T: number, d: RopeFreqs): GPUBuffer {
  return ctx.upload(Float32Array.from(ropeTable(T, d)), 'rope table');
}

function run(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  x: Bound,
  table: GPUBuffer,
  d: RopeDims,
  entry: string,
): void {
  const p = ctx.pipeline('rope', code, entry);
  const u = ctx.uniform([d.T, d.heads, d.headDim, d.ropeDims, d.stride ?? 0, 0, 0, 0]);
  ctx.dispatch(enc, p, { x, table, dims: u }, [groups((d.heads * d.ropeDims) / 2, WG), d.T]);
}

/**
 * Rotates x (T, heads · headDim) in place; `table` from ropeTableBuffer (≥ ropePositions(d)
 * positions: T, or a stack's stride).
 */
export function ropeForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  x: Bound,
  table: GPUBuffer,
  d: RopeDims,
): void {
  run(ctx, enc, x, table, d, 'rope_forward');
}

/** Inverse rotation of the gradient dx (T, heads · headDim), in place. */
export function ropeBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dx: Bound,
  table: GPUBuffer,
  d: RopeDims,
): void {
  run(ctx, enc, dx, table, d, 'rope_backward');
}
