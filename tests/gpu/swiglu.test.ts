// shaders/swiglu.wgsl, add.wgsl and colnorm.wgsl vs their twins (src/reference/swiglu.ts, add.ts,
// colnorm.ts): the elementwise ops and the column norms, on a length that is not a multiple of
// the workgroup.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClose, runOnGpu, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/context';
import * as gs from '../../src/gpu/ops/swiglu';
import * as gadd from '../../src/gpu/ops/add';
import { colnormForward } from '../../src/gpu/ops/colnorm';
import * as rs from '../../src/reference/swiglu';
import * as radd from '../../src/reference/add';
import { colnormForward as colnormRef } from '../../src/reference/colnorm';
import { randomArray } from '../../src/util/random';

describe('swiglu, add and colnorm on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('swiglu forward and backward, add and accumulate, colnorm', async () => {
    const n = 333;
    const gg = randomArray(n, 16, 3);
    const u = randomArray(n, 17);
    const dh = randomArray(n, 18);
    const acc0 = randomArray(n, 19);
    const out = await runOnGpu(
      ctx,
      { gg, u, dh },
      { h: n, dg: n, du: n, sum: n, acc: acc0.slice(), norms: 37 },
      (enc, b) => {
        gs.swigluForward(ctx, enc, b.h, b.gg, b.u, n);
        gs.swigluBackward(ctx, enc, b.dg, b.du, b.dh, b.gg, b.u, n);
        gadd.addForward(ctx, enc, b.sum, b.gg, b.u, n);
        gadd.addAccumulate(ctx, enc, b.acc, b.dh, n);
        colnormForward(ctx, enc, b.norms, b.gg, 9, 37);
      },
    );
    const h = new Float32Array(n);
    const dg = new Float32Array(n);
    const du = new Float32Array(n);
    const sum = new Float32Array(n);
    const acc = acc0.slice();
    rs.swigluForward(h, gg, u);
    rs.swigluBackward(dg, du, dh, gg, u);
    radd.addForward(sum, gg, u);
    radd.addAccumulate(acc, dh);
    expectClose('h', out.h, h);
    expectClose('dg', out.dg, dg);
    expectClose('du', out.du, du);
    expectClose('sum', out.sum, sum);
    expectClose('acc', out.acc, acc);
    expectClose('norms', out.norms, colnormRef(gg, 9, 37));
  });
});
