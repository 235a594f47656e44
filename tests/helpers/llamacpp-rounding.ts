// What llama.cpp's CPU backend does to a matrix product's input before it multiplies: it converts
// the activations to the weight type's "vec_dot type" (ggml-cpu's type_traits_cpu) — f16 for F16
// weights, bf16 for BF16, 8-bit blocks of 32 with an f16 scale (Q8_0 / Q8_1) for the 32-blocks,
// 8-bit blocks of 256 with an f32 scale (Q8_K) for the K-quants — and sums exact integer products.
// Rounding our reference's inputs the same way leaves only f32 summation order between the two,
// so the comparison's tolerance can be tight (tests/gpu/llamacpp.test.ts).
import { f16ToF32, f32ToF16, bf16ToF32 } from '../../src/gguf/half';
import { GgmlType } from '../../src/gguf/types';
import type { GgufFile } from '../../src/gguf/reader';
import type { FloatArray } from '../../src/util/float-array';

/** C's roundf and nearest_int agree except at exact halves, which random data never hits. */
const round = (v: number) => Math.sign(v) * Math.round(Math.abs(v));

function q8Blocks32(x: Float32Array): void {
  for (let b = 0; b < x.length; b += 32) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b + j]));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    const dh = f16ToF32(f32ToF16(d));
    for (let j = 0; j < 32; j++) x[b + j] = round(x[b + j] * id) * dh;
  }
}

function q8K(x: Float32Array): void {
  for (let b = 0; b < x.length; b += 256) {
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 256; j++) {
      if (Math.abs(x[b + j]) > amax) {
        amax = Math.abs(x[b + j]);
        max = x[b + j];
      }
    }
    if (!amax) continue;
    const iscale = Math.fround(-127 / max);
    const d = Math.fround(1 / iscale);
    for (let j = 0; j < 256; j++)
      x[b + j] = Math.fround(Math.min(127, round(Math.fround(iscale * x[b + j]))) * d);
  }
}

function bf16(x: Float32Array): void {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < x.length; i++) x[i] = bf16ToF32((u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16);
}

/** x (rows of I) rounded as llama.cpp rounds the input of a product with weights of type t. */
export function roundLikeLlamaCpp(t: GgmlType, x: Float32Array): void {
  switch (t) {
    case GgmlType.F32:
      return;
    case GgmlType.F16:
      for (let i = 0; i < x.length; i++) x[i] = f16ToF32(f32ToF16(x[i]));
      return;
    case GgmlType.BF16:
      return bf16(x);
    case GgmlType.Q4_0:
    case GgmlType.Q4_1:
    case GgmlType.Q5_0:
    case GgmlType.Q5_1:
    case GgmlType.Q8_0:
      return q8Blocks32(x);
    case GgmlType.Q4_K:
    case GgmlType.Q5_K:
    case GgmlType.Q6_K:
      return q8K(x);
    default:
      throw new Error(`no llama.cpp rounding for ${GgmlType[t]}`);
  }
}

/** A `roundInput` for LlamaWeights that rounds each product's input as llama.cpp does. */
export function llamaCppRounding(file: GgufFile) {
  return (tensor: string, X: FloatArray): FloatArray => {
    const t = file.tensors.get(tensor);
    if (!t) throw new Error(`no tensor ${tensor}`);
    const x = Float32Array.from(X);
    roundLikeLlamaCpp(t.type, x);
    return x;
  };
}
