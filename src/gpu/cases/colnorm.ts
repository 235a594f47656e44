// Op cases for shaders/colnorm.wgsl: ‖X_k‖₂ over the T rows of X (T, I), Wanda's input norms, and
// the running Σ_t X[t, k]² the pruning lab accumulates over samples.
import * as gpu from '../ops/colnorm';
import * as ref from '../../reference/colnorm';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function colnormCases(T: number, I: number, seed = 1): OpCase[] {
  const start = Float32Array.from(randomArray(I, seed + 9), Math.abs);
  return [
    {
      name: `colnorm_forward (T=${T}, I=${I})`,
      inputs: { X: randomArray(T * I, seed) },
      outputs: { n: I },
      reference: ({ X }) => ({ n: Float32Array.from(ref.colnormForward(X, T, I)) }),
      gpu: (ctx, enc, b) => gpu.colnormForward(ctx, enc, b.n, b.X, T, I),
    },
    {
      name: `colsumsq_add (T=${T}, I=${I})`,
      inputs: { X: randomArray(T * I, seed) },
      outputs: { s: start },
      reference: ({ X }) => {
        const s = start.slice();
        ref.colsumsqAdd(s, X, T, I);
        return { s };
      },
      gpu: (ctx, enc, b) => gpu.colsumsqAdd(ctx, enc, b.s, b.X, T, I),
    },
  ];
}
