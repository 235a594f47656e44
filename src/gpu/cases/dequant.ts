// Op cases for shaders/dequant.wgsl (through shaders/quant.wgsl's w_elem, which every kernel
// reading weights shares): a tensor of `type` decoded exactly as the CPU decoders do.
import * as gpu from '../ops/dequant';
import * as ref from '../../reference/dequant';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { BLOCK, GgmlType } from '../../gguf/types';
import type { OpCase } from '../checks/opcheck';

/** Equal to the last bit: only a zero difference passes. */
const EXACT = { rel: 1e-12, abs: 1e-45 };

export function dequantCases(type: GgmlType): OpCase[] {
  const per = BLOCK[type]!.elements;
  // 7 blocks, and a ragged tail for the one-element "blocks" (f32, f16, bf16)
  const elements = per * 7 + (per === 1 ? 3 : 0);
  const bytes = randomTensorBytes(type, elements, type + 1);
  return [
    {
      name: `dequant_forward ${GgmlType[type]} (${elements} elements)`,
      inputs: {},
      weights: { W: { bytes, type, elements } },
      outputs: { out: elements },
      reference: () => ({ out: ref.dequantForward(type, bytes, elements) }),
      gpu: (ctx, enc, b, w) => gpu.dequantForward(ctx, enc, b.out, w.W),
      tolerance: () => EXACT,
    },
  ];
}
