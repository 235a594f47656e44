// Random but valid tensor bytes of every type (finite f16 scales), for decoder tests.
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { f32ToF16 } from '../../src/gguf/half';
import { quantize } from '../../src/gguf/quantize';
import { mulberry32 } from '../../src/util/random';

/** Byte offsets of the f16 scale fields inside one block. */
const SCALES: Partial<Record<GgmlType, number[]>> = {
  [GgmlType.Q4_0]: [0],
  [GgmlType.Q4_1]: [0, 2],
  [GgmlType.Q5_0]: [0],
  [GgmlType.Q5_1]: [0, 2],
  [GgmlType.Q8_0]: [0],
  [GgmlType.Q4_K]: [0, 2],
  [GgmlType.Q5_K]: [0, 2],
  [GgmlType.Q6_K]: [208],
};

export function randomTensorBytes(t: GgmlType, elements: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  if (t === GgmlType.F32 || t === GgmlType.F16 || t === GgmlType.BF16) {
    return quantize(
      t,
      Float32Array.from({ length: elements }, () => r() * 4 - 2),
    );
  }
  const block = BLOCK[t]!;
  const n = elements / block.elements;
  const bytes = Uint8Array.from({ length: n * block.bytes }, () => Math.floor(r() * 256));
  const v = new DataView(bytes.buffer);
  for (let b = 0; b < n; b++) {
    for (const off of SCALES[t] ?? [])
      v.setUint16(b * block.bytes + off, f32ToF16((r() - 0.3) * 0.1), true);
  }
  return bytes;
}
