// Op cases for shaders/head.wgsl: the argmax of the logits (lowest index on ties, the first NaN
// if any) with its value, and the one-row backward dxf = W[argmax]. Compared exactly.
import * as gpu from '../ops/head';
import * as ref from '../../reference/head';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { dequantize } from '../../gguf/dequant';
import { GgmlType } from '../../gguf/types';
import type { OpCase } from '../checks/opcheck';

/** Equal but for f32 rounding of an exact value (no tolerance to speak of). */
const EXACT = { rel: 1e-9, abs: 1e-30 };

/** `best` as the kernel writes it, [argmax as u32, the max's f32 bits], as two numbers. */
function bestOf(words: Float32Array): Float32Array {
  return Float32Array.of(new Uint32Array(words.buffer, words.byteOffset, 2)[0], words[1]);
}

export function headCases(type: GgmlType, logits: Float32Array, C: number): OpCase[] {
  const V = logits.length;
  const bytes = randomTensorBytes(type, V * C, 9);
  return [
    {
      name: `head_argmax and head_backward ${GgmlType[type]} (V=${V}, C=${C})`,
      inputs: { logits },
      weights: { W: { bytes, type, elements: V * C } },
      outputs: { best: 2, dxf: C },
      reference: ({ logits }) => {
        const { index, value } = ref.headArgmax(logits);
        const dxf = ref.headBackward(dequantize(type, bytes, V * C), index, C);
        return { best: Float32Array.of(index, value), dxf: Float32Array.from(dxf) };
      },
      gpu: (ctx, enc, b, w) => {
        gpu.headArgmax(ctx, enc, b.best, b.logits, w.W, V, C);
        gpu.headBackward(ctx, enc, b.dxf, b.best, w.W, V, C);
      },
      readback: (got) => ({ ...got, best: bestOf(got.best) }),
      tolerance: () => EXACT,
    },
  ];
}
