// Op cases for shaders/embedding.wgsl: rows of a (quantized) table gathered by token id.
import * as gpu from '../ops/embedding';
import * as ref from '../../reference/embedding';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { dequantize } from '../../gguf/dequant';
import { GgmlType } from '../../gguf/types';
import type { OpCase } from '../checks/opcheck';

export function embeddingCases(
  type: GgmlType,
  V: number,
  C: number,
  tokens: number[],
): OpCase<Record<string, Uint32Array>>[] {
  const bytes = randomTensorBytes(type, V * C, 5);
  const T = tokens.length;
  return [
    {
      name: `embedding_forward ${GgmlType[type]} (V=${V}, C=${C}, T=${T})`,
      inputs: { tokens: Uint32Array.from(tokens) },
      weights: { E: { bytes, type, elements: V * C } },
      outputs: { x: T * C },
      reference: ({ tokens }) => {
        const x = new Float32Array(T * C);
        ref.embeddingForward(x, tokens, dequantize(type, bytes, V * C), C);
        return { x };
      },
      gpu: (ctx, enc, b, w) => gpu.embeddingForward(ctx, enc, b.x, b.tokens, w.E, T, C),
    },
  ];
}
