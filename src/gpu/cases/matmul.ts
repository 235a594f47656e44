// Op cases for matmul: forward and both backward entry points on seeded random inputs.
import * as gpu from '../ops/matmul';
import * as ref from '../../reference/matmul';
import { randomArray } from '../../util/random';
import type { LinearDims } from '../../model/shapes';
import type { OpCase } from '../checks/opcheck';

export function matmulCases(d: LinearDims, seed = 1): OpCase[] {
  const { T, I, O } = d;
  const X = randomArray(T * I, seed);
  const W = randomArray(O * I, seed + 1);
  const dY = randomArray(T * O, seed + 2);
  const tag = `(T=${T}, I=${I}, O=${O})`;
  return [
    {
      name: `matmul_forward ${tag}`,
      inputs: { X, W },
      outputs: { Y: T * O },
      reference: ({ X, W }) => {
        const Y = new Float32Array(T * O);
        ref.matmulForward(Y, X, W, d);
        return { Y };
      },
      gpu: (ctx, enc, b) => gpu.matmulForward(ctx, enc, b.Y, b.X, b.W, d),
    },
    {
      name: `matmul_backward_input ${tag}`,
      inputs: { dY, W },
      outputs: { dX: T * I },
      reference: ({ dY, W }) => {
        const dX = new Float32Array(T * I);
        ref.matmulBackwardInput(dX, dY, W, d);
        return { dX };
      },
      gpu: (ctx, enc, b) => gpu.matmulBackwardInput(ctx, enc, b.dX, b.dY, b.W, d),
    },
    {
      name: `matmul_backward_weight ${tag}`,
      inputs: { dY, X },
      outputs: { dW: O * I },
      reference: ({ dY, X }) => {
        const dW = new Float32Array(O * I);
        ref.matmulBackwardWeight(dW, dY, X, d);
        return { dW };
      },
      gpu: (ctx, enc, b) => gpu.matmulBackwardWeight(ctx, enc, b.dW, b.dY, b.X, d),
    },
  ];
}
