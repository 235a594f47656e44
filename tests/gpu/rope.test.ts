// shaders/rope.wgsl vs src/reference/rope.ts: adjacent pairs (2i, 2i+1), partial rotation.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClose, runOnGpu, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/context';
import * as gr from '../../src/gpu/ops/rope';
import * as rr from '../../src/reference/rope';
import { randomArray } from '../../src/util/random';

describe('rope on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('rope forward and backward on adjacent pairs, partial rotation', async () => {
    const d = { T: 9, heads: 3, headDim: 10, ropeDims: 6, base: 10000 };
    const x = randomArray(d.T * d.heads * d.headDim, 11);
    const table = gr.ropeTableBuffer(ctx, d.T, d.ropeDims, d.base);
    const out = await runOnGpu(ctx, {}, { f: x.slice(), b: x.slice() }, (enc, b) => {
      gr.ropeForward(ctx, enc, b.f, table, d);
      gr.ropeBackward(ctx, enc, b.b, table, d);
    });
    const f = x.slice();
    const bw = x.slice();
    rr.ropeForward(f, d);
    rr.ropeBackward(bw, d);
    expectClose('forward', out.f, f);
    expectClose('backward', out.b, bw);
  });
});
