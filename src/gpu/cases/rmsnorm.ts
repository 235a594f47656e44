// Op cases for shaders/rmsnorm.wgsl: forward (y, rstd) and the accumulating backward.
import * as gpu from '../ops/rmsnorm';
import * as ref from '../../reference/rmsnorm';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function rmsnormCases(T: number, C: number, seed = 1, eps = 1e-5): OpCase[] {
  const x = randomArray(T * C, seed);
  const w = randomArray(C, seed + 1);
  const dy = randomArray(T * C, seed + 2);
  const dx0 = randomArray(T * C, seed + 3);
  const rstdOf = (x: Float32Array, w: Float32Array) => {
    const rstd = new Float32Array(T);
    ref.rmsnormForward(new Float32Array(T * C), rstd, x, w, T, C, eps);
    return rstd;
  };
  const tag = `(T=${T}, C=${C})`;
  return [
    {
      name: `rmsnorm_forward ${tag}`,
      inputs: { x, w },
      outputs: { y: T * C, rstd: T },
      reference: ({ x, w }) => {
        const y = new Float32Array(T * C);
        const rstd = new Float32Array(T);
        ref.rmsnormForward(y, rstd, x, w, T, C, eps);
        return { y, rstd };
      },
      gpu: (ctx, enc, b) => gpu.rmsnormForward(ctx, enc, b.y, b.rstd, b.x, b.w, T, C, eps),
    },
    {
      name: `rmsnorm_backward ${tag}`,
      inputs: { x, w, dy, rstd: rstdOf(x, w) },
      outputs: { dx: dx0.slice() },
      reference: ({ x, w, dy, rstd }) => {
        const dx = dx0.slice();
        ref.rmsnormBackward(dx, dy, x, w, rstd, T, C);
        return { dx };
      },
      gpu: (ctx, enc, b) => gpu.rmsnormBackward(ctx, enc, b.dx, b.dy, b.x, b.w, b.rstd, T, C),
    },
  ];
}
