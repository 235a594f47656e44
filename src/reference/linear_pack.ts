// Twin of shaders/linear_pack.wgsl: the direct matrix linears' operands as f16, zero-padded.
import { dequantize } from '../gguf/dequant';
import type { GgmlType } from '../gguf/types';
import { toF16 } from './linear';

/** dst (prows, pcols) = src (rows, cols) · scale rounded to f16, zero outside (pack_rows). */
export function packRows(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  prows: number,
  pcols: number,
  scale = 1,
): Float64Array {
  const h = toF16(src, scale);
  const dst = new Float64Array(prows * pcols);
  for (let r = 0; r < rows; r++) dst.set(h.subarray(r * cols, (r + 1) * cols), r * pcols);
  return dst;
}

/** dst (prows, pcols) = W (rows = O, cols = I) decoded, rounded to f16, zero outside (pack_weight). */
export function packWeight(
  bytes: Uint8Array,
  type: GgmlType,
  rows: number,
  cols: number,
  prows: number,
  pcols: number,
): Float64Array {
  return packRows(dequantize(type, bytes, rows * cols), rows, cols, prows, pcols);
}
