// The fused score kernels (every metric, quantized W) and the density finish vs the reference:
// per-sample Σ A, Σ A², max A; the set accumulator; pair parts; mean-first counts and histogram;
// the head's argmax and one-row backward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnGpu, testContext } from '../helpers/gpu';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GpuContext } from '../../src/gpu/context';
import { uploadWeight } from '../../src/gpu/ops/quant';
import {
  scorePair,
  scoreReduce,
  scoreReduceFromGrad,
  scoreSlots,
  sumPartials,
} from '../../src/gpu/ops/score';
import { matmulBackwardWeight } from '../../src/reference/matmul';
import { f32Bits } from '../../src/gpu/ops/linear';
import {
  densityCounters,
  densityFinish,
  densitySlots,
  unpackDensity,
} from '../../src/gpu/ops/density';
import { headArgmax, headBackward } from '../../src/gpu/ops/head';
import * as ref from '../../src/reference/score';
import { headArgmax as argmaxRef, headBackward as headBackwardRef } from '../../src/reference/head';
import { MeanAccumulator } from '../../src/analysis/density';
import { columnNorms, METRICS } from '../../src/analysis/metrics';
import { dequantize } from '../../src/gguf/dequant';
import { GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { f32Scaled } from '../../src/util/tolerances';

const SUM_TOL = { rel: 1e-4, abs: 1e-12 };

/**
 * A reduce's partial sums against the reference's, its accumulator against acc0 + A, and (from a
 * second dispatch with 'set') the accumulator against A alone.
 */
function expectReduced(
  out: Record<string, Float32Array>,
  slots: number,
  want: { sumA: number; sumA2: number; maxA: number },
  A: Float64Array,
  acc0: Float32Array,
) {
  const c1 = compareArrays(
    sumPartials(out.part, slots, true),
    [want.sumA, want.sumA2, want.maxA],
    SUM_TOL,
  );
  expect(c1.ok, describeComparison('sums', c1)).toBe(true);
  const accWant = acc0.map((x, i) => x + A[i]);
  const c2 = compareArrays(out.acc, accWant, f32Scaled(accWant));
  expect(c2.ok, describeComparison('acc', c2)).toBe(true);
  const cSet = compareArrays(out.accSet, A, f32Scaled(A));
  expect(cSet.ok, describeComparison("acc ('set')", cSet)).toBe(true);
}

describe('score and density kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  // simple kernels: 2880 parameters, 12 workgroups, the last one partial; tiled kernels (64 × 64
  // tiles over t in chunks of 16): 2 × 2 tiles, partial at both edges, 3 chunks of t for a
  const cases = [
    { tiled: false, d: { T: 7, I: 64, O: 45 }, Tb: 4 },
    { tiled: true, d: { T: 37, I: 96, O: 70 }, Tb: 20 },
  ];
  for (const { tiled, d, Tb } of cases) {
    const type = GgmlType.Q4_0;
    const bytes = randomTensorBytes(type, d.O * d.I, 3);
    const Wf = dequantize(type, bytes, d.O * d.I);
    const dYa = randomArray(d.T * d.O, 4);
    const Xa = randomArray(d.T * d.I, 5);
    // pairs join samples of different lengths
    const dYb = randomArray(Tb * d.O, 6);
    const Xb = randomArray(Tb * d.I, 7);
    const xna = Float32Array.from(columnNorms(Xa, d.T, d.I));
    const xnb = Float32Array.from(columnNorms(Xb, Tb, d.I));

    for (const metric of METRICS) {
      it(`${metric}${tiled ? ', tiled kernels' : ''}: Σ A, Σ A², max A, the accumulator and pair parts`, async () => {
        const kctx = new GpuContext(ctx.device, { tiledScore: tiled });
        const W = uploadWeight(ctx.device, bytes, type, d.O * d.I);
        const slots = scoreSlots(d, kctx);
        expect(slots).toBe(tiled ? 4 : 12);
        const acc0 = randomArray(d.O * d.I, 8, 0.01).map(Math.abs);
        const out = await runOnGpu(
          ctx,
          { dYa, Xa, dYb, Xb, xna, xnb },
          {
            acc: acc0.slice(),
            accSet: acc0.slice(),
            part: slots * 3,
            part2: slots * 3,
            pair: slots * 3,
          },
          (enc, b) => {
            scoreReduce(kctx, enc, b.acc, b.part, b.dYa, b.Xa, W, b.xna, d, metric, true);
            // a set's first sample of a layer writes A over what is there
            scoreReduce(kctx, enc, b.accSet, b.part2, b.dYa, b.Xa, W, b.xna, d, metric, 'set');
            scorePair(
              kctx,
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
        const A = ref.scoreValues(dYa, Xa, Wf, Float64Array.from(xna), d, metric);
        const want = ref.scoreReduce(dYa, Xa, Wf, Float64Array.from(xna), d, metric);
        expectReduced(out, slots, want, A, acc0);
        expect(Array.from(out.part2)).toEqual(Array.from(out.part));
        const pw = ref.scorePair(
          { dY: dYa, X: Xa, xnorm: Float64Array.from(xna) },
          { dY: dYb, X: Xb, xnorm: Float64Array.from(xnb) },
          Wf,
          d,
          metric,
          Tb,
        );
        const c3 = compareArrays(
          sumPartials(out.pair, slots, false),
          [pw.dot, pw.aa, pw.bb],
          SUM_TOL,
        );
        expect(c3.ok, describeComparison('pair', c3)).toBe(true);
        W.buffer.destroy();
      });
    }
  }

  // score_reduce_g, the f16 path's epilogue over a g formed on subgroup matrices (the GEMM itself
  // needs them: bench --check tests it on real GPUs): here g is the reference's, scaled by 2¹⁰;
  // every metric, since it shares score_reduce_tiled's epilogue
  for (const metric of METRICS) {
    it(`${metric}: the epilogue over a formed, scaled ∂D/∂W (score_reduce_g)`, async () => {
      const d = { T: 37, I: 96, O: 70 };
      const type = GgmlType.Q8_0;
      const bytes = randomTensorBytes(type, d.O * d.I, 13);
      const Wf = dequantize(type, bytes, d.O * d.I);
      const dY = randomArray(d.T * d.O, 14);
      const X = randomArray(d.T * d.I, 15);
      const g = new Float64Array(d.O * d.I);
      matmulBackwardWeight(g, dY, X, d);
      const scale = 1024;
      const gScaled = Float32Array.from(g, (x) => x * scale);
      const kctx = new GpuContext(ctx.device, { tiledScore: true });
      const slots = scoreSlots(d, kctx);
      const W = uploadWeight(ctx.device, bytes, type, d.O * d.I);
      const acc0 = randomArray(d.O * d.I, 16, 0.01).map(Math.abs);
      const unscale = f32Bits(1 / scale);
      const xn = Float32Array.from(columnNorms(X, d.T, d.I));
      const out = await runOnGpu(
        ctx,
        { gScaled, xn },
        { acc: acc0.slice(), accSet: acc0.slice(), part: slots * 3, part2: slots * 3 },
        (enc, b) => {
          const g = b.gScaled;
          scoreReduceFromGrad(kctx, enc, b.acc, b.part, g, W, b.xn, d, metric, true, unscale);
          scoreReduceFromGrad(kctx, enc, b.accSet, b.part2, g, W, b.xn, d, metric, 'set', unscale);
        },
      );
      const A = ref.scoreValues(dY, X, Wf, Float64Array.from(xn), d, metric);
      const want = ref.scoreReduce(dY, X, Wf, Float64Array.from(xn), d, metric);
      expectReduced(out, slots, want, A, acc0);
      W.buffer.destroy();
    });
  }

  it('density: mean-first counts, histogram and Σ mean', async () => {
    const n = 5000;
    const N = 3;
    // zeros, means below the histogram (< 1e-20) and above it (≥ 1e4) among the rest
    const sums = Float32Array.from(randomArray(n, 9), (x, i) =>
      i % 50 === 0 ? 0 : i % 97 === 1 ? 3e-25 : i % 89 === 2 ? 3e6 : Math.abs(x) ** 6 * 1e-3,
    );
    const thresholds = Float32Array.from([1e-7, 1e-5, 1e-4]);
    const K = thresholds.length;
    const counts = new Uint32Array(densityCounters(K));
    const b = {
      counts: ctx.upload(counts),
      partials: ctx.storage(densitySlots(n) * 4),
      acc: ctx.upload(sums),
      thr: ctx.upload(thresholds),
    };
    const enc = ctx.device.createCommandEncoder();
    densityFinish(ctx, enc, b.counts, b.partials, b.acc, b.thr, n, N, K);
    await ctx.submit(enc);
    const got = unpackDensity(
      new Uint32Array((await ctx.readF32(b.counts, counts.length)).buffer),
      K,
    );
    const part = await ctx.readF32(b.partials, densitySlots(n));
    const acc = new MeanAccumulator(n);
    acc.sum.set(sums);
    acc.samples = N;
    const want = acc.finish(Array.from(thresholds));
    expect(got.counts).toEqual(want.counts);
    expect(got.hist.zeros).toBe(want.hist.zeros);
    expect(got.hist.under).toBe(want.hist.under);
    expect(got.hist.over).toBe(want.hist.over);
    expect(want.hist.under).toBeGreaterThan(40);
    expect(want.hist.over).toBeGreaterThan(40);
    const binDiff = got.hist.bins.reduce((s, x, i) => s + Math.abs(x - want.hist.bins[i]), 0);
    expect(binDiff, 'values moved across bin edges by f32 log10').toBeLessThanOrEqual(4);
    expect(
      got.hist.bins.reduce((s, x) => s + x, 0) + got.hist.under + got.hist.over + got.hist.zeros,
    ).toBe(n);
    const sumMean = part.reduce((s, x) => s + x, 0);
    expect(Math.abs(sumMean - want.sumMeanA) / want.sumMeanA).toBeLessThan(1e-5);
    Object.values(b).forEach((x) => x.destroy());
  });

  it('head: argmax (lowest index on ties, NaN first) and the one-row backward', async () => {
    const V = 300;
    const C = 32;
    const logits = randomArray(V, 10);
    logits[77] = 5;
    logits[211] = 5;
    const bytes = randomTensorBytes(GgmlType.Q8_0, V * C, 11);
    const W = uploadWeight(ctx.device, bytes, GgmlType.Q8_0, V * C);
    const out = await runOnGpu(ctx, { logits }, { best: 2, dxf: C }, (enc, b) => {
      headArgmax(ctx, enc, b.best, b.logits, W, V, C);
      headBackward(ctx, enc, b.dxf, b.best, W, V, C);
    });
    const best = new Uint32Array(out.best.buffer);
    const want = argmaxRef(logits);
    expect([best[0], out.best[1]]).toEqual([want.index, want.value]);
    expect(want.index).toBe(77);
    expect(Array.from(out.dxf)).toEqual(
      Array.from(headBackwardRef(dequantize(GgmlType.Q8_0, bytes, V * C), 77, C)),
    );
    // a NaN logit is the max (PyTorch's max), the first of several; its bits come back
    for (const nans of [[250], [260, 13]]) {
      const withNan = logits.slice();
      for (const i of nans) withNan[i] = NaN;
      const o = await runOnGpu(ctx, { logits: withNan }, { best: 2 }, (enc, b) =>
        headArgmax(ctx, enc, b.best, b.logits, W, V, C),
      );
      const first = Math.min(...nans);
      expect(argmaxRef(withNan).index).toBe(first);
      expect(new Uint32Array(o.best.buffer)[0]).toBe(first);
      expect(Number.isNaN(o.best[1])).toBe(true);
    }
    W.buffer.destroy();
  });
});
