// shaders/score.wgsl (and score_grad.wgsl, its tiled GEMM) vs src/reference/score.ts: every
// metric over a quantized W — per-sample Σ A, Σ A², max A, the set accumulator, pair parts —
// and score_reduce_g, the epilogue of the f16 path's score_mm.wgsl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCases, runOnGpu, testContext } from '../helpers/gpu';
import { scoreCases, scoreFoldCase } from '../../src/gpu/cases/score';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GpuContext } from '../../src/gpu/runtime/context';
import { uploadWeight } from '../../src/gpu/ops/quant';
import {
  FOLD_MAX_T,
  foldsScore,
  scoreReduceFromGrad,
  scoreSlots,
  sumPartials,
} from '../../src/gpu/ops/score';
import { matmulBackwardWeight } from '../../src/reference/matmul';
import { f32Bits } from '../../src/gpu/runtime/context';
import * as ref from '../../src/reference/score';
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
  // tiles over t in chunks of 16): 2 × 2 tiles, partial at both edges, 3 chunks of t for a; pairs
  // join samples of different lengths (cases: src/gpu/cases/score.ts)
  for (const { tiled, d, Tb } of [
    { tiled: false, d: { T: 7, I: 64, O: 45 }, Tb: 4 },
    { tiled: true, d: { T: 37, I: 96, O: 70 }, Tb: 20 },
  ]) {
    describe(tiled ? 'tiled kernels' : 'simple kernels', () => {
      let kctx: GpuContext;
      beforeAll(() => (kctx = new GpuContext(ctx.device, { tiledScore: tiled })));
      it('slots: one per workgroup', () => expect(scoreSlots(d, kctx)).toBe(tiled ? 4 : 12));
      checkCases(
        METRICS.flatMap((metric) => scoreCases(metric, GgmlType.Q4_0, d, Tb)),
        () => kctx,
      );
    });
  }

  // score_fold_tiled: a batch's samples of one set in one kernel, Σ A into the set's sums once;
  // lengths under, at and past the 16-token chunk and one sample alone; partial tiles
  describe('a batch folded (tiled kernels)', () => {
    let kctx: GpuContext;
    beforeAll(() => (kctx = new GpuContext(ctx.device, { tiledScore: true, foldScore: true })));
    it('is what the context folds with (gradient metrics only; off by default)', () => {
      expect(foldsScore(kctx, 'grad_x_weight')).toBe(true);
      expect(foldsScore(kctx, 'wanda')).toBe(false);
      expect(foldsScore(new GpuContext(ctx.device, { tiledScore: true }), 'grad')).toBe(false);
    });
    it('folds on subgroup matrices by default up to FOLD_MAX_T tokens; options.foldScore forces either', () => {
      // (the decision reads the options and the device's workgroup memory only: a device with
      // an H100's 48 KiB, which CI's adapters do not have)
      const device = { limits: { maxComputeWorkgroupStorageSize: 49152 } } as GPUDevice;
      const on = (o: Partial<GpuContext['options']>) =>
        new GpuContext(device, { tiledScore: true, f16: true, matrix: true, ...o });
      expect(foldsScore(on({}), 'grad_x_weight', 128)).toBe(true);
      expect(foldsScore(on({}), 'grad', FOLD_MAX_T)).toBe(true);
      expect(foldsScore(on({}), 'grad', FOLD_MAX_T + 1)).toBe(false);
      expect(foldsScore(on({}), 'wanda', 128)).toBe(false);
      expect(foldsScore(on({ foldScore: true }), 'grad', 4 * FOLD_MAX_T)).toBe(true);
      expect(foldsScore(on({ foldScore: false }), 'grad', 128)).toBe(false);
      // the two-kernel score (∂D/∂W stored) has no fold
      expect(foldsScore(on({ fusedScore: false }), 'grad', 128)).toBe(false);
      expect(foldsScore(on({ foldScore: true, fusedScore: false }), 'grad', 128)).toBe(false);
      // the fold's tile must fit the device's workgroup memory
      const small = { limits: { maxComputeWorkgroupStorageSize: 16384 } } as GPUDevice;
      const opts = { tiledScore: true, f16: true, matrix: true };
      expect(foldsScore(new GpuContext(small, opts), 'grad', 128)).toBe(false);
    });
    checkCases(
      [
        scoreFoldCase({ I: 96, O: 70 }, [37, 5, 16], 40, 'grad_x_weight'),
        scoreFoldCase({ I: 64, O: 64 }, [20], 24, 'grad'),
      ],
      () => kctx,
    );
  });

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
});
