// shaders/rmsnorm.wgsl vs src/reference/rmsnorm.ts: forward, and the accumulating backward, on a
// width that is not a multiple of the workgroup.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClose, runOnGpu, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/context';
import * as gn from '../../src/gpu/ops/rmsnorm';
import * as rn from '../../src/reference/rmsnorm';
import { randomArray } from '../../src/util/random';

describe('rmsnorm on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('rmsnorm forward and backward (accumulating)', async () => {
    const T = 3;
    const C = 70;
    const x = randomArray(T * C, 7);
    const w = randomArray(C, 8);
    const dy = randomArray(T * C, 9);
    const dx0 = randomArray(T * C, 10);
    const out = await runOnGpu(
      ctx,
      { x, w, dy },
      { y: T * C, rstd: T, dx: dx0.slice() },
      (enc, b) => {
        gn.rmsnormForward(ctx, enc, b.y, b.rstd, b.x, b.w, T, C, 1e-5);
        gn.rmsnormBackward(ctx, enc, b.dx, b.dy, b.x, b.w, b.rstd, T, C);
      },
    );
    const y = new Float32Array(T * C);
    const rstd = new Float32Array(T);
    const dx = dx0.slice();
    rn.rmsnormForward(y, rstd, x, w, T, C, 1e-5);
    rn.rmsnormBackward(dx, dy, x, w, rstd, T, C);
    expectClose('y', out.y, y);
    expectClose('rstd', out.rstd, rstd);
    expectClose('dx', out.dx, dx);
  });
});
