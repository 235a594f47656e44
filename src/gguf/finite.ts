// Non-finite values in a tensor's GGUF bytes, found without decoding it: only the float fields
// of a block can hold NaN or ±Inf (f32 and f16/bf16 elements; the f16 scales d and min of the
// quantized blocks — their quants are small integers). Byte offsets within each block follow
// the layouts of src/gguf/dequant.ts.
import { GgmlType, BLOCK, weightType } from './types';

/** A non-finite value: the element (first of its block for quantized types) and what it is. */
export interface NonFinite {
  element: number;
  block: number;
  value: 'NaN' | 'Inf';
}

/** f16 bits with exponent 31: NaN (mantissa ≠ 0) or ±Inf. */
function f16Kind(bits: number): 'NaN' | 'Inf' | null {
  if ((bits & 0x7c00) !== 0x7c00) return null;
  return bits & 0x3ff ? 'NaN' : 'Inf';
}

/** The first non-finite value in `bytes` (raw GGUF data of `type`), or null when all are finite. */
export function firstNonFinite(type: GgmlType, bytes: Uint8Array): NonFinite | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === GgmlType.F32) {
    for (let i = 0; i + 4 <= bytes.length; i += 4) {
      const v = dv.getFloat32(i, true);
      if (!Number.isFinite(v))
        return { element: i / 4, block: i / 4, value: Number.isNaN(v) ? 'NaN' : 'Inf' };
    }
    return null;
  }
  if (type === GgmlType.F16 || type === GgmlType.BF16) {
    for (let i = 0; i + 2 <= bytes.length; i += 2) {
      const b = dv.getUint16(i, true);
      // bf16 is the top half of an f32: exponent 0xff
      const kind =
        type === GgmlType.F16
          ? f16Kind(b)
          : (b & 0x7f80) === 0x7f80
            ? b & 0x7f
              ? 'NaN'
              : 'Inf'
            : null;
      if (kind) return { element: i / 2, block: i / 2, value: kind };
    }
    return null;
  }
  const fields = weightType(type)?.f16Fields;
  const block = BLOCK[type];
  if (!fields || !block) return null;
  for (let k = 0, off = 0; off + block.bytes <= bytes.length; k++, off += block.bytes) {
    for (const f of fields) {
      const kind = f16Kind(dv.getUint16(off + f, true));
      if (kind) return { element: k * block.elements, block: k, value: kind };
    }
  }
  return null;
}
