// Reference twin of shaders/prune_zero.wgsl: the masked weights set to exactly 0 in a tensor's own
// bytes, for the types with an exact 0 (ZEROABLE; the pruning's CPU path uses the same function).
import { GgmlType, ZEROABLE, typeName } from '../gguf/types';

/**
 * A copy of `bytes` (a tensor of `type`, n elements) with the elements whose bit is set in `bits`
 * (element e: bit e & 31 of word e >> 5, as shaders/prune_mask.wgsl writes them) set to exactly 0.
 */
export function pruneZero(
  name: string,
  type: GgmlType,
  bytes: Uint8Array,
  bits: Uint32Array,
  n: number,
): Uint8Array {
  if (!ZEROABLE.includes(type))
    throw new Error(`tensor "${name}": ${typeName(type)} has no exact 0`);
  const out = bytes.slice();
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const pruned = (e: number) => (bits[e >> 5] >>> (e & 31)) & 1;
  switch (type) {
    case GgmlType.F32:
      for (let e = 0; e < n; e++) if (pruned(e)) v.setFloat32(e * 4, 0, true);
      return out;
    case GgmlType.F16:
    case GgmlType.BF16:
      for (let e = 0; e < n; e++) if (pruned(e)) v.setUint16(e * 2, 0, true);
      return out;
    case GgmlType.Q8_0:
      for (let e = 0; e < n; e++) if (pruned(e)) out[(e >> 5) * 34 + 2 + (e & 31)] = 0;
      return out;
    case GgmlType.Q4_0:
      for (let e = 0; e < n; e++) {
        if (!pruned(e)) continue;
        const j = e & 31;
        const at = (e >> 5) * 18 + 2 + (j & 15);
        out[at] = j < 16 ? (out[at] & 0xf0) | 8 : (out[at] & 0x0f) | 0x80;
      }
      return out;
    default:
      return out;
  }
}
