// Op cases for shaders/colnorm.wgsl: ‖X_k‖₂ over the T rows of X (T, I), Wanda's input norms.
import * as gpu from '../ops/colnorm';
import * as ref from '../../reference/colnorm';
import { randomArray } from '../../util/random';
import type { OpCase } from '../opcheck';

export function colnormCases(T: number, I: number, seed = 1): OpCase[] {
  return [
    {
      name: `colnorm_forward (T=${T}, I=${I})`,
      inputs: { X: randomArray(T * I, seed) },
      outputs: { n: I },
      reference: ({ X }) => ({ n: Float32Array.from(ref.colnormForward(X, T, I)) }),
      gpu: (ctx, enc, b) => gpu.colnormForward(ctx, enc, b.n, b.X, T, I),
    },
  ];
}
