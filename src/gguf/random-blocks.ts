// Random but valid tensor bytes of every type (finite f16 scales): for decoder tests, and for
// synthetic models of real shapes in benchmarks (no multi-GB file needed).
import { BLOCK, GgmlType, weightType } from './types';
import { f32ToF16 } from './half';
import { quantize } from './quantize';
import { mulberry32 } from '../util/random';

/**
 * `elements` values of type `t` as random bytes with every block's f16 scales drawn from
 * (−0.3, 0.7) · `scale`; float types get uniform values in ±20 · `scale`.
 */
export function randomTensorBytes(
  t: GgmlType,
  elements: number,
  seed: number,
  scale = 0.1,
): Uint8Array {
  const r = mulberry32(seed);
  if (t === GgmlType.F32 || t === GgmlType.F16 || t === GgmlType.BF16) {
    return quantize(
      t,
      Float32Array.from({ length: elements }, () => (r() * 4 - 2) * scale * 10),
    );
  }
  const block = BLOCK[t]!;
  const n = elements / block.elements;
  const bytes = new Uint8Array(n * block.bytes);
  // xorshift32 for the bulk (fast enough for gigabytes), mulberry32 for the scales
  const words = new Uint32Array(bytes.buffer, 0, bytes.byteLength >> 2);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
  const v = new DataView(bytes.buffer);
  const offsets = weightType(t)?.f16Fields ?? [];
  for (let b = 0; b < n; b++) {
    for (const off of offsets)
      v.setUint16(b * block.bytes + off, f32ToF16((r() - 0.3) * scale), true);
  }
  return bytes;
}
