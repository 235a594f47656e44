// Op cases for shaders/add.wgsl: out = a + b, and out += a.
import * as gpu from '../ops/add';
import * as ref from '../../reference/add';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

/** out (rows, width) += bias, on a width that does not divide the workgroup. */
export function addBiasCase(rows: number, width: number, seed = 7): OpCase {
  const bias = randomArray(width, seed);
  const out0 = randomArray(rows * width, seed + 1);
  return {
    name: `add_bias (${rows} × ${width})`,
    inputs: { bias },
    outputs: { out: out0.slice() },
    reference: ({ bias }) => {
      const out = out0.slice();
      ref.addBias(out, bias);
      return { out };
    },
    gpu: (ctx, enc, x) => gpu.addBias(ctx, enc, x.out, x.bias, rows, width),
  };
}

export function addCases(n: number, seed = 1): OpCase[] {
  const a = randomArray(n, seed);
  const b = randomArray(n, seed + 1);
  const out0 = randomArray(n, seed + 2);
  return [
    {
      name: `add_forward (n=${n})`,
      inputs: { a, b },
      outputs: { out: n },
      reference: ({ a, b }) => {
        const out = new Float32Array(n);
        ref.addForward(out, a, b);
        return { out };
      },
      gpu: (ctx, enc, x) => gpu.addForward(ctx, enc, x.out, x.a, x.b, n),
    },
    {
      name: `add_accumulate (n=${n})`,
      inputs: { a },
      outputs: { out: out0.slice() },
      reference: ({ a }) => {
        const out = out0.slice();
        ref.addAccumulate(out, a);
        return { out };
      },
      gpu: (ctx, enc, x) => gpu.addAccumulate(ctx, enc, x.out, x.a, n),
    },
  ];
}
