// Dispatch of shaders/linear_pack.wgsl: the direct matrix linears' operands packed to f16 in
// storage, zero-padded. Reference twin: src/reference/linear_pack.ts.
import packCode from '../../../shaders/linear_pack.wgsl?raw';
import { f32Bits, grid, type Bound, type GpuContext } from '../runtime/context';
import { F16_ENABLE, qtype, withQuant, type GpuWeight } from './quant';

/** Invocations per workgroup of shaders/linear_pack.wgsl (PACK_WG). */
const PACK_WG = 256;
const code = withQuant(packCode, F16_ENABLE);

/** Bytes of a packed (prows, pcols) f16 matrix. */
export const packedBytes = (prows: number, pcols: number) => prows * pcols * 2;

/**
 * dst (prows, pcols) f16 = src (rows, cols) f32 · scale, zero outside; pcols a multiple of 8.
 */
export function packRows(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dst: GPUBuffer,
  src: Bound,
  rows: number,
  cols: number,
  prows: number,
  pcols: number,
  scale = 1,
): void {
  if (pcols % 8 || pcols < cols || prows < rows) throw new Error(`packRows: bad padding ${pcols}`);
  const g = grid((prows * pcols) / 8, PACK_WG);
  const p = ctx.pipeline('linear_pack', code, 'pack_rows');
  const pd = ctx.uniform([rows, cols, prows, pcols, f32Bits(scale)]);
  ctx.dispatch(enc, p, { dst, src, pd }, [g.x, g.y]);
}

/** dst (prows, pcols) f16 = W (rows = O, cols = I) decoded, zero outside; pcols a multiple of 8. */
export function packWeight(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dst: GPUBuffer,
  W: GpuWeight,
  rows: number,
  cols: number,
  prows: number,
  pcols: number,
): void {
  if (pcols % 8 || pcols < cols || prows < rows)
    throw new Error(`packWeight: bad padding ${pcols}`);
  const g = grid((prows * pcols) / 8, PACK_WG);
  const p = ctx.pipeline('linear_pack', code, 'pack_weight', qtype(W));
  const pd = ctx.uniform([rows, cols, prows, pcols, f32Bits(1)]);
  ctx.dispatch(enc, p, { dst, wbytes: W.buffer, pd }, [g.x, g.y]);
}
