// Op cases for shaders/swiglu.wgsl: h = silu(g) · u and its backward (dg, du).
import * as gpu from '../ops/swiglu';
import * as ref from '../../reference/swiglu';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function swigluCases(n: number, seed = 1): OpCase[] {
  const g = randomArray(n, seed, 3);
  const u = randomArray(n, seed + 1);
  const dh = randomArray(n, seed + 2);
  return [
    {
      name: `swiglu_forward (n=${n})`,
      inputs: { g, u },
      outputs: { h: n },
      reference: ({ g, u }) => {
        const h = new Float32Array(n);
        ref.swigluForward(h, g, u);
        return { h };
      },
      gpu: (ctx, enc, b) => gpu.swigluForward(ctx, enc, b.h, b.g, b.u, n),
    },
    {
      name: `swiglu_backward (n=${n})`,
      inputs: { g, u, dh },
      outputs: { dg: n, du: n },
      reference: ({ g, u, dh }) => {
        const dg = new Float32Array(n);
        const du = new Float32Array(n);
        ref.swigluBackward(dg, du, dh, g, u);
        return { dg, du };
      },
      gpu: (ctx, enc, b) => gpu.swigluBackward(ctx, enc, b.dg, b.du, b.dh, b.g, b.u, n),
    },
  ];
}
