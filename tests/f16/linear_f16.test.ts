// The f16 path of the quantized linears (shaders/linear_f16.wgsl, and linear_f16p.wgsl's packed
// runs) vs its twin
// (src/reference/linear.ts: operands rounded to f16, f64 sums) on one weight type per block size, with
// partial tiles and split-K; and vs the f32 reference within the f16 tolerance (1e-2).
// The subgroup-matrix variant (shaders/linear_mm.wgsl) needs tensor-core hardware: it is
// compiled and checked against this same twin by `npm run bench -- --check` on such a GPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f16Gpu } from '../helpers/f16';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GpuContext } from '../../src/gpu/runtime/context';
import { linearCases } from '../../src/gpu/cases/linear';
import { checkOp } from '../../src/gpu/checks/opcheck';
import type { LinearDims } from '../../src/model/shapes';
import * as g from '../../src/gpu/ops/linear';
import * as r from '../../src/reference/linear';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';
import { compareArrays } from '../../src/util/compare';
import { F32_OP, f32Scaled } from '../../src/util/tolerances';

describe('f16 linears on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = new GpuContext((await f16Gpu()).device, { f16: true });
  });
  afterAll(() => ctx?.device.destroy());

  // The weight type enters through its 8-element decoder (w_b8 in shaders/quant.wgsl), which the
  // gpu tier checks for every type in the f32 tiled kernels; here one type per block size (1, 32,
  // 256), each with partial tiles and split-K on the same pipelines (on lavapipe a pipeline of
  // this kernel takes 10–50 s to compile, the runs well under a second).
  for (const t of [GgmlType.F16, GgmlType.Q8_0, GgmlType.Q6_K])
    it(`linear f16 forward and backward_input over ${GgmlType[t]} weights, partial tiles and split-K`, async () => {
      const bl = BLOCK[t]!.elements;
      await check(t, { T: 70, I: bl === 1 ? 45 : bl * 3, O: 67 });
      const d = { T: 5, I: bl === 256 ? 768 : 640, O: 600 };
      expect(g.splitK(d.T, d.O, d.I).splits).toBeGreaterThan(1);
      expect(g.splitK(d.T, d.I, d.O).splits).toBeGreaterThan(1);
      await check(t, d);
    });

  /** The f16 kernels vs the f16 twin (same f16 operands, f32 vs f64 sums in another order), and
   * vs the f32 twin within the f16 bar (1e-2). */
  async function check(t: GgmlType, d: LinearDims, c = ctx, twin: 'f16' | 'f16p' = 'f16') {
    const f16 = linearCases(t, d, 1, twin);
    const f32 = linearCases(t, d, 1, 'f32').map((x, i) => ({
      ...x,
      inputs: f16[i].inputs,
      tolerance: (want: Float32Array) => f32Scaled(want, 1e-2, 1e-3),
    }));
    for (const k of [...f16, ...f32]) {
      const r = await checkOp(c, k, F32_OP);
      expect(r.ok, r.report).toBe(true);
    }
  }

  // The packed kernel (options.f16Packed, shaders/linear_f16p.wgsl: 16-long runs summed in f16)
  // vs the f16 twin within its bound (linearF16PackedTolerance), and vs the f32 twin within the
  // f16 bar; 128-row tiles with a partial edge and split-K.
  it('packed f16 runs: forward and backward_input over Q8_0, partial tiles and split-K', async () => {
    const packed = new GpuContext(ctx.device, { f16: true, f16Packed: true });
    await check(GgmlType.Q8_0, { T: 130, I: 96, O: 200 }, packed, 'f16p');
    await check(GgmlType.Q8_0, { T: 5, I: 768, O: 600 }, packed, 'f16p');
    expect(g.splitK(5, 600, 768, undefined, g.F16P_TILE, g.F16P_TILE).splits).toBeGreaterThan(1);
  });

  it('without the gradient scale, small gradients lose f16 precision (the scale is needed)', () => {
    const d = { T: 3, I: 64, O: 32 };
    const t = GgmlType.Q8_0;
    const bytes = randomTensorBytes(t, d.O * d.I, 7);
    const dY = randomArray(d.T * d.O, 3).map((v) => v * 1e-6);
    const exact = new Float32Array(d.T * d.I);
    const scaled = new Float64Array(d.T * d.I);
    const unscaled = new Float64Array(d.T * d.I);
    r.linearBackwardInput(exact, dY, bytes, t, d);
    r.linearBackwardInputF16(scaled, dY, bytes, t, d, g.F16_GRAD_SCALE);
    r.linearBackwardInputF16(unscaled, dY, bytes, t, d, 1);
    expect(compareArrays(scaled, exact, f32Scaled(exact, 1e-2, 1e-3)).ok).toBe(true);
    expect(compareArrays(unscaled, exact, f32Scaled(exact, 1e-2, 1e-3)).ok).toBe(false);
  });
});
