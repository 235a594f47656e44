// Op cases for shaders/xent.wgsl: the full-vocabulary cross-entropy per row, with logits far from
// 0 (the max is subtracted before exp) and vocabularies not a multiple of the workgroup.
import * as gpu from '../ops/xent';
import * as ref from '../../reference/xent';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function xentCases(
  T: number,
  V: number,
  seed = 1,
  shift = 0,
): OpCase<Record<string, Float32Array | Uint32Array>>[] {
  const logits = randomArray(T * V, seed, 8).map((x) => x + shift);
  const targets = Uint32Array.from({ length: T }, (_, t) => (t * 7919 + seed) % V);
  return [
    {
      name: `xent_forward (T=${T}, V=${V}${shift ? `, logits + ${shift}` : ''})`,
      inputs: { logits, targets },
      outputs: { nll: T },
      reference: ({ logits, targets }) => {
        const nll = new Float32Array(T);
        ref.crossEntropyForward(nll, logits as Float32Array, targets, T, V);
        return { nll };
      },
      gpu: (ctx, enc, b) => gpu.crossEntropyForward(ctx, enc, b.nll, b.logits, b.targets, T, V),
    },
  ];
}
