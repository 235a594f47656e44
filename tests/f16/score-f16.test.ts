// The f16 path of the score kernels (shaders/score_stage_f16.wgsl + score_grad_f16.wgsl) vs its
// twin (src/reference/score.ts scoreValuesF16: dY · 2¹⁰ and X rounded to f16, f64 sums), and vs
// the f32 reference within the f16 tolerance (1e-2): Σ A, Σ A², max A, the set accumulator and
// the pair parts, every metric, partial tiles, several chunks of t, pairs of unequal lengths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnGpu } from '../helpers/gpu';
import { f16Gpu } from '../helpers/f16';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GpuContext } from '../../src/gpu/context';
import { uploadWeight } from '../../src/gpu/ops/quant';
import { F16_GRAD_SCALE } from '../../src/gpu/ops/linear';
import { scorePair, scoreReduce, scoreSlots, sumPartials } from '../../src/gpu/ops/score';
import * as ref from '../../src/reference/score';
import { cosParts } from '../../src/analysis/llmdcos';
import { reduceMatrix } from '../../src/analysis/reductions';
import { columnNorms, METRICS } from '../../src/analysis/metrics';
import { dequantize } from '../../src/gguf/dequant';
import { GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { f32Scaled } from '../../src/util/tolerances';

function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, rel: number) {
  const c = compareArrays(got, want, { rel, abs: 1e-30 });
  expect(c.ok, describeComparison(name, c)).toBe(true);
}

describe('f16 score kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = new GpuContext((await f16Gpu()).device, { f16: true, f16Score: true });
  });
  afterAll(() => ctx?.device.destroy());

  const d = { T: 70, I: 96, O: 70 };
  const Tb = 33;
  const type = GgmlType.Q4_0;
  const bytes = randomTensorBytes(type, d.O * d.I, 3);
  const Wf = dequantize(type, bytes, d.O * d.I);
  const dYa = randomArray(d.T * d.O, 4).map((v) => v * 1e-4);
  const Xa = randomArray(d.T * d.I, 5);
  const dYb = randomArray(Tb * d.O, 6).map((v) => v * 1e-4);
  const Xb = randomArray(Tb * d.I, 7);
  const xna = Float64Array.from(columnNorms(Xa, d.T, d.I));
  const xnb = Float64Array.from(columnNorms(Xb, Tb, d.I));

  for (const metric of METRICS) {
    it(`${metric}: Σ A, Σ A², max A, the accumulator and pair parts`, async () => {
      const W = uploadWeight(ctx.device, bytes, type, d.O * d.I);
      const slots = scoreSlots(d, ctx);
      expect(slots).toBe(4);
      const acc0 = randomArray(d.O * d.I, 8, 1e-6).map(Math.abs);
      const out = await runOnGpu(
        ctx,
        { dYa, Xa, dYb, Xb, xna: Float32Array.from(xna), xnb: Float32Array.from(xnb) },
        { acc: acc0.slice(), part: slots * 3, pair: slots * 3 },
        (enc, b) => {
          scoreReduce(ctx, enc, b.acc, b.part, b.dYa, b.Xa, W, b.xna, d, metric, true);
          scorePair(
            ctx,
            enc,
            b.pair,
            { dY: b.dYa, X: b.Xa, xnorm: b.xna },
            { dY: b.dYb, X: b.Xb, xnorm: b.xnb },
            W,
            d,
            Tb,
            metric,
          );
        },
      );
      W.buffer.destroy();
      const sums = sumPartials(out.part, slots, true);
      const pair = sumPartials(out.pair, slots, false);
      for (const [tol, values] of [
        [1e-4, ref.scoreValuesF16] as const,
        [1e-2, ref.scoreValues] as const,
      ]) {
        const what = tol === 1e-4 ? 'f16 twin' : 'f32 reference';
        const A = values(dYa, Xa, Wf, xna, d, metric, F16_GRAD_SCALE);
        const Ab = values(dYb, Xb, Wf, xnb, { ...d, T: Tb }, metric, F16_GRAD_SCALE);
        const r = reduceMatrix(A);
        expectClose(`sums vs ${what}`, sums, [r.sumA, r.sumA2, r.maxA], tol);
        const accWant = acc0.map((x, i) => x + A[i]);
        const c = compareArrays(out.acc, accWant, f32Scaled(accWant, tol, tol / 10));
        expect(c.ok, describeComparison(`acc vs ${what}`, c)).toBe(true);
        const p = cosParts(A, Ab);
        expectClose(`pair vs ${what}`, pair, [p.dot, p.aa, p.bb], tol);
      }
    });
  }
});
