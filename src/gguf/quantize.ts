// Quantizers for the writer (F32, F16, BF16, Q8_0, Q4_0), matching ggml's reference quantizers.
import { f32ToF16 } from './half';
import { BLOCK, GgmlType, typeName } from './types';

const QUANTIZERS = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0];

/** Whether quantize() writes type `t`. */
export function hasQuantizer(t: GgmlType): boolean {
  return QUANTIZERS.includes(t);
}

/** Encodes f32 values as tensor type `t`. */
export function quantize(t: GgmlType, x: Float32Array): Uint8Array {
  const block = BLOCK[t];
  if (!block || x.length % block.elements !== 0) {
    throw new Error(`cannot write ${x.length} values as ${typeName(t)}`);
  }
  const out = new Uint8Array((x.length / block.elements) * block.bytes);
  const v = new DataView(out.buffer);
  switch (t) {
    case GgmlType.F32:
      for (let i = 0; i < x.length; i++) v.setFloat32(i * 4, x[i], true);
      return out;
    case GgmlType.F16:
      for (let i = 0; i < x.length; i++) v.setUint16(i * 2, f32ToF16(x[i]), true);
      return out;
    case GgmlType.BF16: {
      const u = new Uint32Array(Float32Array.from(x).buffer);
      for (let i = 0; i < x.length; i++) {
        const r = u[i] + 0x7fff + ((u[i] >>> 16) & 1); // round to nearest even
        v.setUint16(i * 2, r >>> 16, true);
      }
      return out;
    }
    case GgmlType.Q8_0:
      for (let b = 0; b < x.length / 32; b++) {
        let amax = 0;
        for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
        const d = amax / 127;
        const id = d ? 1 / d : 0;
        v.setUint16(b * 34, f32ToF16(d), true);
        for (let j = 0; j < 32; j++) v.setInt8(b * 34 + 2 + j, roundAway(x[b * 32 + j] * id));
      }
      return out;
    case GgmlType.Q4_0:
      for (let b = 0; b < x.length / 32; b++) {
        let amax = 0;
        let max = 0;
        for (let j = 0; j < 32; j++) {
          const val = x[b * 32 + j];
          if (Math.abs(val) > amax) {
            amax = Math.abs(val);
            max = val;
          }
        }
        const d = max / -8;
        const id = d ? 1 / d : 0;
        v.setUint16(b * 18, f32ToF16(d), true);
        for (let j = 0; j < 16; j++) {
          const q0 = Math.min(15, Math.trunc(x[b * 32 + j] * id + 8.5));
          const q1 = Math.min(15, Math.trunc(x[b * 32 + 16 + j] * id + 8.5));
          out[b * 18 + 2 + j] = q0 | (q1 << 4);
        }
      }
      return out;
    default:
      throw new Error(`the writer has no quantizer for ${typeName(t)}`);
  }
}

/** C's roundf: halves away from zero. */
function roundAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}
