// Op cases for shaders/linear.wgsl (and the f16 variants the context may pick): Y = X · Wᵀ and
// dX = dY · W over a quantized W, through whichever kernels the context picks.
import * as gpu from '../ops/linear';
import * as ref from '../../reference/linear';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { GgmlType } from '../../gguf/types';
import type { LinearDims } from '../../model/shapes';
import { randomArray } from '../../util/random';
import { f32Scaled } from '../../util/tolerances';
import type { OpCase } from '../opcheck';

export function linearCases(type: GgmlType, d: LinearDims, seed = 1): OpCase[] {
  const bytes = randomTensorBytes(type, d.O * d.I, 100 + type);
  const weights = { W: { bytes, type, elements: d.O * d.I } };
  const tag = `${GgmlType[type]} (T=${d.T}, I=${d.I}, O=${d.O})`;
  return [
    {
      name: `linear_forward ${tag}`,
      inputs: { X: randomArray(d.T * d.I, seed) },
      weights,
      outputs: { Y: d.T * d.O },
      reference: ({ X }) => {
        const Y = new Float32Array(d.T * d.O);
        ref.linearForward(Y, X, bytes, type, d);
        return { Y };
      },
      gpu: (ctx, enc, b, w) => gpu.linearForward(ctx, enc, b.Y, b.X, w.W, d),
      tolerance: (want) => f32Scaled(want),
    },
    {
      name: `linear_backward_input ${tag}`,
      inputs: { dY: randomArray(d.T * d.O, seed + 1) },
      weights,
      outputs: { dX: d.T * d.I },
      reference: ({ dY }) => {
        const dX = new Float32Array(d.T * d.I);
        ref.linearBackwardInput(dX, dY, bytes, type, d);
        return { dX };
      },
      gpu: (ctx, enc, b, w) => gpu.linearBackwardInput(ctx, enc, b.dX, b.dY, w.W, d),
      tolerance: (want) => f32Scaled(want),
    },
  ];
}
