// Op cases for shaders/prune_zero.wgsl: the masked weights set to 0 in the tensor's own bytes,
// compared byte for byte (as 0–255 values) with zeroMasked; tensors whose byte length is not a
// multiple of 4 (the padding untouched) and masks over whole blocks and single nibbles.
import * as gpu from '../ops/prune_zero';
import { pruneZero as zeroMasked } from '../../reference/prune_zero';
import { packMask } from '../../reference/prune_mask';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { GgmlType } from '../../gguf/types';
import type { OpCase } from '../checks/opcheck';

const EXACT = { rel: 1e-12, abs: 1e-45 };

export function pruneZeroCases(
  type: GgmlType,
  n: number,
  seed = 5,
): OpCase<Record<string, Uint32Array>>[] {
  const bytes = randomTensorBytes(type, n, seed);
  const mask = packMask(
    Uint8Array.from({ length: n }, (_, e) => ((e * 7 + seed) % 3 === 0 || e < 32 ? 1 : 0)),
  );
  const padded = Math.ceil(bytes.byteLength / 4);
  return [
    {
      name: `prune_zero ${GgmlType[type]} (${n} elements, ${bytes.byteLength} bytes)`,
      inputs: { mask },
      weights: { W: { bytes, type, elements: n } },
      outputs: { out: padded },
      reference: () => ({
        out: Float32Array.from(zeroMasked('W', type, bytes, mask, n)),
      }),
      gpu: (ctx, enc, b, w) => {
        gpu.pruneZero(ctx, enc, w.W, b.mask);
        ctx.copyBuffer(enc, w.W.buffer, 0, b.out, 0, padded * 4);
      },
      readback: (got) => ({
        out: Float32Array.from(
          new Uint8Array(got.out.buffer, got.out.byteOffset, bytes.byteLength),
        ),
      }),
      tolerance: () => EXACT,
    },
  ];
}

export const PRUNE_ZERO_TYPES: [GgmlType, number][] = [
  [GgmlType.F32, 37],
  [GgmlType.F16, 37],
  [GgmlType.BF16, 64],
  [GgmlType.Q8_0, 96],
  [GgmlType.Q4_0, 160],
  [GgmlType.Q4_0, 32],
];
